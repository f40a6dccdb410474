// The flag parsers: typed values in, or a one-line UsageError that names the flag and quotes the value.
import { describe, expect, it } from 'vitest';
import { duration, httpUrl, numberFlag, oneOf, readDuration, wholeNumber } from '../../src/cli/parsers.js';
import { UsageError } from '../../src/errors.js';

describe('wholeNumber', () => {
  const pageSize = wholeNumber('--page-size', 1, 100);

  it.each([
    ['1', 1],
    [' 42 ', 42],
    ['100', 100],
  ])('reads %j as %d', (text, value) => {
    expect(pageSize(text)).toBe(value);
  });

  it.each(['0', '101', '2.5', '-3', 'ten', ''])('refuses %j, naming the flag and the range', (text) => {
    expect(() => pageSize(text)).toThrow(
      new UsageError(`--page-size must be a whole number from 1 to 100, not "${text}"`),
    );
  });

  it('leaves out the upper bound when there is none', () => {
    expect(() => wholeNumber('--limit', 1, Number.POSITIVE_INFINITY)('0')).toThrow(
      '--limit must be a whole number from 1, not "0"',
    );
  });
});

describe('numberFlag', () => {
  const rate = numberFlag('--rate-limit', 'a number of requests per second above 0', (n) => n > 0);

  it('reads decimals, and checks a number given as one', () => {
    expect(rate('12.5')).toBe(12.5);
    expect(rate(7)).toBe(7);
    expect(() => rate(0)).toThrow('--rate-limit must be a number of requests per second above 0, not "0"');
  });

  it('refuses what is not a plain decimal', () => {
    expect(() => rate('1e3')).toThrow(UsageError);
    expect(() => rate('0x10')).toThrow(UsageError);
  });
});

describe('oneOf', () => {
  it('takes one of the values, ignoring case only when asked', () => {
    const format = oneOf('--format', ['json', 'csv'] as const, { ignoreCase: true });
    expect(format('CSV')).toBe('csv');
    expect(() => oneOf('--reporter', ['text', 'junit'] as const)('JUnit')).toThrow(
      '--reporter must be one of text, junit, not "JUnit"',
    );
  });

  it('says the rule given instead of the list', () => {
    expect(() => oneOf('--arch', ['arm64', 'x86_64'] as const, { rule: 'arm64 or x86_64' })('ppc')).toThrow(
      '--arch must be arm64 or x86_64, not "ppc"',
    );
  });
});

describe('duration', () => {
  const run = duration('--duration', 600_000, 'a time such as 10s, 500ms or 2m, up to 10m');

  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['3', 3_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(run(text)).toBe(ms);
  });

  it.each(['0s', '11m', 'forever', '-1s'])('refuses %j', (text) => {
    expect(() => run(text)).toThrow(`--duration must be a time such as 10s, 500ms or 2m, up to 10m, not "${text}"`);
  });
});

describe('readDuration', () => {
  it.each([
    ['500ms', 500],
    ['2.5s', 2_500],
    [' 10 m ', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['30', 30_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(readDuration(text)).toBe(ms);
  });

  it('reads no duration from a bare number when no unit is implied, nor from what is not one', () => {
    expect(readDuration('30', null)).toBeUndefined();
    expect(readDuration('-1s')).toBeUndefined();
    expect(readDuration('1w')).toBeUndefined();
  });
});

describe('httpUrl', () => {
  const endpoint = httpUrl('--dynamodb-endpoint', 'http://127.0.0.1:8000');

  it('returns an http(s) URL without its trailing slash', () => {
    expect(endpoint('http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000');
  });

  it.each([
    ['not a url', '--dynamodb-endpoint must be a URL such as http://127.0.0.1:8000, not "not a url"'],
    ['ftp://host', '--dynamodb-endpoint must be an http:// or https:// URL, not "ftp://host"'],
  ])('refuses %j', (text, message) => {
    expect(() => endpoint(text)).toThrow(message);
  });
});
