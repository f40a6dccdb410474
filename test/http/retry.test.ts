import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  isNotSent,
  isRetryableNetworkError,
  networkCode,
  parseRetryAfter,
} from '../../src/http/retry.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00.000Z');

  it.each([
    ['2', 2000],
    ['0', 0],
    [' 1.5 ', 1500],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    [['3', '9'], 3000],
  ])('reads %j as %i ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([undefined, '', 'soon', '-1'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles the ceiling per retry up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, options, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('draws the wait between zero and the ceiling', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.25)).toBe(100);
  });
});

describe('network failures', () => {
  const socketError = (cause?: unknown) =>
    Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', cause });

  it('reads the code through causes, preferring the socket error under undici', () => {
    expect(networkCode(socketError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })))).toBe('ECONNRESET');
    expect(networkCode(socketError())).toBe('UND_ERR_SOCKET');
    expect(networkCode(new Error('plain'))).toBeUndefined();
  });

  it('tells failures before sending from those after', () => {
    expect(isNotSent(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isNotSent(socketError())).toBe(false);
  });

  it('does not retry a request the client got wrong', () => {
    expect(isRetryableNetworkError(Object.assign(new Error('bad'), { code: 'UND_ERR_INVALID_ARG' }))).toBe(false);
    expect(isRetryableNetworkError(socketError())).toBe(true);
  });
});
