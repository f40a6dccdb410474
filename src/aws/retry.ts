/** Bounded waiting and retrying, on an injected clock. */
import { AwsError } from '../errors.js';
import type { Clock } from './clock.js';

export interface WaitOptions {
  clock: Clock;
  /** Longest total wait, in milliseconds. */
  timeoutMs: number;
  /** Pause between checks, in milliseconds. */
  intervalMs: number;
  /** What to tell the user when the bound is hit, after "timed out after N s waiting for X". */
  hint?: string;
  signal?: AbortSignal;
}

/** Calls `check` until it returns a value (not undefined), or throws a clear AwsError when the bound is hit. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const started = options.clock.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const elapsed = options.clock.now() - started;
    if (elapsed + options.intervalMs > options.timeoutMs) {
      const seconds = Math.round(options.timeoutMs / 1000);
      throw new AwsError(`timed out after ${seconds} s waiting for ${what}${options.hint ? `; ${options.hint}` : ''}`);
    }
    await options.clock.sleep(options.intervalMs, options.signal);
  }
}

/**
 * Waits for every promise, then rethrows the first failure. Unlike Promise.all, no branch is left running
 * in the background after a sibling failed, so a command never returns while its calls are still under way.
 */
export async function settleAll<T extends readonly unknown[]>(
  promises: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** The names AWS services give a throttled call (CloudWatch `Throttling`, SNS `Throttled`, Lambda `TooManyRequestsException`). */
const THROTTLE_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'Throttled',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** Whether AWS refused the call for its rate. */
export function isThrottled(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  return (
    THROTTLE_NAMES.has(name) ||
    (error as { $retryable?: { throttling?: boolean } } | undefined)?.$retryable?.throttling === true
  );
}

export interface ThrottleRetryOptions {
  clock: Clock;
  /** Attempts in all, the first included (default 6). */
  attempts?: number;
  /** The first pause, doubled for each retry up to `maxDelayMs` (defaults 500 ms and 8 s), with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (attempt: number, waitMs: number) => void;
  signal?: AbortSignal;
  random?: () => number;
}

/**
 * Calls `call` again while AWS throttles it, past the SDK's own few retries: a quota shared by the account (other
 * dashboards, scripts) can refuse several calls in a row. Other errors, and the last throttle, are thrown.
 */
export async function retryThrottled<T>(call: () => Promise<T>, options: ThrottleRetryOptions): Promise<T> {
  const attempts = options.attempts ?? 6;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottled(error) || attempt >= attempts) throw error;
      const cap = Math.min(options.maxDelayMs ?? 8_000, (options.baseDelayMs ?? 500) * 2 ** (attempt - 1));
      const waitMs = Math.round((options.random ?? Math.random)() * cap);
      options.onRetry?.(attempt, waitMs);
      await options.clock.sleep(waitMs, options.signal);
    }
  }
}
