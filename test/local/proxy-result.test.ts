import { describe, expect, it } from 'vitest';
import { gatewayResponse, mergeHeaders, toHttpResponse } from '../../src/local/proxy-result.js';

function headerValues(headers: Array<[string, string]>, name: string): string[] {
  return headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);
}

describe('toHttpResponse', () => {
  it('passes status, headers and a text body through', () => {
    const checked = toHttpResponse({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', ETag: '"1"' },
      body: '{"id":"1"}',
    });

    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.response.statusCode).toBe(201);
    expect(headerValues(checked.response.headers, 'etag')).toEqual(['"1"']);
    expect(checked.response.body.toString('utf8')).toBe('{"id":"1"}');
  });

  it('decodes a base64 body', () => {
    const checked = toHttpResponse({
      statusCode: 200,
      headers: { 'Content-Type': 'image/png' },
      body: Buffer.from([1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    });

    expect(checked.ok && [...checked.response.body]).toEqual([1, 2, 255]);
  });

  it('answers application/json when the function names no content type, and an empty body when it sends none', () => {
    const checked = toHttpResponse({ statusCode: 204 });

    expect(checked.ok && headerValues(checked.response.headers, 'content-type')).toEqual(['application/json']);
    expect(checked.ok && checked.response.body.length).toBe(0);
  });

  it.each([
    ['null', null],
    ['a string', 'ok'],
    ['an array', [200]],
    ['no statusCode', { body: 'x' }],
    ['a string statusCode', { statusCode: '200', body: 'x' }],
    ['a fractional statusCode', { statusCode: 200.5 }],
    ['a statusCode out of range', { statusCode: 700 }],
    ['an object body', { statusCode: 200, body: { id: 1 } }],
    ['a numeric body', { statusCode: 200, body: 7 }],
    ['headers as an array', { statusCode: 200, headers: ['a'] }],
    ['a header holding an object', { statusCode: 200, headers: { a: { b: 1 } } }],
    ['multiValueHeaders not arrays', { statusCode: 200, multiValueHeaders: { a: 'b' } }],
    ['isBase64Encoded a string', { statusCode: 200, body: '', isBase64Encoded: 'yes' }],
    ['an unknown key', { statusCode: 200, body: '', cookies: [] }],
  ])('rejects %s as malformed', (_name, result) => {
    const checked = toHttpResponse(result);

    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toEqual(expect.any(String));
  });
});

describe('mergeHeaders', () => {
  it('keeps only the multi-value list for a name given in both, and every value of a repeated header', () => {
    const merged = mergeHeaders({ 'X-A': 'single', 'X-B': 'b' }, { 'x-a': ['m1', 'm2'], 'Set-Cookie': ['a=1', 'b=2'] });

    expect(merged).toEqual([
      ['x-a', 'm1'],
      ['x-a', 'm2'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['X-B', 'b'],
    ]);
  });
});

describe('gatewayResponse', () => {
  it.each([
    ['missingAuthenticationToken', 403, '{"message":"Missing Authentication Token"}'],
    ['internalServerError', 502, '{"message": "Internal server error"}'],
    ['endpointTimeout', 504, '{"message": "Endpoint request timed out"}'],
    ['tooManyRequests', 429, '{"message":"Too Many Requests"}'],
  ] as const)('%s is %i %s', (kind, status, body) => {
    const response = gatewayResponse(kind);

    expect(response.statusCode).toBe(status);
    expect(response.body.toString()).toBe(body);
    expect(headerValues(response.headers, 'content-type')).toEqual(['application/json']);
  });
});
