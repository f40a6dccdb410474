/** When and how long the API client waits before sending a request again. */

/** Statuses worth another attempt: throttling, and gateway or service trouble that usually passes. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Statuses that say the request was not acted on: API Gateway throttled it before the function ran (429), or
 * the function refused it because DynamoDB throttled the write (503). Any request may be sent again after
 * these. After a 502 or 504 the function may have run, so only an idempotent request is sent again.
 */
export const NOT_ACTED_ON_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Network failures that happen before a request leaves the machine, so that it cannot have been acted on. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Network failures not worth another attempt: a request the client itself got wrong, and a host name that does
 * not resolve (a typo in the URL, or no network): the resolver has already retried, and waiting seconds more
 * to say "no such host" helps nobody.
 */
const FATAL_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_URL',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The error code of a network failure, looking through causes (undici wraps the socket's error). */
export function networkCode(error: unknown): string | undefined {
  const codes: string[] = [];
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === 'string') codes.push(current.code);
    current = current.cause as typeof current;
  }
  // undici reports a closed socket as UND_ERR_SOCKET with the socket's own error as the cause, which says more.
  return codes.find((code) => code !== 'UND_ERR_SOCKET') ?? codes[0];
}

/** True when a network failure happened before the request was sent. */
export function isNotSent(error: unknown): boolean {
  return NOT_SENT_CODES.has(networkCode(error) ?? '');
}

/** True when a network failure is transient, so that another attempt may succeed. */
export function isRetryableNetworkError(error: unknown): boolean {
  return !FATAL_CODES.has(networkCode(error) ?? '');
}

/**
 * Reads `Retry-After` (seconds, or an HTTP date) as milliseconds from `now`; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its month; Date.parse alone would also take odd strings such as "-1" for a year.
  const date = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffOptions {
  /** The first retry's ceiling, in milliseconds. */
  baseDelayMs: number;
  /** No wait is longer than this. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: a random wait between 0 and min(max, base × 2^(retry-1)), so that
 * clients that failed together do not retry together. `retry` counts from 1.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
