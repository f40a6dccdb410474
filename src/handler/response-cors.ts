/** The function's part of CORS: the allowed origins' headers on every response it builds, errors included. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { responseCorsHeaders } from '../contract/cors.js';

/** The request's Origin header, whatever its case (REST proxy events keep the client's spelling). */
function originOf(event: APIGatewayProxyEvent): string | undefined {
  const headers = event.headers ?? {};
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'origin') return headers[name] ?? undefined;
  return undefined;
}

/** Adds Access-Control-Allow-Origin (for an allowed origin), Vary and Expose-Headers; nothing without origins. */
export function withCors(
  response: APIGatewayProxyResult,
  event: APIGatewayProxyEvent,
  origins: readonly string[],
): APIGatewayProxyResult {
  if (origins.length === 0) return response;
  const cors = responseCorsHeaders(origins, originOf(event));
  return { ...response, headers: { ...response.headers, ...cors } };
}
