/**
 * Many requests that must all get through a throttled API (bench seeding and clean-up): sent at the pace the API
 * accepts (the same Pacer as import), a throttled one sent again, never counted as failed.
 */
import { setMaxListeners } from 'node:events';
import { ApiError } from '../errors.js';
import { Pacer, THROTTLE_STALL_MS } from '../transfer/pacer.js';

/** What one send reports: a throttled answer (to be sent again), or nothing when it is done. */
export type PacedOutcome = { throttled: true; retryAfterMs?: number } | void;

export interface PacedOptions {
  concurrency: number;
  signal?: AbortSignal;
  /** Gives up when every send has been throttled for this long (default THROTTLE_STALL_MS). */
  stallMs?: number;
  now?: () => number;
}

/**
 * Runs `send` for each item, at most `concurrency` at once and no faster than the API accepts. Stops taking items
 * when `signal` aborts, a send throws or the API has throttled every send for `stallMs`; resolves (or rejects
 * with the first error) once every send in flight has settled, so that the caller knows which items may have
 * been acted on.
 */
export async function pacedEach<T>(
  items: Iterable<T>,
  options: PacedOptions,
  send: (item: T) => Promise<PacedOutcome>,
): Promise<void> {
  const now = options.now ?? (() => performance.now());
  const stallMs = options.stallMs ?? THROTTLE_STALL_MS;
  const pacer = new Pacer({ maxConcurrency: options.concurrency, now });
  let lastDone = now();
  const stop = new AbortController();
  setMaxListeners(options.concurrency * 2 + 10, stop.signal);
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const iterator = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;

  const worker = async () => {
    for (let next = iterator.next(); !next.done && !stop.signal.aborted; next = iterator.next()) {
      for (;;) {
        try {
          await pacer.acquire(stop.signal);
        } catch {
          return;
        }
        let outcome: PacedOutcome;
        try {
          outcome = await send(next.value);
        } catch (error) {
          pacer.release('answered');
          failure ??= { error };
          stop.abort();
          return;
        }
        if (outcome?.throttled) {
          pacer.release('throttled', outcome.retryAfterMs);
          if (now() - lastDone > stallMs) {
            failure ??= {
              error: new ApiError(
                `the API throttled every request for ${Math.round(stallMs / 1000)} s; try again later`,
                429,
              ),
            };
            stop.abort();
            return;
          }
          continue;
        }
        pacer.release('answered');
        lastDone = now();
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  options.signal?.removeEventListener('abort', onAbort);
  if (failure) throw failure.error;
}
