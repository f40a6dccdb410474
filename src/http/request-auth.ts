/**
 * Whether and how the client signs a request for its target. This module is light on purpose: the signer
 * itself (`sign-request.ts`, with the AWS SDK's SigV4 and credential chain) is loaded only when a request
 * that needs a signature is about to be sent, so a public GET never loads it.
 */
import { isProtected, type AuthSettings } from '../contract/auth.js';
import { partitionOf } from '../provision/arns.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What the client knows about its target's authorization. */
export interface TargetAuth extends AuthSettings {
  /** The region signatures are scoped to: the stack's. */
  region: string;
  /** Fixed credentials (the local stack's key pair); without them, the standard AWS credential chain. */
  credentials?: SigningCredentials;
  /** The profile for the credential chain (default: AWS_PROFILE, then default). */
  profile?: string;
  /** Where the target came from, for the hint on a refused request. */
  local?: boolean;
}

export interface SignInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RequestSigning {
  /** True when a request with this method must be signed. */
  needed(method: string): boolean;
  /** The signature headers to add (Authorization, X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256). */
  sign(request: SignInput): Promise<Record<string, string>>;
  /** The one-line message for a 403 answer to a signed request. */
  refused(method: string, url: string, message: string | undefined): string;
  /**
   * Reads the server's Date after a 403 "Signature expired", as the SDK does: true when this machine's clock
   * is off by 5 minutes or more, and later signatures now correct for it.
   */
  correctClock(serverDate: string | undefined): boolean;
}

/** How far off a clock may be before AWS refuses a signature (and the SDK corrects it): 5 minutes. */
export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;

/** The signing of requests to a target, or undefined when none of its methods needs a signature. */
export function signingFor(auth: TargetAuth | undefined): RequestSigning | undefined {
  if (auth?.mode !== 'iam') return undefined;
  let signer: Promise<(request: SignInput) => Promise<Record<string, string>>> | undefined;
  let offsetMs = 0;
  return {
    needed: (method) => isProtected(auth, method),
    correctClock: (serverDate) => {
      const server = serverDate ? Date.parse(serverDate) : Number.NaN;
      if (!Number.isFinite(server) || Math.abs(server - (Date.now() + offsetMs)) < CLOCK_SKEW_LIMIT_MS) return false;
      offsetMs = server - Date.now();
      return true;
    },
    sign: async (request) => {
      signer ??= import('./sign-request.js').then(({ createSigner }) => createSigner(auth, () => offsetMs));
      return (await signer)(request);
    },
    refused: (method, url, message) => {
      const what = `${method} ${url} was refused (403 ${message ?? 'Forbidden'})`;
      if (auth.local)
        return `${what}; the local stack does not accept the key recorded in .products-cli/state.json: run products-cli setup --local again`;
      const api = /^https:\/\/([a-z0-9]+)\.execute-api\./.exec(url)?.[1] ?? '*';
      return `${what}; check that the signing identity (AWS_PROFILE or the default credentials) is allowed execute-api:Invoke on arn:${partitionOf(auth.region)}:execute-api:${auth.region}:*:${api}/*`;
    },
  };
}
