/**
 * The console's import and export: the file the page sends is read and checked by the readers and rules of
 * `import`, then sent at its pace (the same pacer, concurrency and throttling rules) with progress as NDJSON
 * lines; an export streams every product, page by page, as NDJSON or CSV.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, ConflictError, NotFoundError } from '../errors.js';
import type { ProductApi } from '../http/api-client.js';
import { importRows, type ImportSummary } from '../transfer/import-rows.js';
import {
  formatFromContent,
  formatFromName,
  IMPORT_FORMATS,
  peekText,
  readRows,
  textChunks,
  type ImportFormat,
} from '../transfer/read-rows.js';
import { CSV_HEADER, csvLines } from '../transfer/csv-lines.js';
import { ndjsonLines } from '../transfer/write-ndjson.js';
import { LIST_LIMIT_MAX } from '../contract/index.js';

export interface TransferSettings {
  /** The client imports go through: throttling is paced by the import, not retried by the client. */
  api: ProductApi;
  concurrency: number;
  rate?: number;
  /** Stops an import in flight when the console stops. */
  signal: AbortSignal;
}

/** What the page is told as an import goes: counts, then the summary. */
export type ImportEvent =
  | {
      type: 'progress';
      rows: number;
      created: number;
      skipped: number;
      failed: number;
      throttled: number;
      elapsedMs: number;
    }
  | { type: 'done'; format: ImportFormat; summary: ImportSummary }
  | { type: 'error'; message: string };

/** True for a failure every further row would meet too: no answer at all, or a URL that is not the API. */
function isFatal(error: unknown): boolean {
  if (error instanceof NotFoundError) return true; // POST /product never answers 404: the URL is not the API
  return error instanceof ApiError && (error.status === undefined || error.status === 401 || error.status === 403);
}

/** The format the page named, else the file name's, else the content's. */
function formatOf(url: URL, head: string): ImportFormat {
  const named = url.searchParams.get('format');
  if (named && (IMPORT_FORMATS as readonly string[]).includes(named)) return named as ImportFormat;
  return formatFromName(url.searchParams.get('name') ?? '') ?? formatFromContent(head);
}

/**
 * POST /console/import?name=FILE[&check]: with `check`, every row checked and nothing sent (one JSON summary);
 * without, the rows sent at the API's pace, one NDJSON event every quarter second and a last one with the summary.
 */
export async function handleImport(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  settings: TransferSettings,
): Promise<void> {
  const dryRun = url.searchParams.has('check');
  const counts = { rows: 0, created: 0, skipped: 0, failed: 0, throttled: 0 };
  const started = performance.now();
  const send = (event: ImportEvent) => res.write(`${JSON.stringify(event)}\n`);
  res.writeHead(200, { 'content-type': dryRun ? 'application/json' : 'application/x-ndjson' });
  const ticker = dryRun
    ? undefined
    : setInterval(() => send({ type: 'progress', ...counts, elapsedMs: performance.now() - started }), 250);
  const stop = new AbortController();
  const onStop = () => stop.abort();
  settings.signal.addEventListener('abort', onStop, { once: true });
  res.on('close', () => res.writableFinished || stop.abort()); // the page went away: stop sending its rows
  try {
    const peeked = await peekText(textChunks(req));
    const format = formatOf(url, peeked.head);
    const summary = await importRows(readRows(peeked.all, format), {
      concurrency: settings.concurrency,
      rate: settings.rate,
      dryRun,
      signal: stop.signal,
      isFatal,
      maxFailures: 200,
      async create(input) {
        try {
          await settings.api.create(input);
          return 'created';
        } catch (error) {
          if (error instanceof ConflictError) return 'skipped';
          throw error;
        }
      },
      onThrottled: () => counts.throttled++,
      onRow(outcome) {
        counts.rows++;
        counts[outcome]++;
      },
    });
    clearInterval(ticker);
    if (dryRun) res.end(JSON.stringify({ format, summary }));
    else res.end(`${JSON.stringify({ type: 'done', format, summary } satisfies ImportEvent)}\n`);
  } catch (error) {
    clearInterval(ticker);
    const message = (error as Error).message;
    res.end(
      dryRun
        ? JSON.stringify({ error: message })
        : `${JSON.stringify({ type: 'error', message } satisfies ImportEvent)}\n`,
    );
  } finally {
    settings.signal.removeEventListener('abort', onStop);
  }
}

/** GET /console/export?format=ndjson|csv: every product as a download; a failure midway breaks the download rather than ending it short. */
export async function handleExport(res: ServerResponse, url: URL, api: ProductApi): Promise<void> {
  const csv = url.searchParams.get('format') === 'csv';
  const name = `products-${new Date().toISOString().slice(0, 10)}.${csv ? 'csv' : 'ndjson'}`;
  res.writeHead(200, {
    'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    'content-disposition': `attachment; filename="${name}"`,
  });
  try {
    if (csv) res.write(CSV_HEADER);
    for await (const page of api.pages({ pageSize: LIST_LIMIT_MAX })) {
      if (!res.write(csv ? csvLines(page.items) : ndjsonLines(page.items)))
        await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
  }
}
