import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { AppError, EXIT } from '../../src/errors.js';
import { confirmOrCancel } from '../../src/output/confirm.js';

/** A terminal: stdin and stderr are TTYs; `onPrompt` acts once the question is on screen. */
function terminal(onPrompt: (stdin: PassThrough, abort: AbortController) => void): {
  ctx: Context;
  screen: () => string;
} {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  const abort = new AbortController();
  let screen = '';
  stderr.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (screen.includes('[y/N]')) setImmediate(() => onPrompt(stdin, abort));
  });
  const ctx: Context = {
    stdin,
    stdout: new PassThrough(),
    stderr,
    env: {},
    cwd: '.',
    json: false,
    color: false,
    signal: abort.signal,
  };
  return { ctx, screen: () => screen };
}

describe('confirmOrCancel at a terminal', () => {
  it.each([
    ['Ctrl-C', (stdin: PassThrough) => stdin.write('\x03')],
    ['Ctrl-D', (stdin: PassThrough) => stdin.end()],
    ['the command being stopped', (_stdin: PassThrough, abort: AbortController) => abort.abort()],
  ])('is "cancelled", exit 130, on a line of its own, after %s', async (_name, act) => {
    const { ctx, screen } = terminal(act);

    const error = await confirmOrCancel(ctx, 'Delete everything?', 'needs --yes').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).exitCode).toBe(EXIT.interrupted);
    expect((error as Error).message).toBe('cancelled; nothing was changed');
    expect(screen().endsWith('\n')).toBe(true);
  });

  it('goes ahead on y', async () => {
    const { ctx } = terminal((stdin) => stdin.write('y\r'));
    await expect(confirmOrCancel(ctx, 'Delete everything?', 'needs --yes')).resolves.toBeUndefined();
  });
});
