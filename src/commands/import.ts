/** `import FILE`: products from a JSON array, NDJSON or CSV file (or stdin), checked, then created at the API's pace. */
import { defineCommand } from '../cli/command.js';
import { CLIENT_FLAGS_HELP, jsonOption, targetOptions } from '../cli/target-options.js';
import { numberFlag, oneOf, wholeNumber } from '../cli/parsers.js';
import type { Context } from '../context.js';
import { AppError, CheckFailedError, EXIT } from '../errors.js';
import { openProductApi, type TargetOptions } from './open-product-api.js';
import { styleOf, type Style } from '../output/style.js';
import { count } from '../output/format.js';
import { importFile, type ImportResult } from './import-file.js';
import { IMPORT_FORMATS, type ImportFormat } from '../transfer/read-rows.js';

export type { ImportResult } from './import-file.js';

export interface ImportOptions extends TargetOptions {
  format?: ImportFormat;
  concurrency?: number;
  rate?: number;
  dryRun?: boolean;
  json?: boolean;
}

export const IMPORT_CONCURRENCY_DEFAULT = 8;
const CONCURRENCY_MAX = 64;

export async function importProducts(file: string, opts: ImportOptions, ctx: Context): Promise<ImportResult> {
  const concurrency = opts.concurrency ?? IMPORT_CONCURRENCY_DEFAULT;
  const style = await styleOf(ctx);
  const options = { file, format: opts.format, concurrency, rate: opts.rate, dryRun: opts.dryRun };
  // A dry run sends nothing, so it needs no API; throttling is paced by the import itself, not retried by the client.
  const api = opts.dryRun
    ? undefined
    : await openProductApi(opts, ctx, { connections: concurrency, retryThrottled: false, onSlow: undefined });
  try {
    return await importFile(api, options, ctx, style);
  } finally {
    await api?.close();
  }
}

/** Ends an import that was interrupted with exit 130, and one that had a failed row with exit 1. */
export function assertImportPassed(result: ImportResult): void {
  if (result.interrupted) {
    throw new AppError(
      `interrupted with ${result.notSent} rows not sent; run the same import again to go on (existing ids are skipped)`,
      EXIT.interrupted,
    );
  }
  if (result.failed === 0) return;
  const what = result.dryRun
    ? 'fix them before importing'
    : 'fix them and run the import again (ids already imported are skipped)';
  throw new CheckFailedError(`${result.failed} of ${result.rows} rows failed; ${what}`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `1000 rows from products.csv (csv) in 1.20 s: 990 created, 5 skipped (id exists), 5 failed`. */
export function renderImportSummary(result: ImportResult, style: Style): string {
  const from = result.file === '-' ? 'stdin' : result.file;
  const failed = result.failed > 0 ? style.red(`${result.failed} failed`) : '0 failed';
  const head = `${count(result.rows, 'row')} from ${from} (${result.format}) in ${seconds(result.durationMs)}`;
  if (result.dryRun) return `${head}: ${style.green(`${result.valid} valid`)}, ${failed}; nothing was sent (--dry-run)`;
  const notSent = result.notSent > 0 ? `, ${style.yellow(`${result.notSent} not sent`)}` : '';
  const lines = [
    `${head}: ${style.green(`${result.created} created`)}, ${result.skipped} skipped (id exists), ${failed}${notSent}`,
  ];
  if (result.alreadyDone > 0)
    lines.push(
      style.dim(
        `${result.alreadyDone} of the skipped rows were done by an earlier run of this import (its checkpoint) and not sent again`,
      ),
    );
  if (result.throttled > 0)
    lines.push(
      style.dim(
        `the API throttled ${count(result.throttled, 'request')} (429); each was sent again at a pace it accepts`,
      ),
    );
  if (result.withoutId > 0)
    lines.push(
      style.yellow(
        `${count(result.withoutId, 'row')} had no id: the API chose one, so importing the file again would create ${result.withoutId === 1 ? 'it' : 'them'} again`,
      ),
    );
  if (result.failuresOmitted > 0)
    lines.push(style.dim(`(${result.failuresOmitted} more failures not listed in --json output)`));
  return lines.join('\n');
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    {
      flags: '--format <format>',
      description: 'json, ndjson or csv (default: from the file name, else from its first character)',
      parse: oneOf('--format', IMPORT_FORMATS, { ignoreCase: true }),
    },
    {
      flags: '--concurrency <n>',
      description: 'most requests in flight at once, 1-64 (fewer while the API throttles)',
      default: String(IMPORT_CONCURRENCY_DEFAULT),
      parse: wholeNumber('--concurrency', 1, CONCURRENCY_MAX),
    },
    {
      flags: '--rate <r>',
      description: 'send at most r requests per second (default: as fast as the API accepts)',
      parse: numberFlag('--rate', 'a number of requests per second above 0', (n) => n > 0),
    },
    {
      flags: '--dry-run',
      description: 'check every row against the API contract and report each bad one; send nothing',
    },
    jsonOption('print the summary as one JSON document'),
  ],
  help: `Examples:
  $ products-cli import products.csv
  $ products-cli import products.csv --dry-run          # check every row, send nothing
  $ products-cli import products.ndjson --rate 50       # at most 50 requests per second
  $ products-cli export --output backup.ndjson && products-cli import backup.ndjson
  $ cat products.json | products-cli import - --json

Rows that fail are reported with their line and reason; the rest still go in. Ids that exist already are
skipped, so an interrupted import is simply run again: a checkpoint in .products-cli/imports/ (per file and
API) says how far the last run got, and the rerun sends only the rows after it and those that had failed.
A file changed since is imported from its start; a complete import removes its checkpoint. createdAt, updatedAt and version are set by the
server: import ignores them, so an export imports as is (id, title, description and price are restored).
Throttled requests (429) are sent again at the pace the API accepts, never counted as failed.
A file that cannot be read to its end (a broken CSV quote, binary data) stops the import where it breaks:
what was read before is still sent, and the error says the line. Exits 1 when any row failed, 2 when the
file cannot be read, 130 when interrupted.

${CLIENT_FLAGS_HELP}`,
  run: ([file]: [string], opts: ImportOptions, ctx) => importProducts(file, opts, ctx),
  render: renderImportSummary,
  check: assertImportPassed,
});
