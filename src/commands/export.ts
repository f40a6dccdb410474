/** `export`: every product as NDJSON, page by page, to a file or stdout, so a large table never sits in memory. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { LIST_LIMIT_MAX } from '../contract/index.js';
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { AppError, EXIT, UsageError } from '../errors.js';
import { openApi, type TargetOptions } from '../http/open-api.js';
import { note, printResult } from '../output/print.js';
import { ProgressBar } from '../transfer/progress.js';
import { writeNdjson } from '../transfer/write-ndjson.js';

export interface ExportOptions extends TargetOptions {
  /** The file to write; stdout when omitted. */
  output?: string;
  json?: boolean;
}

export interface ExportResult {
  exported: number;
  output?: string;
  durationMs: number;
}

/** Opens the output: a temporary file beside FILE, renamed over it only when the export is complete. */
function openOutput(path: string): { stream: Writable; partial: string } {
  const partial = `${path}.partial-${process.pid}`;
  return { stream: createWriteStream(partial, { flags: 'wx' }), partial };
}

export async function exportProducts(opts: ExportOptions, ctx: Context): Promise<ExportResult> {
  const started = performance.now();
  // One request at a time: node:http with keep-alive does it as fast as a pool, and without undici's
  // WebAssembly parser, which costs some 35 MiB of memory.
  const api = await openApi(opts, ctx, { transport: 'node' });
  const bar = new ProgressBar(ctx.stderr, 'exporting', Boolean(ctx.stderr.isTTY) && !ctx.json);
  const file = opts.output !== undefined ? openOutput(opts.output) : undefined;
  const out = file?.stream ?? ctx.stdout;
  // A closed pipe (`export | head`) or a full disk ends the export with a clear error instead of a crash.
  let outputError: Error | undefined;
  const onError = (error: Error) => (outputError ??= error);
  out.on('error', onError);
  const pages = async function* () {
    for await (const page of api.pages({ pageSize: LIST_LIMIT_MAX })) {
      if (outputError) return;
      yield page.items;
    }
  };
  try {
    const exported = await writeNdjson(pages(), out, (written) => bar.update({ done: written, detail: `${written} products` }));
    bar.clear();
    if (file) {
      file.stream.end();
      await finished(file.stream);
    }
    if (outputError) throw outputError;
    if (file && opts.output !== undefined) await rename(file.partial, opts.output);
    return { exported, ...(opts.output !== undefined ? { output: opts.output } : {}), durationMs: performance.now() - started };
  } catch (error) {
    bar.clear();
    if (file) {
      file.stream.destroy();
      await rm(file.partial, { force: true });
    }
    if (ctx.signal.aborted) {
      throw new AppError(`interrupted${opts.output !== undefined ? `; ${opts.output} was not written` : ''}`, EXIT.interrupted, { cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') throw new UsageError('the output closed before the export finished', { cause: error });
    if (error === outputError) throw new UsageError(`cannot write ${opts.output ?? 'stdout'}: ${(error as Error).message}`, { cause: error });
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
    { flags: '--output <file>', description: 'write to this file (replaced only once the export is complete) instead of stdout' },
    jsonOption('with --output: print the summary as JSON'),
  ],
  help: `Examples:
  $ products-cli export --output products.ndjson
  $ products-cli export | jq -r .title

Memory stays flat however large the table: products are written as each page arrives.`,
  run: (_args: [], opts: ExportOptions, ctx) => exportProducts(opts, ctx),
  // Without --output, stdout is the data itself: the summary goes to stderr.
  print: async (result, ctx, opts) => (opts.output !== undefined ? printResult(ctx, result, renderExportSummary) : note(ctx, renderExportSummary(result))),
});
