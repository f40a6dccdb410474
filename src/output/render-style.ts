/**
 * Output for the data commands without loading chalk when colour is off (pipes, NO_COLOR): `products-cli get`
 * is meant to cost little more than the request itself, and chalk is a few milliseconds of its startup.
 */
import type { Context } from '../context.js';

/** The styles the product renderers use; a ChalkInstance is one. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  yellow(text: string): string;
}

const same = (text: string) => text;

/** Text as is. */
export const plainStyle: Style = { bold: same, dim: same, red: same, green: same, cyan: same, yellow: same };

/** Chalk (from print.ts) when the context has colour, plain text otherwise. */
export async function styleOf(ctx: Context): Promise<Style> {
  if (!ctx.color) return plainStyle;
  const { styleFor } = await import('./print.js');
  return styleFor(ctx);
}

/** printResult's twin for the data commands: JSON with --json, otherwise what `render` makes of the data. */
export async function printData<T>(ctx: Context, data: T, render: (data: T, style: Style) => string): Promise<void> {
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(data)}\n`);
    return;
  }
  const text = render(data, await styleOf(ctx));
  if (text !== '') ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
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
