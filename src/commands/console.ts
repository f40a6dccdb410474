/** `console`: a web page on 127.0.0.1 to browse, edit, import and export the products, and try the API. */
import { spawn } from 'node:child_process';
import { untilStopped } from './until-stopped.js';
import { defineCommand, type RunContext } from '../cli/command.js';
import { CLIENT_FLAGS_HELP, jsonOption, targetOptions } from '../cli/target-options.js';
import { FLAG } from '../cli/option-sets.js';
import type { Context } from '../context.js';
import { AppError, UsageError } from '../errors.js';
import { note } from '../output/print.js';
import type { Style } from '../output/style.js';
import type { Target } from '../target.js';
import type { MetricsSource } from './metrics/index.js';
import { openProductApi, type TargetOptions } from './open-product-api.js';

export interface ConsoleOptions extends TargetOptions {
  port?: number;
  open?: boolean;
  json?: boolean;
}

export interface ConsoleListening {
  status: 'listening';
  /** Holds the token: whoever has it can use the console. */
  url: string;
  api: string;
}

export interface ConsoleResult {
  status: 'stopped';
  api: string;
}

/** Serves the console until Ctrl-C (or SIGTERM). */
export async function runConsole(
  opts: ConsoleOptions,
  ctx: Context,
  onListening: (running: ConsoleListening) => void,
): Promise<ConsoleResult> {
  const [
    { startConsole },
    { buildOpenApiDocument },
    { IMPORT_CONCURRENCY_DEFAULT },
    { packageVersion },
    { resolveTarget },
  ] = await Promise.all([
    import('../console/server.js'),
    import('../openapi/document.js'),
    import('./import.js'),
    import('./openapi.js'),
    import('../target.js'),
  ]);
  const api = await openProductApi(opts, ctx, { onSlow: undefined });
  const importApi = await openProductApi(opts, ctx, {
    connections: IMPORT_CONCURRENCY_DEFAULT,
    retryThrottled: false,
    onSlow: undefined,
  });
  // Try-it-out goes through the console, which signs: the page sees no security scheme to fill in.
  const document = buildOpenApiDocument({
    version: await packageVersion(),
    serverUrl: '/api',
    serverDescription: `${api.baseUrl}, through the console`,
    auth: { mode: 'none', privateReads: false },
  });
  const health = stackMetrics(await resolveTarget({ url: opts.url, env: ctx.env, cwd: ctx.cwd }), opts, ctx);
  let server: Awaited<ReturnType<typeof startConsole>>;
  try {
    server = await startConsole({
      api,
      transfer: { api: importApi, concurrency: IMPORT_CONCURRENCY_DEFAULT },
      document,
      metrics: health.read,
      port: opts.port,
    });
  } catch (error) {
    await Promise.all([api.close(), importApi.close()]);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UsageError(`port ${opts.port} is in use; choose another with --port, or --port 0 for any free one`);
    throw error;
  }
  try {
    onListening({ status: 'listening', url: server.url, api: api.baseUrl });
    if (opts.open) openBrowser(server.url);
    await untilStopped(ctx);
  } finally {
    await server.stop();
    await Promise.all([api.close(), importApi.close(), health.close()]);
  }
  return { status: 'stopped', api: api.baseUrl };
}

/**
 * The Health view's figures: the report of `metrics` for the stack the console drives (its local records, or
 * CloudWatch for the AWS stack), `since` read as `--since` is. The source is opened at the first read.
 */
function stackMetrics(target: Target, opts: ConsoleOptions, ctx: Context) {
  let opened: Promise<MetricsSource> | undefined;
  return {
    async read(since: string): Promise<unknown> {
      const { openMetricsSource, readMetricsSince, readReport } = await import('./metrics/index.js');
      const sinceMs = readMetricsSince(since);
      if (!target.recorded)
        throw new AppError(
          `no metrics: ${target.url} is not a stack that setup recorded here; run the console where setup ran`,
        );
      opened ??= openMetricsSource(target.recorded === 'local' ? { local: true } : { profile: opts.profile }, ctx);
      const source = await opened.catch((error: unknown) => {
        opened = undefined;
        throw error;
      });
      return readReport(source, sinceMs);
    },
    async close(): Promise<void> {
      (await opened?.catch(() => undefined))?.close();
    },
  };
}

/** The system's way to open a URL; a failure only means the user opens it by hand. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
}

export function renderConsoleListening(running: ConsoleListening, style: Style): string {
  return [
    `${style.green('Console')} for ${running.api} at ${style.bold(running.url)}`,
    '  The URL holds a token: share it only with whom may change the catalogue. Ctrl-C to stop.',
  ].join('\n');
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    { flags: '--port <n>', description: 'port on 127.0.0.1, 0 = any free port', default: '4300', parse: FLAG.port },
    { flags: '--open', description: 'open the console in the default browser' },
    jsonOption('print one JSON line with the URL when listening'),
  ],
  help: `Examples:
  $ products-cli console --open
  $ products-cli console --url https://abc123.execute-api.us-east-1.amazonaws.com/prod --port 0

The page lists the products (loaded page by page as you scroll), searches and sorts them, creates, edits
(with If-Match: a change made meanwhile is shown, never overwritten silently) and deletes them, imports a
JSON, NDJSON or CSV file at the pace of \`import\`, exports NDJSON or CSV, renders the OpenAPI document with
try-it-out, and charts the figures of \`metrics\` (Health) for the period chosen. The console signs the
requests; the page never sees a credential. It listens on 127.0.0.1 only, and only a browser that opened the
printed URL (its token then kept in a cookie) may use it.

${CLIENT_FLAGS_HELP}`,
  run: (_args: [], opts: ConsoleOptions, ctx: RunContext<ConsoleListening>) => runConsole(opts, ctx, ctx.emit),
  live: { render: renderConsoleListening, json: true },
  print: async (result, ctx) => note(ctx, `Stopped the console for ${result.api}.`),
});
