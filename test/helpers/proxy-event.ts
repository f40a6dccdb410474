/** Typed builders of API Gateway REST proxy events (payload 1.0), shaped as API Gateway sends them. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface EventOptions {
  pathParameters?: Record<string, string>;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: unknown;
  isBase64Encoded?: boolean;
  stage?: string;
}

function fillPath(resource: string, params: Record<string, string> | undefined): string {
  return resource.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
}

/** `proxyEvent('GET', '/product/{id}', { pathParameters: { id: '1' } })`; a non-string body is sent as JSON. */
export function proxyEvent(method: string, resource: string, options: EventOptions = {}): APIGatewayProxyEvent {
  const stage = options.stage ?? 'prod';
  const path = fillPath(resource, options.pathParameters);
  const headers =
    options.body !== undefined && !options.headers ? { 'Content-Type': 'application/json' } : options.headers;
  const multiQuery = options.query
    ? Object.fromEntries(Object.entries(options.query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]))
    : null;
  const body =
    options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return {
    resource,
    path,
    httpMethod: method,
    // API Gateway sends null, not {}, for empty maps.
    headers: headers ?? null,
    multiValueHeaders: headers ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) : null,
    queryStringParameters: multiQuery
      ? Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v[v.length - 1] as string]))
      : null,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'testapi',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: { sourceIp: '127.0.0.1', userAgent: 'vitest' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/${stage}${path}`,
      stage,
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: resource,
    },
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
  } as APIGatewayProxyEvent;
}
