/** The built artifact dist/handler.zip, unpacked into a temporary folder for tests that must run *that* file. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const handlerZipPath = join(packageRoot, 'dist', 'handler.zip');

/** Unpacks the zip and returns the folder holding index.mjs. */
export function unpackArtifact(zipPath = handlerZipPath): string {
  const dir = mkdtempSync(join(tmpdir(), 'products-artifact-'));
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zipPath)))) {
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
}
