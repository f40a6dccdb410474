/**
 * The styles renderers use, without loading chalk when colour is off (pipes, NO_COLOR): `products-cli get` is
 * meant to cost little more than the request itself, and chalk is a few milliseconds of its startup.
 */
import type { Context } from '../context.js';

/** The styles every renderer uses; a ChalkInstance is one. */
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

/** Chalk (from chalk-style.ts) when the context has colour, plain text otherwise. */
export async function styleOf(ctx: Context): Promise<Style> {
  if (!ctx.color) return plainStyle;
  const { styleFor } = await import('./chalk-style.js');
  return styleFor(ctx);
}
