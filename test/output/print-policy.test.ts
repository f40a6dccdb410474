import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printPolicy, type PrintPolicy } from '../../src/output/print-policy.js';

const stderr = (tty: boolean) => Object.assign(new PassThrough(), { isTTY: tty });

describe('printPolicy', () => {
  it.each<[string, { json: boolean; quiet?: boolean; tty: boolean }, PrintPolicy]>([
    [
      'a pipe',
      { json: false, tty: false },
      { json: false, human: true, progress: true, liveProgress: false, notices: true },
    ],
    [
      'a terminal',
      { json: false, tty: true },
      { json: false, human: true, progress: true, liveProgress: true, notices: true },
    ],
    [
      '--quiet on a pipe',
      { json: false, quiet: true, tty: false },
      { json: false, human: true, progress: false, liveProgress: false, notices: true },
    ],
    [
      '--quiet on a terminal',
      { json: false, quiet: true, tty: true },
      { json: false, human: true, progress: false, liveProgress: false, notices: true },
    ],
    [
      '--json on a pipe',
      { json: true, tty: false },
      { json: true, human: false, progress: false, liveProgress: false, notices: false },
    ],
    [
      '--json on a terminal',
      { json: true, tty: true },
      { json: true, human: false, progress: false, liveProgress: false, notices: false },
    ],
    [
      '--json --quiet on a terminal',
      { json: true, quiet: true, tty: true },
      { json: true, human: false, progress: false, liveProgress: false, notices: false },
    ],
  ])('on %s', (_name, { json, quiet, tty }, expected) => {
    expect(printPolicy({ json, quiet, stderr: stderr(tty) })).toEqual(expected);
  });
});
