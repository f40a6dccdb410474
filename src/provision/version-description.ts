/** What a published version's description records, written by setup, deploy and the template alike. */
import { createHash } from 'node:crypto';
import { PRODUCT_VERSION } from '../defaults.js';

/** The SHA-256 of the bundle, base64-encoded as Lambda reports `CodeSha256`. */
export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}

/** What a version's description records: the products-cli that published it and the bundle's SHA-256. */
export function versionDescription(codeSha256: string, productVersion = PRODUCT_VERSION): string {
  return `products-cli ${productVersion} code-sha256 ${codeSha256}`;
}

/**
 * The products-cli version and bundle SHA-256 a version's description records, or undefined for a version made
 * otherwise. Words after the SHA (the template's settings) are allowed.
 */
export function readVersionDescription(
  description: string | undefined,
): { productVersion: string; codeSha256: string } | undefined {
  const match = /^products-cli (\S+) code-sha256 (\S+)(?: .*)?$/.exec(description ?? '');
  return match ? { productVersion: match[1] as string, codeSha256: match[2] as string } : undefined;
}
