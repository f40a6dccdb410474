/**
 * Reading every page of the table with several pages in flight: the API hands out one cursor per segment of a
 * parallel scan, and each segment is read page after page, side by side, under the import's pacer (AIMD on 429,
 * Retry-After). An API without segments answers the first request with its first page instead: the rest is read
 * one page after another, detected once. Pages are handed on as they arrive, each once, at most two per segment
 * held at a time.
 */
import type { ProductApi, ProductPage } from '../http/api-client.js';
import { ThrottledError } from '../http/response-error.js';
import { ApiError } from '../errors.js';
import { Pacer, THROTTLE_STALL_MS } from './pacer.js';

/** What reading pages needs of the API's client. */
export type PageSource = Pick<ProductApi, 'listStart' | 'listPage'>;

export interface ReadPagesOptions {
  /** Segments asked for, and so the most pages in flight. */
  segments: number;
  /** Products per page asked for. */
  pageSize: number;
  signal?: AbortSignal;
  /** How long every request may be throttled before the reading gives up (default THROTTLE_STALL_MS). */
  stallMs?: number;
  /** Told once how the pages are read: in `segments` side by side, or 1 for an API without segments. */
  onStart?: (read: { segments: number; pageSize: number }) => void;
}

/** Every page of the table, as it arrives; rejects with the first error that is not a throttle. */
export async function* readPages(api: PageSource, options: ReadPagesOptions): AsyncGenerator<ProductPage> {
  const pacer = new Pacer({ maxConcurrency: options.segments });
  const stallMs = options.stallMs ?? THROTTLE_STALL_MS;
  let lastAnswer = performance.now();
  /** One request under the pacer, sent again for as long as it is throttled. */
  const paced = async <T>(send: () => Promise<T>): Promise<T> => {
    for (;;) {
      await pacer.acquire(options.signal);
      try {
        const answer = await send();
        pacer.release('answered');
        lastAnswer = performance.now();
        return answer;
      } catch (error) {
        if (!(error instanceof ThrottledError)) {
          pacer.release(error instanceof ApiError && error.status === undefined ? 'lost' : 'answered');
          throw error;
        }
        pacer.release('throttled', error.retryAfterMs);
        if (performance.now() - lastAnswer > stallMs)
          throw new ApiError(`the API throttled every request for ${Math.round(stallMs / 1000)} s`, error.status, {
            cause: error,
          });
      }
    }
  };

  const start = await paced(() => api.listStart({ segments: options.segments, limit: options.pageSize }));
  const limit = start.pageSize;
  let chains: string[];
  if ('segments' in start) chains = start.segments;
  else {
    yield start.page;
    chains = start.page.nextCursor ? [start.page.nextCursor] : [];
  }
  options.onStart?.({ segments: 'segments' in start ? chains.length : 1, pageSize: limit });

  const ready: ProductPage[] = [];
  let failure: { error: unknown } | undefined;
  let reading = chains.length;
  let stopped = false;
  let wake: (() => void) | undefined;
  const changed = () => new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const spaceWaiters = new Set<() => void>();
  const freeSpace = () => {
    for (const resume of spaceWaiters) resume();
    spaceWaiters.clear();
  };
  const held = 2 * Math.max(1, chains.length);

  const readChain = async (first: string) => {
    try {
      for (let cursor: string | null = first; cursor && !stopped; ) {
        while (ready.length >= held && !stopped) await new Promise<void>((resume) => spaceWaiters.add(resume));
        if (stopped) return;
        const at: string = cursor;
        const page = await paced(() => api.listPage({ limit, cursor: at }));
        if (stopped) return;
        ready.push(page);
        notify();
        cursor = page.nextCursor;
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      reading--;
      notify();
    }
  };
  const chainsRead = chains.map((cursor) => readChain(cursor));

  try {
    for (;;) {
      if (failure) throw failure.error;
      const page = ready.shift();
      if (page) {
        freeSpace();
        yield page;
        continue;
      }
      if (reading === 0) return;
      await changed();
    }
  } finally {
    stopped = true;
    freeSpace();
    await Promise.allSettled(chainsRead);
  }
}
