/** An HTTP request as API Gateway hands it to a Lambda proxy integration: the REST payload format 1.0. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** What the gateway knows about one request once it has matched a resource. */
export interface GatewayRequest {
  method: string;
  /** The path after the stage, as the client sent it (still percent-encoded), e.g. `/product/a%20b`. */
  path: string;
  /** The query string without `?`; '' when there is none. */
  query: string;
  /** Header names and values in the order received, alternating, as Node's `rawHeaders`. */
  rawHeaders: readonly string[];
  body: Uint8Array;
  stage: string;
  sourceIp: string;
  requestId: string;
  requestTimeEpoch: number;
  /** `HTTP/1.1`. */
  protocol: string;
  /** The gateway's own port: when given, the X-Forwarded-* headers that API Gateway adds are added too. */
  localPort?: number;
}

export interface ResourceMatch {
  resource: string;
  pathParameters: Record<string, string> | null;
}

/** The identity the local API reports in `requestContext`, standing in for an account and API id. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_API_ID = 'local';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.requestTime` in API Gateway's CLF format, e.g. `09/Apr/2015:12:34:56 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/**
 * A map for names a client chose: no prototype, so `__proto__`, `constructor` or `toString` are keys like any
 * other rather than inherited members (the event reaches the function through a structured clone or JSON,
 * which turns it into a plain object holding the same own keys).
 */
export function dataMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Header maps from raw headers: the client's casing kept, `headers` holding the last value of a repeated
 * header and `multiValueHeaders` all of them. API Gateway sends null, not {}, when there are none.
 */
export function toHeaderMaps(rawHeaders: readonly string[]): {
  headers: Record<string, string> | null;
  multiValueHeaders: Record<string, string[]> | null;
} {
  const headers = dataMap<string>();
  const multiValueHeaders = dataMap<string[]>();
  // Names are matched without regard to case; the first casing seen is kept.
  const casing = new Map<string, string>();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const rawName = rawHeaders[index] as string;
    const value = rawHeaders[index + 1] as string;
    const lower = rawName.toLowerCase();
    const name = casing.get(lower) ?? rawName;
    casing.set(lower, name);
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const empty = casing.size === 0;
  return { headers: empty ? null : headers, multiValueHeaders: empty ? null : multiValueHeaders };
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A malformed escape is passed through as sent rather than failing the request.
    return text;
  }
}

/**
 * Query maps from a raw query string: names and values percent-decoded, a repeated name kept in full in
 * `multiValueQueryStringParameters` and by its last value in `queryStringParameters`; null when empty.
 */
export function toQueryMaps(query: string): {
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
} {
  const single = dataMap<string>();
  const multi = dataMap<string[]>();
  let any = false;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1));
    single[name] = value;
    (multi[name] ??= []).push(value);
    any = true;
  }
  return { queryStringParameters: any ? single : null, multiValueQueryStringParameters: any ? multi : null };
}

function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if ((rawHeaders[index] as string).toLowerCase() === name) found = rawHeaders[index + 1];
  }
  return found;
}

const TEXT_MEDIA_TYPE =
  /^(text\/.*|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|x-www-form-urlencoded|javascript|ecmascript))$/;

/**
 * True when a body travels to the function base64-encoded. The local API behaves as a REST API whose
 * `binaryMediaTypes` list every non-text media type: JSON, XML, form and text bodies pass as strings, and so
 * does a body without a Content-Type when it is valid UTF-8; anything else is base64.
 */
export function isBinaryBody(contentType: string | undefined, body: Uint8Array): boolean {
  if (contentType !== undefined) {
    const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    return !TEXT_MEDIA_TYPE.test(mediaType);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return false;
  } catch {
    return true;
  }
}

/** Builds the REST proxy event (payload 1.0) for a request that matched `match`. */
export function toProxyEvent(request: GatewayRequest, match: ResourceMatch): APIGatewayProxyEvent {
  const rawHeaders = request.localPort === undefined ? request.rawHeaders : withForwardedHeaders(request);
  const { headers, multiValueHeaders } = toHeaderMaps(rawHeaders);
  const { queryStringParameters, multiValueQueryStringParameters } = toQueryMaps(request.query);
  const binary = request.body.length > 0 && isBinaryBody(headerValue(rawHeaders, 'content-type'), request.body);
  const body = request.body.length === 0 ? null : Buffer.from(request.body).toString(binary ? 'base64' : 'utf8');
  const host = headerValue(rawHeaders, 'host') ?? 'localhost';
  const domainName = host.replace(/:\d+$/, '');
  return {
    resource: match.resource,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: match.pathParameters,
    stageVariables: null,
    requestContext: {
      resourceId: resourceIdOf(match.resource),
      resourcePath: match.resource,
      httpMethod: request.method,
      extendedRequestId: request.requestId.replace(/-/g, '').slice(0, 16),
      requestTime: formatRequestTime(request.requestTimeEpoch),
      path: `/${request.stage}${request.path}`,
      accountId: LOCAL_ACCOUNT_ID,
      protocol: request.protocol,
      stage: request.stage,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      requestTimeEpoch: request.requestTimeEpoch,
      requestId: request.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: request.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: headerValue(rawHeaders, 'user-agent') ?? null,
        user: null,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
      },
      domainName,
      apiId: LOCAL_API_ID,
      authorizer: null,
    },
    body,
    isBase64Encoded: binary,
  } as unknown as APIGatewayProxyEvent;
}

// API Gateway appends the caller to X-Forwarded-For and sets the port and protocol it was reached on.
function withForwardedHeaders(request: GatewayRequest): string[] {
  const raw: string[] = [];
  let forwardedFor: string | undefined;
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] as string;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor = request.rawHeaders[index + 1];
    else if (lower !== 'x-forwarded-port' && lower !== 'x-forwarded-proto')
      raw.push(name, request.rawHeaders[index + 1] as string);
  }
  raw.push('X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp);
  raw.push('X-Forwarded-Port', String(request.localPort), 'X-Forwarded-Proto', 'http');
  return raw;
}

/**
 * The path parameters of a matched resource, taken from the path as sent: a REST API passes them on still
 * percent-encoded (`/product/sku%3A1` gives `{ id: 'sku%3A1' }`); null when the resource has none.
 */
export function rawPathParameters(resource: string, path: string): Record<string, string> | null {
  const names = resource.split('/').filter((part) => part !== '');
  const segments = path.split('/').filter((part) => part !== '');
  const params = dataMap<string>();
  names.forEach((part, index) => {
    const param = /^\{(\w+)\}$/.exec(part);
    if (param) params[param[1] as string] = segments[index] ?? '';
  });
  return Object.keys(params).length > 0 ? params : null;
}

/** A stable, API Gateway-like resource id (6 lower-case characters) derived from the resource path. */
export function resourceIdOf(resource: string): string {
  let hash = 2166136261;
  for (let index = 0; index < resource.length; index += 1) {
    hash = Math.imul(hash ^ resource.charCodeAt(index), 16777619) >>> 0;
  }
  return hash.toString(36).padStart(6, '0').slice(-6);
}
