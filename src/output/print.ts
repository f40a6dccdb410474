/** The one place where results become output: JSON for scripts, styled text for people, notes on stderr. */
import type { Context } from '../context.js';
import { printPolicy } from './print-policy.js';
import { styleOf, type Style } from './style.js';

/** Prints a command's result: one JSON document with --json, otherwise what `render` makes of it. */
export async function printResult<T>(ctx: Context, data: T, render: (data: T, style: Style) => string): Promise<void> {
  if (printPolicy(ctx).json) {
    ctx.stdout.write(`${JSON.stringify(data)}\n`);
    return;
  }
  const text = hinted(ctx, render(data, await styleOf(ctx)));
  if (text !== '') ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A progress or status line for people, on stderr so that stdout stays clean for pipes; silent with --json or --quiet. */
export function note(ctx: Context, text: string): void {
  if (printPolicy(ctx).progress) ctx.stderr.write(`${hinted(ctx, text)}\n`);
}

/** Text for people with each command it mentions named as the user started the CLI. */
export function hinted(ctx: Context, text: string): string {
  return ctx.hint ? ctx.hint(text) : text;
}

/**
 * Writes to a stream, waiting while its buffer is full; reports false once the reader has gone (EPIPE, as
 * after `| head`), so that listing stops quietly instead of fetching pages nobody reads.
 */
export function streamWriter(stream: NodeJS.WritableStream): (text: string) => Promise<boolean> {
  let open = true;
  // Kept for the life of the process: a late EPIPE would otherwise be an unhandled 'error' event.
  stream.on('error', () => {
    open = false;
  });
  return async (text) => {
    if (!open) return false;
    if (text !== '' && !stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('error', done);
          resolve();
        };
        stream.once('drain', done);
        stream.once('error', done);
      });
    }
    return open;
  };
}
