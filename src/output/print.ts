/** The one place where results become output: JSON for scripts, styled text for people. */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Context } from '../context.js';

/** A chalk whose colour follows the context (NO_COLOR, non-TTY). */
export function styleFor(ctx: Context): ChalkInstance {
  return new Chalk({ level: ctx.color ? 1 : 0 });
}

/** Prints a command's result: as one JSON document with --json, otherwise as `human` renders it. */
export function printResult<T>(ctx: Context, data: T, human: (data: T, style: ChalkInstance) => string): void {
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(data)}\n`);
    return;
  }
  const text = human(data, styleFor(ctx));
  if (text !== '') ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A progress or status line for people, on stderr so that stdout stays clean for pipes; silent with --json. */
export function note(ctx: Context, text: string): void {
  if (!ctx.json) ctx.stderr.write(`${text}\n`);
}
