/**
 * How a local stack and the CLI prove to each other that they share the stack's secret, without either
 * sending it: the CLI sends a fresh nonce and the stack answers an HMAC of it bound to its pid and port, so
 * a server that merely copies a health answer (or answers with someone else's pid) cannot pass; the CLI in
 * turn proves the secret with a timestamped HMAC before the stack hands out its statistics.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new stack secret: 32 random bytes, hex. */
export function newStackSecret(): string {
  return randomBytes(32).toString('hex');
}

/** A new challenge for the stack. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export const NONCE_PATTERN = /^[0-9a-f]{16,128}$/;

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** Constant-time comparison of two hex strings. */
export function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The stack's answer to `nonce`, binding who it says it is. */
export function stackProof(secret: string, nonce: string, pid: number, port: number): string {
  return hmac(secret, `products-cli-local stack|${nonce}|${pid}|${port}`);
}

/** The CLI's proof for a request with `nonce` made at `timeMs`, sent as `<timeMs>.<hmac>`. */
export function clientProof(secret: string, nonce: string, timeMs: number): string {
  return `${timeMs}.${hmac(secret, `products-cli-local client|${nonce}|${timeMs}`)}`;
}

/** How far a client's clock may be from the stack's. */
export const CLIENT_PROOF_WINDOW_MS = 60_000;

/**
 * Checks a client proof; `seen` remembers nonces already used within the window, so a captured request
 * cannot be replayed.
 */
export function checkClientProof(
  secret: string,
  nonce: string,
  proof: string | undefined,
  now: number,
  seen: Map<string, number>,
): boolean {
  if (!proof) return false;
  const dot = proof.indexOf('.');
  const timeMs = Number(proof.slice(0, dot));
  if (dot <= 0 || !Number.isSafeInteger(timeMs) || Math.abs(now - timeMs) > CLIENT_PROOF_WINDOW_MS) return false;
  if (!sameHex(proof, clientProof(secret, nonce, timeMs))) return false;
  for (const [old, at] of seen) if (now - at > 2 * CLIENT_PROOF_WINDOW_MS) seen.delete(old);
  if (seen.has(nonce)) return false;
  seen.set(nonce, now);
  return true;
}
