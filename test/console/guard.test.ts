import { describe, expect, it } from 'vitest';
import { checkSource, readCookie, sameSecret, tokenCookie } from '../../src/console/guard.js';

const request = (method: string, headers: Record<string, string>) => ({ method, headers });

describe('the console guard', () => {
  it.each([
    ['GET', { host: '127.0.0.1:4300' }],
    ['GET', { host: 'localhost:4300', origin: 'http://localhost:4300' }],
    ['PATCH', { host: '127.0.0.1:4300', origin: 'http://127.0.0.1:4300' }],
  ])('lets %s from the console itself through (%o)', (method, headers) => {
    expect(checkSource(request(method, headers), 4300)).toEqual({ ok: true });
  });

  it.each([
    ['GET', { host: 'evil.example:4300' }, 421],
    ['GET', { host: '127.0.0.1:4301' }, 421],
    ['GET', {}, 421],
    ['GET', { host: '127.0.0.1:4300', origin: 'http://127.0.0.1:8080' }, 403],
    ['GET', { host: '127.0.0.1:4300', origin: 'null' }, 403],
    ['DELETE', { host: '127.0.0.1:4300' }, 403],
  ])('refuses %s with %o', (method, headers, status) => {
    expect(checkSource(request(method, headers), 4300)).toMatchObject({ ok: false, status });
  });

  it('keeps the token in an HttpOnly, SameSite=Strict cookie named after the port, and compares it exactly', () => {
    const cookie = tokenCookie(4300, 'abc');
    expect(cookie).toBe('products_console_4300=abc; HttpOnly; SameSite=Strict; Path=/');
    expect(readCookie('other=1; products_console_4300=abc', 'products_console_4300')).toBe('abc');
    expect(readCookie('products_console_4301=abc', 'products_console_4300')).toBeUndefined();
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abd', 'abc')).toBe(false);
    expect(sameSecret('ab', 'abc')).toBe(false);
    expect(sameSecret(undefined, 'abc')).toBe(false);
  });
});
