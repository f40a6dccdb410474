/** `export`: every product as NDJSON or CSV, page by page, to a file or stdout, so a large table never sits in memory. */
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { LIST_LIMIT_MAX, LIST_SEGMENTS_MAX } from '../contract/index.js';
import { defineCommand } from '../cli/command.js';
import { CLIENT_FLAGS_HELP, jsonOption, targetOptions } from '../cli/target-options.js';
import { oneOf, wholeNumber } from '../cli/parsers.js';
import type { Context } from '../context.js';
import { elapsedMs } from '../elapsed.js';
import { AppError, EXIT, UsageError } from '../errors.js';
import { openProductApi, type TargetOptions } from './open-product-api.js';
import { note, printResult } from '../output/print.js';
import { printPolicy } from '../output/print-policy.js';
import { CSV_HEADER, csvLines } from '../transfer/csv-lines.js';
import { checkOutputPath, openPartial, removeStalePartials } from '../transfer/export-output.js';
import { ProgressBar } from '../output/progress-bar.js';
import { SkippedItems } from '../output/skipped-items.js';
import { ndjsonLines, writeBatches } from '../transfer/write-ndjson.js';
import { readPages } from '../transfer/read-pages.js';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Segments of the table read side by side unless --segments says otherwise. */
export const EXPORT_SEGMENTS_DEFAULT = 4;

export interface ExportOptions extends TargetOptions {
  /** Segments of a parallel scan read side by side (1 = one page after another). */
  segments?: number;
  /** The file to write; stdout when omitted. */
  output?: string;
  format?: ExportFormat;
  json?: boolean;
}

export interface ExportResult {
  exported: number;
  output?: string;
  format: ExportFormat;
  durationMs: number;
  /** True when the reader of stdout went away (`| head`) before the end: not an error. */
  readerGone?: boolean;
}

export async function exportProducts(opts: ExportOptions, ctx: Context): Promise<ExportResult> {
  const started = performance.now();
  const format = opts.format ?? 'ndjson';
  if (opts.output !== undefined) {
    await checkOutputPath(opts.output);
    await removeStalePartials(opts.output);
  }
  // A few requests at a time: node:http with keep-alive does it as fast as a pool, and without undici's
  // WebAssembly parser, which costs some 35 MiB of memory. Throttled pages come back at once, for the pacer.
  const api = await openProductApi(opts, ctx, { transport: 'node', retryThrottled: false });
  const bar = new ProgressBar(ctx.stderr, 'exporting', printPolicy(ctx).liveProgress);
  const file = opts.output !== undefined ? openPartial(opts.output) : undefined;
  const out = file?.stream ?? ctx.stdout;
  // A closed pipe (`export | head`) or a full disk ends the export with a clear error instead of a crash.
  let outputError: Error | undefined;
  const onError = (error: Error) => (outputError ??= error);
  out.on('error', onError);
  const skipped = new SkippedItems(ctx.stderr);
  const pages = async function* () {
    const segments = opts.segments ?? EXPORT_SEGMENTS_DEFAULT;
    for await (const page of readPages(api, { segments, pageSize: LIST_LIMIT_MAX, signal: ctx.signal })) {
      if (outputError) return;
      bar.clear();
      skipped.note(page.skipped);
      yield page.items;
    }
  };
  try {
    if (format === 'csv') out.write(CSV_HEADER);
    const exported = await writeBatches(pages(), out, format === 'csv' ? csvLines : ndjsonLines, (written) =>
      bar.update({ done: written, detail: `${written} products` }),
    );
    bar.clear();
    // A reader that stopped reading (`export | head`) is done with the data: that is a success, said nowhere.
    if (!file && (outputError as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') {
      return { exported, format, durationMs: elapsedMs(started), readerGone: true };
    }
    if (file) {
      file.stream.end();
      await finished(file.stream);
    }
    if (outputError) throw outputError;
    if (file && opts.output !== undefined) await rename(file.partial, opts.output);
    skipped.check(`${exported} products were exported${opts.output !== undefined ? ` to ${opts.output}` : ''}`);
    return {
      exported,
      ...(opts.output !== undefined ? { output: opts.output } : {}),
      format,
      durationMs: elapsedMs(started),
    };
  } catch (error) {
    bar.clear();
    if (file) {
      file.stream.destroy();
      await rm(file.partial, { force: true });
    }
    if (ctx.signal.aborted) {
      throw new AppError(
        `interrupted${opts.output !== undefined ? `; ${opts.output} was not written` : ''}`,
        EXIT.interrupted,
        { cause: error },
      );
    }
    if (error === outputError)
      throw new UsageError(`cannot write ${opts.output ?? 'stdout'}: ${(error as Error).message}`, { cause: error });
    throw error;
  } finally {
    out.off('error', onError);
    await api.close();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `exported 1000 products to backup.ndjson in 0.80 s`. */
export function renderExportSummary(result: ExportResult): string {
  return `exported ${result.exported} products${result.output !== undefined ? ` to ${result.output}` : ''} in ${seconds(result.durationMs)}`;
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    {
      flags: '--output <file>',
      description: 'write to this file (replaced only once the export is complete) instead of stdout',
    },
    {
      flags: '--format <format>',
      description:
        'ndjson, or csv with the header import reads (id,title,description,price,createdAt,updatedAt,version)',
      parse: oneOf('--format', EXPORT_FORMATS, { ignoreCase: true }),
    },
    {
      flags: '--segments <n>',
      description: `segments of the table read side by side, 1-${LIST_SEGMENTS_MAX} (default ${EXPORT_SEGMENTS_DEFAULT}; 1: one page after another)`,
      parse: wholeNumber('--segments', 1, LIST_SEGMENTS_MAX),
    },
    jsonOption('with --output: print the summary as JSON'),
  ],
  help: `Examples:
  $ products-cli export --output products.ndjson
  $ products-cli export --format csv --output products.csv    # opens in a spreadsheet; import reads it back
  $ products-cli export | jq -r .title
  $ products-cli export | head -3                             # a reader that stops early is fine (exit 0)

Memory stays flat however large the table: products are written as each page arrives. With --output the
file appears only once complete; Ctrl-C or SIGTERM leave no partial file, and a later export removes those
of exports that were killed. Pages of up to ${LIST_LIMIT_MAX} products are read from --segments parts of the
table at once (a parallel scan), paced to what the API accepts; an API without segments is read one page after
another. Output order: each segment in table order, the segments' pages interleaved as they arrive, so it
differs from one export to the next: sort the output (e.g. by id) to compare two exports. A stored item that does not read as a product (written by another
tool) is left out with one "skipped product ID: ..." line on stderr; the export then completes and exits 7.

${CLIENT_FLAGS_HELP}`,
  run: (_args: [], opts: ExportOptions, ctx) => exportProducts(opts, ctx),
  // Without --output, stdout is the data itself: the summary goes to stderr, and nowhere when the reader left.
  print: async (result, ctx, opts) => {
    if (result.readerGone) return;
    if (opts.output !== undefined) printResult(ctx, result, renderExportSummary);
    else note(ctx, renderExportSummary(result));
  },
});
