/**
 * The work of `import`: a file (or stdin) opened and sniffed, its rows read and sent at the pace the API accepts,
 * with progress on a terminal: the share of the file's bytes behind the rows handed over, rows/s and an ETA.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Context } from '../context.js';
import { ApiError, ConflictError, NotFoundError, UsageError } from '../errors.js';
import type { ProductApi } from '../http/api-client.js';
import { escapeControl } from '../output/escape.js';
import { printPolicy } from '../output/print-policy.js';
import type { Style } from '../output/style.js';
import { importRows, type ImportFailure, type ImportSummary } from '../transfer/import-rows.js';
import { ImportCheckpoint, type ImportMark } from '../transfer/import-checkpoint.js';
import { ProgressBar, rateAndEta } from '../output/progress-bar.js';
import {
  formatFromContent,
  formatFromName,
  peekText,
  readRows,
  textChunks,
  type ImportFormat,
  type SourceRow,
} from '../transfer/read-rows.js';

export interface ImportFileOptions {
  file: string;
  format?: ImportFormat;
  concurrency: number;
  rate?: number;
  dryRun?: boolean;
}

export interface ImportResult extends ImportSummary {
  file: string;
  format: ImportFormat;
}

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
    throw new UsageError(
      code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
}

/** True for a failure that every further row would meet too: no answer at all, or a URL that is not the API. */
function isFatal(error: unknown): boolean {
  if (error instanceof NotFoundError) return true; // POST /product never answers 404: the URL is not the API
  return error instanceof ApiError && (error.status === undefined || error.status === 401 || error.status === 403);
}

/** The rows, noting the byte offset of each as it is handed over, for the progress bar. */
async function* tracked(
  rows: AsyncIterable<SourceRow>,
  onRow: (end: number | undefined) => void,
): AsyncGenerator<SourceRow> {
  for await (const row of rows) {
    onRow(row.end);
    yield row;
  }
}

function failureLine(failure: ImportFailure, style: Style): string {
  return `${style.red('failed')} line ${failure.line}${failure.id !== undefined ? ` (id ${escapeControl(failure.id)})` : ''}: ${escapeControl(failure.reason)}\n`;
}

/** Imports the file through `api` (none for a dry run); failed rows are told on stderr as they come. */
export async function importFile(
  api: ProductApi | undefined,
  options: ImportFileOptions,
  ctx: Context,
  style: Style,
): Promise<ImportResult> {
  const { file, concurrency } = options;
  let format = options.format ?? (file === '-' ? undefined : formatFromName(file));
  // Every request in flight listens on the Ctrl-C signal.
  setMaxListeners(Math.max(getMaxListeners(ctx.signal), concurrency * 4 + 10), ctx.signal);
  const { stream, size } = await openSource(file, ctx);
  // A file (not stdin) imported for real keeps a checkpoint, so that a rerun goes on where this one stops.
  const checkpoint =
    api !== undefined && !options.dryRun && size !== undefined
      ? await ImportCheckpoint.open(ctx.cwd, file, api.baseUrl)
      : undefined;
  let mark: ImportMark | undefined;
  let complete = false;
  const policy = printPolicy(ctx);
  const bar = new ProgressBar(ctx.stderr, options.dryRun ? 'checking' : 'importing', policy.liveProgress);
  const started = performance.now();
  const counts = { offset: 0, rows: 0, created: 0, skipped: 0, failed: 0, throttled: 0 };
  const detail = () => {
    const done = options.dryRun
      ? `${counts.rows - counts.failed} valid`
      : `${counts.created} created  ${counts.skipped} skipped`;
    const pace = rateAndEta(
      counts.rows,
      performance.now() - started,
      size !== undefined ? counts.offset : undefined,
      size,
    );
    return `${counts.rows} rows  ${done}  ${counts.failed} failed${counts.throttled > 0 ? `  ${counts.throttled} throttled` : ''}${pace ? `  ${pace}` : ''}`;
  };
  const draw = (force = false) => bar.update({ done: counts.offset, total: size, detail: detail() }, force);
  const ticker = setInterval(() => draw(), 250).unref();

  try {
    const peeked = await peekText(textChunks(stream as AsyncIterable<Buffer>));
    format ??= formatFromContent(peeked.head);
    const rows = tracked(readRows(peeked.all, format), (end) => {
      counts.rows++;
      if (end !== undefined) counts.offset = end;
    });
    const summary = await importRows(rows, {
      concurrency,
      rate: options.rate,
      dryRun: options.dryRun,
      signal: ctx.signal,
      isFatal,
      resume: checkpoint?.resumed,
      onMark(now) {
        mark = now;
        void checkpoint?.save(now);
      },
      createMany: (inputs) => (api as ProductApi).createMany(inputs),
      async create(input) {
        try {
          await (api as ProductApi).create(input);
          return 'created';
        } catch (error) {
          if (error instanceof ConflictError) return 'skipped';
          throw error;
        }
      },
      onThrottled: () => counts.throttled++,
      onRow(outcome, failure) {
        counts[outcome]++;
        if (failure && policy.notices) {
          bar.clear();
          ctx.stderr.write(failureLine(failure, style));
        }
        draw(failure !== undefined); // a message took the bar's line: put the bar back at once
      },
    });
    complete = !summary.interrupted && summary.notSent === 0 && summary.failed === 0;
    return { file, format, ...summary };
  } catch (error) {
    if (isFatal(error)) {
      const done =
        counts.created + counts.skipped > 0
          ? ` (${counts.created} created, ${counts.skipped} skipped before it stopped; run the same import again to go on)`
          : '';
      throw new ApiError(`${(error as Error).message}${done}`, (error as ApiError).status, { cause: error });
    }
    throw error;
  } finally {
    if (complete) await checkpoint?.clear();
    else if (mark !== undefined) await checkpoint?.save(mark, true);
    clearInterval(ticker);
    bar.clear();
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}
