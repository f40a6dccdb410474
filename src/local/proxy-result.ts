/** A Lambda proxy result checked and turned into an HTTP response, as API Gateway does for a REST API. */

export interface HttpResponse {
  statusCode: number;
  /** Header names and values; a name may repeat (Set-Cookie). */
  headers: Array<[string, string]>;
  body: Buffer;
}

export type ResultCheck = { ok: true; response: HttpResponse } | { ok: false; reason: string };

const RESULT_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

type Scalar = string | number | boolean;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Validates a function's result (already through JSON, as Lambda returns it) and builds the response.
 * Anything API Gateway would call a "malformed Lambda proxy response" fails with the reason, which the
 * gateway answers with 502. Rules: an object with only the five known keys; an integer `statusCode` from
 * 100 to 599; `body` a string or null; `headers` scalar values; `multiValueHeaders` arrays of scalars;
 * `isBase64Encoded` a boolean.
 */
export function toHttpResponse(result: unknown): ResultCheck {
  if (!isRecord(result))
    return {
      ok: false,
      reason: `the result is ${result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result}, not an object`,
    };
  const unknownKeys = Object.keys(result).filter((key) => !RESULT_KEYS.has(key));
  if (unknownKeys.length > 0) return { ok: false, reason: `the result has unknown keys: ${unknownKeys.join(', ')}` };
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { ok: false, reason: `statusCode must be an integer from 100 to 599, not ${JSON.stringify(statusCode)}` };
  }
  if (body !== undefined && body !== null && typeof body !== 'string')
    return { ok: false, reason: `body must be a string, not ${typeof body}` };
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean')
    return { ok: false, reason: 'isBase64Encoded must be a boolean' };
  if (headers !== undefined && headers !== null && (!isRecord(headers) || !Object.values(headers).every(isScalar))) {
    return { ok: false, reason: 'headers must map names to strings' };
  }
  if (
    multiValueHeaders !== undefined &&
    multiValueHeaders !== null &&
    (!isRecord(multiValueHeaders) ||
      !Object.values(multiValueHeaders).every((values) => Array.isArray(values) && values.every(isScalar)))
  ) {
    return { ok: false, reason: 'multiValueHeaders must map names to arrays of strings' };
  }

  const merged = mergeHeaders(
    (headers ?? undefined) as Record<string, Scalar> | undefined,
    (multiValueHeaders ?? undefined) as Record<string, Scalar[]> | undefined,
  );
  // A REST API answers application/json when the function names no content type.
  if (!merged.some(([name]) => name.toLowerCase() === 'content-type'))
    merged.push(['Content-Type', 'application/json']);
  const text = (body ?? '') as string;
  return {
    ok: true,
    response: {
      statusCode,
      headers: merged,
      body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
    },
  };
}

/**
 * Merges `headers` into `multiValueHeaders` as API Gateway does: a name given in both keeps only the
 * multi-value list.
 */
export function mergeHeaders(
  headers: Record<string, Scalar> | undefined,
  multiValueHeaders: Record<string, Scalar[]> | undefined,
): Array<[string, string]> {
  const merged: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [name, values] of Object.entries(multiValueHeaders ?? {})) {
    seen.add(name.toLowerCase());
    for (const value of values) merged.push([name, String(value)]);
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!seen.has(name.toLowerCase())) merged.push([name, String(value)]);
  }
  return merged;
}

/** The answers API Gateway gives itself, without calling the function. */
export const GATEWAY_RESPONSES = {
  missingAuthenticationToken: {
    statusCode: 403,
    body: '{"message":"Missing Authentication Token"}',
    contentType: 'application/json',
    errorType: 'MissingAuthenticationTokenException',
  },
  // The space after the colon is what API Gateway sends.
  internalServerError: {
    statusCode: 502,
    body: '{"message": "Internal server error"}',
    contentType: 'application/json',
    errorType: 'InternalServerErrorException',
  },
  endpointTimeout: {
    statusCode: 504,
    body: '{"message": "Endpoint request timed out"}',
    contentType: 'application/json',
    errorType: undefined,
  },
  tooManyRequests: {
    statusCode: 429,
    body: '{"message":"Too Many Requests"}',
    contentType: 'application/json',
    errorType: undefined,
  },
  // Observed from a REST API for a body over 10 MB: plain text, not the JSON gateway-response template.
  payloadTooLarge: {
    statusCode: 413,
    body: 'HTTP content length exceeded 10485760 bytes.',
    contentType: 'text/plain',
    errorType: undefined,
  },
  // A body that trickles in past the gateway's deadline. API Gateway documents no answer for this; 408 is
  // what Node's own request timeout answers.
  requestTimeout: {
    statusCode: 408,
    body: '{"message":"Request Timeout"}',
    contentType: 'application/json',
    errorType: undefined,
  },
} as const;

export type GatewayResponseKind = keyof typeof GATEWAY_RESPONSES;

/** API Gateway's payload limit for REST API requests. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** One of API Gateway's own answers as an HTTP response. */
export function gatewayResponse(kind: GatewayResponseKind): HttpResponse {
  const { statusCode, body, contentType, errorType } = GATEWAY_RESPONSES[kind];
  const headers: Array<[string, string]> = [['Content-Type', contentType]];
  if (errorType) headers.push(['x-amzn-ErrorType', errorType]);
  return { statusCode, headers, body: Buffer.from(body, 'utf8') };
}
