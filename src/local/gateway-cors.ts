/**
 * The local gateway's part of CORS, as the deployed API answers: the OPTIONS method's MOCK integration for
 * preflights, and the DEFAULT_4XX / DEFAULT_5XX gateway responses' headers on the gateway's own answers.
 */
import { gatewayCorsHeaders, preflightHeaders } from '../contract/cors.js';
import type { HttpResponse } from './proxy-result.js';

/** The request's Origin header from Node's rawHeaders. */
export function requestOrigin(rawHeaders: readonly string[]): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    if ((rawHeaders[i] as string).toLowerCase() === 'origin') return rawHeaders[i + 1];
  return undefined;
}

/** The MOCK integration's answer to a preflight: 200, an empty JSON body, the CORS headers. */
export function preflightResponse(
  origins: readonly string[],
  origin: string | undefined,
  resource: string,
): HttpResponse {
  const headers: Array<[string, string]> = [
    ['Content-Type', 'application/json'],
    ...Object.entries(preflightHeaders(origins, origin, resource)),
  ];
  return { statusCode: 200, headers, body: Buffer.alloc(0) };
}

/** One of the gateway's own answers with the gateway responses' CORS headers added. */
export function withGatewayCors(
  response: HttpResponse,
  origins: readonly string[],
  origin: string | undefined,
): HttpResponse {
  const extra = Object.entries(gatewayCorsHeaders(origins, origin));
  return extra.length === 0 ? response : { ...response, headers: [...response.headers, ...extra] };
}
