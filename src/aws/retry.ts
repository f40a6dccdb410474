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
export async function settleAll<T extends readonly unknown[]>(promises: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
