import { describe, expect, it } from 'vitest';
import { matchResource, ROUTES } from '../../src/contract/routes.js';
import {
  formatRequestTime,
  isBinaryBody,
  rawPathParameters,
  toHeaderMaps,
  toProxyEvent,
  toQueryMaps,
  type GatewayRequest,
} from '../../src/local/proxy-event.js';

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'GET',
    path: '/product',
    query: '',
    rawHeaders: ['Host', '127.0.0.1:3000', 'User-Agent', 'curl/8.5.0'],
    body: new Uint8Array(),
    stage: 'prod',
    sourceIp: '127.0.0.1',
    requestId: '3f1c9a52-7d7e-4c0a-9a7b-2c1c0b0f9e11',
    requestTimeEpoch: Date.UTC(2026, 3, 9, 12, 34, 56),
    protocol: 'HTTP/1.1',
    ...overrides,
  };
}

function eventFor(overrides: Partial<GatewayRequest>) {
  const r = request(overrides);
  const match = matchResource(r.path, ROUTES);
  if (!match) throw new Error(`no route for ${r.path}`);
  return toProxyEvent(r, { resource: match.resource, pathParameters: rawPathParameters(match.resource, r.path) });
}

describe('toProxyEvent', () => {
  it.each([
    ['GET', '/product', '/product', null],
    ['POST', '/product', '/product', null],
    ['GET', '/product/1', '/product/{id}', { id: '1' }],
    ['PATCH', '/product/abc', '/product/{id}', { id: 'abc' }],
    ['DELETE', '/product/x-9', '/product/{id}', { id: 'x-9' }],
  ])('%s %s names resource %s and its path parameters', (method, path, resource, pathParameters) => {
    const event = eventFor({ method, path });

    expect(event.resource).toBe(resource);
    expect(event.path).toBe(path);
    expect(event.httpMethod).toBe(method);
    expect(event.pathParameters).toEqual(pathParameters);
    expect(event.requestContext.resourcePath).toBe(resource);
    expect(event.requestContext.httpMethod).toBe(method);
    expect(event.requestContext.path).toBe(`/prod${path}`);
  });

  it('fills requestContext as API Gateway does', () => {
    const event = eventFor({ stage: 'dev', sourceIp: '10.0.0.7' });

    expect(event.requestContext).toMatchObject({
      stage: 'dev',
      path: '/dev/product',
      requestId: '3f1c9a52-7d7e-4c0a-9a7b-2c1c0b0f9e11',
      requestTimeEpoch: Date.UTC(2026, 3, 9, 12, 34, 56),
      requestTime: '09/Apr/2026:12:34:56 +0000',
      protocol: 'HTTP/1.1',
      domainName: '127.0.0.1',
      identity: { sourceIp: '10.0.0.7', userAgent: 'curl/8.5.0' },
    });
    expect(event.requestContext.accountId).toMatch(/^\d{12}$/);
    expect(event.requestContext.apiId).toEqual(expect.any(String));
    expect(event.requestContext.resourceId).toMatch(/^[0-9a-z]{6}$/);
    expect(event.stageVariables).toBeNull();
  });

  it('sends null, not {}, for empty maps and a missing body', () => {
    const event = eventFor({ rawHeaders: [] });

    expect(event.headers).toBeNull();
    expect(event.multiValueHeaders).toBeNull();
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.identity.userAgent).toBeNull();
  });

  it('keeps path parameters percent-encoded, as a REST API passes them', () => {
    const event = eventFor({ path: '/product/sku%3A1' });

    expect(event.pathParameters).toEqual({ id: 'sku%3A1' });
    expect(event.path).toBe('/product/sku%3A1');
  });

  it('passes a JSON body as a string and a binary body as base64', () => {
    const json = eventFor({
      method: 'POST',
      rawHeaders: ['Content-Type', 'application/json'],
      body: Buffer.from('{"title":"é"}'),
    });
    const bytes = Uint8Array.from([0, 255, 1, 254]);
    const binary = eventFor({ method: 'POST', rawHeaders: ['Content-Type', 'application/octet-stream'], body: bytes });

    expect(json.body).toBe('{"title":"é"}');
    expect(json.isBase64Encoded).toBe(false);
    expect(binary.body).toBe(Buffer.from(bytes).toString('base64'));
    expect(binary.isBase64Encoded).toBe(true);
  });

  it('adds the X-Forwarded headers when the gateway port is known', () => {
    const event = eventFor({ rawHeaders: ['X-Forwarded-For', '192.0.2.1'], localPort: 3000, sourceIp: '127.0.0.1' });

    expect(event.headers).toEqual({
      'X-Forwarded-For': '192.0.2.1, 127.0.0.1',
      'X-Forwarded-Port': '3000',
      'X-Forwarded-Proto': 'http',
    });
  });
});

describe('toHeaderMaps', () => {
  it('keeps the client casing, the last value in headers and all of them in multiValueHeaders', () => {
    const maps = toHeaderMaps(['Accept', 'text/html', 'X-Tag', 'a', 'x-tag', 'b', 'Content-Type', 'application/json']);

    expect(maps.headers).toEqual({ Accept: 'text/html', 'X-Tag': 'b', 'Content-Type': 'application/json' });
    expect(maps.multiValueHeaders).toEqual({
      Accept: ['text/html'],
      'X-Tag': ['a', 'b'],
      'Content-Type': ['application/json'],
    });
  });
});

describe('toQueryMaps', () => {
  it.each([
    ['limit=10', { limit: '10' }, { limit: ['10'] }],
    ['a=1&a=2&b=x%20y', { a: '2', b: 'x y' }, { a: ['1', '2'], b: ['x y'] }],
    ['flag&empty=', { flag: '', empty: '' }, { flag: [''], empty: [''] }],
    ['bad=%E0%A4%A', { bad: '%E0%A4%A' }, { bad: ['%E0%A4%A'] }],
  ])('%s', (query, single, multi) => {
    expect(toQueryMaps(query)).toEqual({ queryStringParameters: single, multiValueQueryStringParameters: multi });
  });

  it('gives null maps for an empty query', () => {
    expect(toQueryMaps('')).toEqual({ queryStringParameters: null, multiValueQueryStringParameters: null });
  });
});

describe('isBinaryBody', () => {
  it.each([
    ['application/json', false],
    ['application/json; charset=utf-8', false],
    ['application/merge-patch+json', false],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
    ['application/octet-stream', true],
    ['image/png', true],
  ])('%s → %s', (contentType, binary) => {
    expect(isBinaryBody(contentType, Buffer.from('x'))).toBe(binary);
  });

  it('decides by the bytes when there is no Content-Type', () => {
    expect(isBinaryBody(undefined, Buffer.from('{"a":1}'))).toBe(false);
    expect(isBinaryBody(undefined, Uint8Array.from([0xff, 0xfe, 0x00]))).toBe(true);
  });
});

describe('formatRequestTime', () => {
  it('pads day, hours, minutes and seconds', () => {
    expect(formatRequestTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('02/Jan/2026:03:04:05 +0000');
  });
});
