/** Chalk, for the renderers that must style at once (progress lines); the others use styleOf from style.ts. */
import { Chalk } from 'chalk';
import type { Context } from '../context.js';
import type { Style } from './style.js';

/** A chalk whose colour follows the context (NO_COLOR, non-TTY). */
export function styleFor(ctx: Context): Style {
  return new Chalk({ level: ctx.color ? 1 : 0 });
}
