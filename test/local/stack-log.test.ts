// Reading the local stack's log for `logs --local`: time order across writers, and --filter by whole words.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStackLog, termMatcher, type StackLogLine } from '../../src/local/stack-log.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'products-cli-stack-log-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const request = (second: number, status: number, requestId: string) =>
  JSON.stringify({
    timestamp: at(second),
    level: 'INFO',
    message: 'request',
    requestId,
    method: 'GET',
    path: '/product/a',
    status,
    durationMs: 3.2,
  });

async function read(lines: string[], filter?: string): Promise<StackLogLine[]> {
  const path = join(dir, `stack-${Math.random().toString(36).slice(2)}.log`);
  await writeFile(path, `${lines.join('\n')}\n`);
  const seen: StackLogLine[] = [];
  const count = await readStackLog(
    path,
    { since: 0, signal: new AbortController().signal, ...(filter ? { filter } : {}) },
    (line) => seen.push(line),
  );
  expect(count).toBe(seen.length);
  return seen;
}

describe('the stack log', () => {
  it('comes out in time order though a writer logged a line after later ones, equal times in the order written', async () => {
    const lines = [
      JSON.stringify({ time: at(2), type: 'platform.initReport' }),
      JSON.stringify({ timestamp: at(1), level: 'INFO', message: 'listening' }),
      'a plain line, timed by the line before it',
      request(3, 200, 'r-1'),
      request(3, 201, 'r-2'),
    ];

    const seen = await read(lines);

    expect(seen.map((line) => line.timestamp)).toEqual([1, 1, 2, 3, 3].map((second) => Date.parse(at(second))));
    expect(seen.map((line) => line.message)).toEqual([lines[1], lines[2], lines[0], lines[3], lines[4]]);
  });

  it('--filter 412 finds that status, not a request id or a longer number holding the digits', async () => {
    const lines = [
      request(1, 412, 'b1c2-0000'),
      request(2, 200, '0412aa-99'),
      request(3, 200, 'x-4120'),
      request(4, 404, '412x'),
    ];

    const seen = await read(lines, '412');

    expect(seen.map((line) => line.data?.status)).toEqual([412]);
  });

  it('--filter with several words wants each of them; a quoted phrase is one', () => {
    expect(termMatcher('GET 404')(request(1, 404, 'r'))).toBe(true);
    expect(termMatcher('GET 404')(request(1, 200, 'r'))).toBe(false);
    expect(termMatcher('"cold start"')('a cold start took 80 ms')).toBe(true);
    expect(termMatcher('"cold start"')('cold, then start')).toBe(false);
    expect(termMatcher('/product/a')(request(1, 200, 'r'))).toBe(true);
  });
});

describe('following', () => {
  it('says once when the lines already written are read, before waiting for more', async () => {
    const path = join(dir, 'follow.log');
    await writeFile(path, `${request(1, 200, 'r1')}\n`);
    const abort = new AbortController();
    const caughtUp: number[] = [];

    const reading = readStackLog(
      path,
      { since: 0, follow: true, pollMs: 20, signal: abort.signal, onCaughtUp: (count) => caughtUp.push(count) },
      () => {},
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    abort.abort();
    await reading.catch(() => undefined);

    expect(caughtUp).toEqual([1]);
  });
});
