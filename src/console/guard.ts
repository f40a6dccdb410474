/**
 * Who may use the console: a page of this very server, opened through the printed URL. The token comes once in
 * the URL and is then kept in an HttpOnly, SameSite=Strict cookie; the Host header must name the loopback
 * address and port the server listens on (a DNS-rebinding page sends its own host name), and an Origin, when the
 * browser sends one, must be the server's own (another local page sends its own).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** No script, style, image or connection from anywhere but the server itself; no inline script, no frames. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** The headers every answer carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

export type Verdict = { ok: true } | { ok: false; status: number; reason: string };

/** The cookie's name holds the port: browsers share cookies between the ports of one host. */
export const cookieName = (port: number) => `products_console_${port}`;

/** The Set-Cookie value that keeps the token for the pages and calls that follow. */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** True when the two strings are equal, in a time that does not tell how much of them matched. */
export function sameSecret(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The origins of the server as a browser names them. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether the request's Host and Origin are the server's own; a change must come with its Origin. */
export function checkSource(req: Pick<IncomingMessage, 'headers' | 'method'>, port: number): Verdict {
  const origins = ownOrigins(port);
  const host = req.headers.host;
  if (!host || !origins.includes(`http://${host.toLowerCase()}`)) {
    return {
      ok: false,
      status: 421,
      reason: `refused: the Host header must be 127.0.0.1:${port} or localhost:${port}`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined ? !origins.includes(origin) : UNSAFE.has(req.method ?? '')) {
    return { ok: false, status: 403, reason: 'refused: the request does not come from a page of this console' };
  }
  return { ok: true };
}
