/** `list`: every product, or the first --limit, read page by page and handed on as each page arrives. */
import { LIST_LIMIT_MAX } from '../contract/index.js';
import type { Context } from '../context.js';
import type { ProductPage } from '../http/api-client.js';
import { interrupted, openApi, type TargetOptions } from '../http/open-api.js';
import { UsageError } from '../errors.js';

export interface ListOptions extends TargetOptions {
  limit?: string;
  pageSize?: string;
  json?: boolean;
}

function wholeNumber(text: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^\s*\d{1,15}\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= max)) throw new UsageError(`${flag} must be a whole number from 1${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not "${text}"`);
  return value;
}

/** The pages of products; the last says, through `nextCursor`, whether --limit left some out. */
export async function* list(opts: ListOptions, ctx: Context): AsyncGenerator<ProductPage> {
  const max = opts.limit === undefined ? undefined : wholeNumber(opts.limit, '--limit');
  const pageSize = opts.pageSize === undefined ? LIST_LIMIT_MAX : wholeNumber(opts.pageSize, '--page-size', LIST_LIMIT_MAX);
  // One page at a time, one after another: node:http's quicker start beats a pool here (see node-transport.ts).
  const api = await openApi(opts, ctx, { transport: 'node' });
  try {
    yield* api.pages({ pageSize, max });
  } catch (error) {
    throw ctx.signal.aborted ? interrupted(error) : error;
  } finally {
    await api.close();
  }
}
