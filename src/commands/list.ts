/** `list`: every product, or the first --limit, read page by page and handed on as each page arrives. */
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import { wholeNumber } from '../cli/parsers.js';
import { LIST_LIMIT_MAX, LIST_PAGE_MAX_BYTES } from '../contract/index.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { ProductPage } from '../http/api-client.js';
import { interrupted, openProductApi, type TargetOptions } from './open-product-api.js';
import { printProductPages } from '../output/render-list.js';
import { API_KEY_HELP } from './product-input.js';
import { SkippedItems } from '../output/skipped-items.js';

export interface ListOptions extends TargetOptions {
  limit?: number;
  /** Every product even on a terminal, which otherwise shows the first TERMINAL_LIST_LIMIT. */
  all?: boolean;
  pageSize?: number;
  json?: boolean;
}

/** How many products a terminal is shown without --limit or --all: a few screens, not a scroll through thousands. */
export const TERMINAL_LIST_LIMIT = 100;

/** The --limit in force: the one given, or on a terminal (and not --json, not --all) TERMINAL_LIST_LIMIT. */
export function effectiveLimit(opts: ListOptions, ctx: Pick<Context, 'stdout'>): { limit?: number; terminal: boolean } {
  if (opts.all && opts.limit !== undefined)
    throw new UsageError('--all and --limit ask for different things; give one');
  if (opts.limit !== undefined || opts.all || opts.json || !ctx.stdout.isTTY)
    return opts.limit !== undefined ? { limit: opts.limit, terminal: false } : { terminal: false };
  return { limit: TERMINAL_LIST_LIMIT, terminal: true };
}

/** The pages of products; the last says, through `nextCursor`, whether --limit left some out. */
export async function* list(opts: ListOptions, ctx: Context): AsyncGenerator<ProductPage> {
  // One page at a time, one after another: node:http's quicker start beats a pool here (see node-transport.ts).
  const api = await openProductApi(opts, ctx, { transport: 'node' });
  try {
    const { limit } = effectiveLimit(opts, ctx);
    const skipped = new SkippedItems(ctx.stderr);
    for await (const page of api.pages({
      pageSize: Math.min(opts.pageSize ?? LIST_LIMIT_MAX, limit ?? LIST_LIMIT_MAX),
      max: limit,
    })) {
      skipped.note(page.skipped);
      yield page;
    }
    skipped.check('every readable product was listed');
  } catch (error) {
    throw ctx.signal.aborted ? interrupted(error) : error;
  } finally {
    await api.close();
  }
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    {
      flags: '--limit <n>',
      description: `stop after n products (default: all; on a terminal the first ${TERMINAL_LIST_LIMIT})`,
      parse: wholeNumber('--limit', 1, Number.MAX_SAFE_INTEGER, 'a whole number from 1'),
    },
    { flags: '--all', description: 'every product, on a terminal too' },
    {
      flags: '--page-size <n>',
      description: `products per request, 1-${LIST_LIMIT_MAX} (a page also ends at ${LIST_PAGE_MAX_BYTES / 1024 / 1024} MiB of products)`,
      default: String(LIST_LIMIT_MAX),
      parse: wholeNumber('--page-size', 1, LIST_LIMIT_MAX),
    },
    jsonOption('print one JSON product per line (NDJSON)'),
  ],
  help: `Examples:
  $ products-cli list
  $ products-cli list --limit 10
  $ products-cli list --all | less -S
  $ products-cli list --json | jq -r .id

On a terminal, list shows the first ${TERMINAL_LIST_LIMIT} products and says whether more remain; piped, or with
--all or --json, it writes every one. Products come in the table's scan order, which is not meaningful.
A stored item that does not read as a product (written by another tool) is left out with one
"skipped product ID: ..." line on stderr; list then ends with exit 7 after every other product.

${API_KEY_HELP}`,
  run: async (_args: [], opts: ListOptions, ctx) => list(opts, ctx),
  // Each page is written as it arrives; the pages stop being fetched once the reader has gone.
  print: async (pages, ctx, opts) => {
    const { terminal } = effectiveLimit(opts, ctx);
    await printProductPages(
      ctx,
      pages,
      terminal
        ? `the first ${TERMINAL_LIST_LIMIT} are shown; more may remain: --all for every one, or --limit N`
        : undefined,
    );
  },
});
