/** `import FILE`: products from a JSON array, NDJSON or CSV file (or stdin), checked, then created in parallel. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/option-sets.js';
import { oneOf, wholeNumber } from '../cli/parsers.js';
import type { Context } from '../context.js';
import { ApiError, CheckFailedError, ConflictError, NotFoundError, UsageError } from '../errors.js';
import { openApi, type TargetOptions } from '../http/open-api.js';
import { styleOf, type Style } from '../output/style.js';
import { importRows, type ImportSummary } from '../transfer/import-rows.js';
import { ProgressBar } from '../transfer/progress.js';
import { formatFromContent, formatFromName, IMPORT_FORMATS, peekText, readRows, textChunks, type ImportFormat } from '../transfer/read-rows.js';

export interface ImportOptions extends TargetOptions {
  format?: ImportFormat;
  concurrency?: number;
  json?: boolean;
}

export interface ImportResult extends ImportSummary {
  file: string;
  format: ImportFormat;
}

export const IMPORT_CONCURRENCY_DEFAULT = 8;
const CONCURRENCY_MAX = 64;

/** Opens the file (or stdin for `-`) as a byte stream, with its size when it is a regular file. */
async function openSource(file: string, ctx: Context): Promise<{ stream: NodeJS.ReadableStream; size?: number }> {
  if (file === '-') return { stream: ctx.stdin };
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new UsageError(`${file} is a directory; give a .json, .ndjson or .csv file`);
    return { stream: createReadStream(file), size: info.isFile() ? info.size : undefined };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Counts the bytes that pass, for the progress bar. */
async function* counted(source: NodeJS.ReadableStream, onBytes: (bytes: number) => void): AsyncGenerator<Buffer | string> {
  for await (const chunk of source as AsyncIterable<Buffer | string>) {
    onBytes(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);
    yield chunk;
  }
}

/** True for a failure that every further row would meet too: no answer at all, or a URL that is not the API. */
function isFatal(error: unknown): boolean {
  if (error instanceof NotFoundError) return true; // POST /product never answers 404: the URL is not the API
  return error instanceof ApiError && (error.status === undefined || error.status === 401 || error.status === 403);
}

export async function importProducts(file: string, opts: ImportOptions, ctx: Context): Promise<ImportResult> {
  const concurrency = opts.concurrency ?? IMPORT_CONCURRENCY_DEFAULT;
  let format = opts.format ?? (file === '-' ? undefined : formatFromName(file));
  // Every request in flight listens on the Ctrl-C signal.
  setMaxListeners(Math.max(getMaxListeners(ctx.signal), concurrency * 2 + 10), ctx.signal);
  const api = await openApi(opts, ctx, { connections: concurrency });
  const { stream, size } = await openSource(file, ctx);
  const style = await styleOf(ctx);
  const bar = new ProgressBar(ctx.stderr, 'importing', Boolean(ctx.stderr.isTTY) && !ctx.json);
  const counts = { bytes: 0, rows: 0, created: 0, skipped: 0, failed: 0 };
  const detail = () => `${counts.rows} rows  ${counts.created} created  ${counts.skipped} skipped  ${counts.failed} failed`;
  const draw = (force = false) => bar.update({ done: counts.bytes, total: size, detail: detail() }, force);

  try {
    const chunks = textChunks(counted(stream, (bytes) => (counts.bytes += bytes)));
    const peeked = await peekText(chunks);
    format ??= formatFromContent(peeked.head);
    const summary = await importRows(readRows(peeked.all, format), {
      concurrency,
      signal: ctx.signal,
      isFatal,
      async create(input) {
        try {
          await api.create(input);
          return 'created';
        } catch (error) {
          if (error instanceof ConflictError) return 'skipped';
          throw error;
        }
      },
      onRow(outcome, failure) {
        counts.rows++;
        counts[outcome]++;
        if (failure && !ctx.json) {
          bar.clear();
          ctx.stderr.write(`${style.red('failed')} line ${failure.line}${failure.id !== undefined ? ` (id ${failure.id})` : ''}: ${failure.reason}\n`);
        }
        draw(failure !== undefined); // a message took the bar's line: put the bar back at once
      },
    });
    draw(true);
    bar.clear();
    return { file, format, ...summary };
  } catch (error) {
    bar.clear();
    if (isFatal(error)) {
      const done = counts.created + counts.skipped > 0 ? ` (${counts.created} created, ${counts.skipped} skipped before it stopped; run the same import again to go on)` : '';
      throw new ApiError(`${(error as Error).message}${done}`, (error as ApiError).status, { cause: error });
    }
    throw error;
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    await api.close();
  }
}

/** Ends an import that had a failed row with exit 1. */
export function assertImportPassed(result: ImportResult): void {
  if (result.failed === 0) return;
  throw new CheckFailedError(`${result.failed} of ${result.rows} rows failed; fix them and run the import again (ids already imported are skipped)`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `1000 rows from products.csv (csv) in 1.20 s: 990 created, 5 skipped (id exists), 5 failed`. */
export function renderImportSummary(result: ImportResult, style: Style): string {
  const from = result.file === '-' ? 'stdin' : result.file;
  const failed = result.failed > 0 ? style.red(`${result.failed} failed`) : '0 failed';
  const lines = [
    `${result.rows} rows from ${from} (${result.format}) in ${seconds(result.durationMs)}: ${style.green(`${result.created} created`)}, ${result.skipped} skipped (id exists), ${failed}`,
  ];
  if (result.withoutId > 0) lines.push(style.yellow(`${result.withoutId} rows had no id: the API chose one, so importing the file again would create them again`));
  if (result.failuresOmitted > 0) lines.push(style.dim(`(${result.failuresOmitted} more failures not listed in --json output)`));
  if (result.interrupted) lines.push(style.yellow('interrupted: run the same import again to go on (existing ids are skipped)'));
  return lines.join('\n');
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    { flags: '--format <format>', description: 'json, ndjson or csv (default: from the file name, else from its first character)', parse: oneOf('--format', IMPORT_FORMATS, { ignoreCase: true }) },
    { flags: '--concurrency <n>', description: 'requests in flight at once, 1-64', default: String(IMPORT_CONCURRENCY_DEFAULT), parse: wholeNumber('--concurrency', 1, CONCURRENCY_MAX) },
    jsonOption('print the summary as one JSON document'),
  ],
  help: `Examples:
  $ products-cli import products.csv
  $ products-cli export --output backup.ndjson && products-cli import backup.ndjson
  $ cat products.json | products-cli import - --json

Rows that fail are reported with their line and reason; the rest still go in. Ids that exist already are
skipped, so an interrupted import is simply run again. createdAt, updatedAt and version are set by the
server: import ignores them, so an export imports as is (id, title, description and price are restored).
Exits 1 when any row failed.`,
  run: ([file]: [string], opts: ImportOptions, ctx) => importProducts(file, opts, ctx),
  render: renderImportSummary,
  check: assertImportPassed,
});
