/** `list`: every product, or the first --limit, read page by page and handed on as each page arrives. */
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import { wholeNumber } from '../cli/parsers.js';
import { LIST_LIMIT_MAX } from '../contract/index.js';
import type { Context } from '../context.js';
import type { ProductPage } from '../http/api-client.js';
import { interrupted, openProductApi, type TargetOptions } from './open-product-api.js';
import { printProductPages } from '../output/render-list.js';
import { API_KEY_HELP } from './product-input.js';

export interface ListOptions extends TargetOptions {
  limit?: number;
  pageSize?: number;
  json?: boolean;
}

/** The pages of products; the last says, through `nextCursor`, whether --limit left some out. */
export async function* list(opts: ListOptions, ctx: Context): AsyncGenerator<ProductPage> {
  // One page at a time, one after another: node:http's quicker start beats a pool here (see node-transport.ts).
  const api = await openProductApi(opts, ctx, { transport: 'node' });
  try {
    yield* api.pages({ pageSize: opts.pageSize ?? LIST_LIMIT_MAX, max: opts.limit });
  } catch (error) {
    throw ctx.signal.aborted ? interrupted(error) : error;
  } finally {
    await api.close();
  }
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    { flags: '--limit <n>', description: 'stop after n products (default: all)', parse: wholeNumber('--limit', 1, Number.MAX_SAFE_INTEGER, 'a whole number from 1') },
    { flags: '--page-size <n>', description: 'products per request, 1-100', default: String(LIST_LIMIT_MAX), parse: wholeNumber('--page-size', 1, LIST_LIMIT_MAX) },
    jsonOption('print one JSON product per line (NDJSON)'),
  ],
  help: `Examples:
  $ products-cli list
  $ products-cli list --limit 10
  $ products-cli list --json | jq -r .id

${API_KEY_HELP}`,
  run: async (_args: [], opts: ListOptions, ctx) => list(opts, ctx),
  // Each page is written as it arrives; the pages stop being fetched once the reader has gone.
  print: async (pages, ctx) => void (await printProductPages(ctx, pages)),
});
