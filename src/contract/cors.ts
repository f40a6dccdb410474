/**
 * CORS as the API answers it in its three places (the OPTIONS preflight, the function's responses, API
 * Gateway's own error answers): pure builders shared by the handler, the local gateway and AWS provisioning.
 */
import { ROUTES } from './routes.js';

/** Request headers a browser may send: SigV4's, the API key's, and the API's own. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'X-Amz-Content-Sha256',
  'X-Amz-Date',
  'X-Amz-Security-Token',
  'X-Api-Key',
] as const;

/** Response headers a script may read besides the CORS-safelisted ones. */
export const CORS_EXPOSE_HEADERS = ['ETag', 'Location'] as const;

/** How long a browser may cache a preflight, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

/** The environment variable that hands the allowed origins to the function, comma-separated. */
export const CORS_ORIGINS_ENV = 'CORS_ALLOWED_ORIGINS';

/** Checks one `--cors-origin` value; returns the rule it breaks, or undefined. */
export function checkCorsOrigin(value: string): string | undefined {
  if (value === '*') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an origin such as https://shop.example.com or http://localhost:5173, or *';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// origin';
  if (url.origin !== value)
    return `must be an origin alone (scheme, host and port, no path or trailing slash): ${url.origin}`;
  return undefined;
}

/** The origin list, checked: `*` stands alone. Throws an Error naming the bad value. */
export function normalizeCorsOrigins(values: readonly string[]): string[] {
  const origins = [...new Set(values)];
  for (const origin of origins) {
    const rule = checkCorsOrigin(origin);
    if (rule) throw new Error(`--cors-origin ${rule}, not "${origin}"`);
  }
  if (origins.includes('*') && origins.length > 1)
    throw new Error('--cors-origin * allows every origin: give it alone');
  return origins;
}

/** Reads the origins from the function's environment variable. */
export function corsOriginsFromEnv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** The value of Access-Control-Allow-Origin for a request from `origin`, or undefined when it is not allowed. */
export function allowedOrigin(origins: readonly string[], origin: string | undefined): string | undefined {
  if (origins.includes('*')) return '*';
  return origin !== undefined && origins.includes(origin) ? origin : undefined;
}

/** The methods a resource answers, OPTIONS included. */
export function corsMethods(resource: string): string {
  const route = ROUTES.find((r) => r.resource === resource);
  return [...(route?.methods ?? []), 'OPTIONS'].join(', ');
}

/** The CORS headers of an actual (non-preflight) response: none for an origin that is not allowed. */
export function responseCorsHeaders(origins: readonly string[], origin: string | undefined): Record<string, string> {
  const allowed = allowedOrigin(origins, origin);
  if (origins.length === 0) return {};
  const headers: Record<string, string> = {};
  // The answer depends on Origin whenever it is not `*`, so shared caches must key on it.
  if (allowed !== '*') headers.Vary = 'Origin';
  if (allowed === undefined) return headers;
  headers['Access-Control-Allow-Origin'] = allowed;
  headers['Access-Control-Expose-Headers'] = CORS_EXPOSE_HEADERS.join(', ');
  return headers;
}

/** The preflight's headers for a resource; Allow-Origin only for an allowed origin, as the MOCK integration answers. */
export function preflightHeaders(
  origins: readonly string[],
  origin: string | undefined,
  resource: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Methods': corsMethods(resource),
    'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS.join(', '),
    'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
  };
  const allowed = allowedOrigin(origins, origin);
  if (allowed !== '*') headers.Vary = 'Origin';
  if (allowed !== undefined) headers['Access-Control-Allow-Origin'] = allowed;
  return headers;
}

/**
 * The CORS headers of API Gateway's own answers (DEFAULT_4XX, DEFAULT_5XX). A gateway response maps headers
 * from static values or request parameters only, so with several origins it can only echo the request's
 * Origin; with one origin or `*` it sends that value.
 */
export function gatewayCorsHeaders(origins: readonly string[], origin: string | undefined): Record<string, string> {
  if (origins.length === 0) return {};
  const headers: Record<string, string> = { 'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS.join(', ') };
  if (origins[0] !== '*') headers.Vary = 'Origin';
  const value = origins.length === 1 ? origins[0] : origin;
  if (value !== undefined) headers['Access-Control-Allow-Origin'] = value;
  return headers;
}
