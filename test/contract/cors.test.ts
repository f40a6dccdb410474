import { describe, expect, it } from 'vitest';
import {
  gatewayCorsHeaders,
  normalizeCorsOrigins,
  preflightHeaders,
  responseCorsHeaders,
} from '../../src/contract/cors.js';
import { withCors } from '../../src/handler/response-cors.js';
import { proxyEvent } from '../helpers/proxy-event.js';

describe('CORS headers', () => {
  const origins = ['https://a.example', 'http://localhost:5173'];

  it('echoes an allowed origin with Vary and Expose-Headers, and gives others only Vary', () => {
    expect(responseCorsHeaders(origins, 'http://localhost:5173')).toEqual({
      'Access-Control-Allow-Origin': 'http://localhost:5173',
      Vary: 'Origin',
      'Access-Control-Expose-Headers': 'ETag, Location',
    });
    expect(responseCorsHeaders(origins, 'https://b.example')).toEqual({ Vary: 'Origin' });
    expect(responseCorsHeaders(['*'], 'https://b.example')).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag, Location',
    });
    expect(responseCorsHeaders([], 'https://a.example')).toEqual({});
  });

  it("answers a preflight with the resource's methods", () => {
    expect(preflightHeaders(['*'], undefined, '/product')).toMatchObject({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    });
  });

  it("gives gateway responses the one origin, or the request's among several (all a gateway response can map)", () => {
    expect(gatewayCorsHeaders(['https://a.example'], 'https://b.example')['Access-Control-Allow-Origin']).toBe(
      'https://a.example',
    );
    expect(gatewayCorsHeaders(origins, 'https://b.example')['Access-Control-Allow-Origin']).toBe('https://b.example');
  });

  it.each([
    [['https://a.example/'], /origin alone/],
    [['ftp://a.example'], /http:\/\/ or https:\/\//],
    [['*', 'https://a.example'], /give it alone/],
    [['a.example'], /must be an origin/],
  ])('refuses %j', (values, rule) => {
    expect(() => normalizeCorsOrigins(values)).toThrow(rule);
  });
});

describe("the function's CORS headers", () => {
  it('adds them to any response, errors included, from the Origin header whatever its case', () => {
    const event = { ...proxyEvent('GET', '/product/{id}'), headers: { origin: 'https://a.example' } };

    const result = withCors(
      { statusCode: 404, headers: { 'Content-Type': 'application/problem+json' }, body: '{}' },
      event as never,
      ['https://a.example'],
    );

    expect(result.headers).toEqual({
      'Content-Type': 'application/problem+json',
      'Access-Control-Allow-Origin': 'https://a.example',
      Vary: 'Origin',
      'Access-Control-Expose-Headers': 'ETag, Location',
    });
  });
});
