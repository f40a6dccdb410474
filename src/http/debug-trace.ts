/** `--debug`: each HTTP attempt as a few lines on stderr, with the headers that carry secrets masked. */
import type { Exchange } from './api-client.js';

/** Headers whose values are credentials: never printed. */
const SECRET_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'x-amz-security-token',
  'cookie',
  'set-cookie',
  'proxy-authorization',
]);

/** A header's value as printed: `[redacted]` for a secret. */
function shown(name: string, value: string | string[] | undefined): string {
  if (SECRET_HEADERS.has(name.toLowerCase())) return '[redacted]';
  return Array.isArray(value) ? value.join(', ') : String(value ?? '');
}

/** The lines of one attempt: `> POST url`, its headers, then `< 201 in 12 ms` and the answer's headers. */
export function renderExchange(exchange: Exchange): string[] {
  const lines = [`> ${exchange.method} ${exchange.url}${exchange.attempt > 1 ? ` (attempt ${exchange.attempt})` : ''}`];
  for (const [name, value] of Object.entries(exchange.requestHeaders)) lines.push(`> ${name}: ${shown(name, value)}`);
  const took = `${exchange.durationMs.toFixed(0)} ms`;
  if (exchange.status === undefined) lines.push(`< no answer after ${took}: ${exchange.error ?? 'unknown error'}`);
  else {
    lines.push(`< ${exchange.status} in ${took}`);
    for (const [name, value] of Object.entries(exchange.responseHeaders ?? {}))
      if (value !== undefined) lines.push(`< ${name}: ${shown(name, value)}`);
  }
  if (exchange.retryInMs !== undefined) lines.push(`  retrying in ${exchange.retryInMs} ms`);
  return lines;
}

/** An `onExchange` hook that writes each attempt to `write`, every line prefixed with `debug: `. */
export function traceExchanges(write: (text: string) => void): (exchange: Exchange) => void {
  return (exchange) =>
    write(
      renderExchange(exchange)
        .map((line) => `debug: ${line}\n`)
        .join(''),
    );
}

/** True when PRODUCTS_CLI_DEBUG asks for tracing (set, and not empty or 0). */
export function debugFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.PRODUCTS_CLI_DEBUG;
  return value !== undefined && value !== '' && value !== '0';
}
