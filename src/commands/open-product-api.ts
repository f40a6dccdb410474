/** The API client for a command: the resolved target, Ctrl-C wired to abort, and recoveries told on stderr. */
import type { Context } from '../context.js';
import { AppError, EXIT } from '../errors.js';
import { printPolicy } from '../output/print-policy.js';
import { resolveTarget } from '../target.js';
import { ProductApi, type ProductApiOptions } from '../http/api-client.js';
import { readClientSettings, type ClientSettingOptions } from './client-settings.js';
import { debugFromEnv, traceExchanges } from '../http/debug-trace.js';
import { signingFor } from '../http/request-auth.js';

export interface TargetOptions extends ClientSettingOptions {
  url?: string;
  /** Trace every request and answer on stderr (also PRODUCTS_CLI_DEBUG=1). */
  debug?: boolean;
  /** The credentials profile that signs requests to a target that requires signing. */
  profile?: string;
}

/** Resolves the target from --url, PRODUCTS_API_URL or the state file, and opens a client to it. */
export async function openProductApi(
  opts: TargetOptions,
  ctx: Context,
  extra: Partial<ProductApiOptions> = {},
): Promise<ProductApi> {
  const settings = readClientSettings(opts, ctx.env);
  const target = await resolveTarget({ url: opts.url, env: ctx.env, cwd: ctx.cwd });
  const trace = opts.debug || debugFromEnv(ctx.env) ? traceExchanges((text) => ctx.stderr.write(text)) : undefined;
  const onExchange = extra.onExchange;
  const policy = printPolicy(ctx);
  return new ProductApi({
    baseUrl: target.url,
    apiKey: target.apiKey,
    signing: signingFor(
      target.auth && opts.profile !== undefined ? { ...target.auth, profile: opts.profile } : target.auth,
    ),
    signal: ctx.signal,
    // Not note(): a notice qualifies the result, so --quiet keeps it.
    onNotice: (message) => {
      if (policy.notices) ctx.stderr.write(`${message}\n`);
    },
    onSlow: policy.liveProgress ? slowNotice(ctx) : undefined,
    onRetry: policy.liveProgress ? (message) => ctx.stderr.write(`${message}\n`) : undefined,
    ...settings,
    ...extra,
    onExchange: trace && onExchange ? (exchange) => (trace(exchange), onExchange(exchange)) : (trace ?? onExchange),
  });
}

/**
 * On a terminal, what a request that has not been answered after a moment is waiting for, on one line that is
 * cleared once no request is waiting any more.
 */
function slowNotice(ctx: Context): ProductApiOptions['onSlow'] {
  let waiting = 0;
  return ({ method, url, timeoutMs }) => {
    if (waiting++ === 0)
      ctx.stderr.write(
        `waiting for ${method} ${url} to answer (up to ${timeoutMs / 1000} s an attempt; --timeout to change)…`,
      );
    return () => {
      if (--waiting === 0) ctx.stderr.write('\r\x1b[2K');
    };
  };
}

/**
 * Runs `work` with a client for a command that sends a request or a few and exits, and closes its connections
 * afterwards so that the process can end at once. Such a command uses node:http, which starts faster than an
 * undici pool (see node-transport.ts); commands that send many requests keep openProductApi's pool.
 */
export async function withApi<T>(opts: TargetOptions, ctx: Context, work: (api: ProductApi) => Promise<T>): Promise<T> {
  const api = await openProductApi(opts, ctx, { transport: 'node' });
  try {
    return await work(api);
  } catch (error) {
    throw ctx.signal.aborted ? interrupted(error) : error;
  } finally {
    await api.close();
  }
}

/** Ctrl-C, as one line and exit 130 rather than the abort's own wording. */
export function interrupted(cause: unknown): AppError {
  return new AppError('interrupted', EXIT.interrupted, { cause });
}
