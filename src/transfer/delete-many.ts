/**
 * Deleting many products through the batch route (DELETE /products), up to 1,000 ids a request, several
 * requests in flight under the import's pacer (AIMD on 429, Retry-After); ids the table throttled are sent
 * again. Undefined when the API has no batch route, so that the caller deletes one request per id.
 */
import { BATCH_MAX_ITEMS } from '../contract/index.js';
import type { ProductApi } from '../http/api-client.js';
import { ThrottledError } from '../http/response-error.js';
import { sleep } from '../http/retry.js';
import { ApiError } from '../errors.js';
import { Pacer, THROTTLE_STALL_MS } from './pacer.js';

export interface DeleteManyResult {
  deleted: string[];
  notFound: string[];
}

/** Deletes every id (each mentioned once); rejects with the first error that is not a throttle. */
export async function deleteMany(
  api: ProductApi,
  ids: readonly string[],
  options: { concurrency: number; signal?: AbortSignal; stallMs?: number; now?: () => number },
): Promise<DeleteManyResult | undefined> {
  const unique = [...new Set(ids)];
  const pacer = new Pacer({ maxConcurrency: options.concurrency });
  const result: DeleteManyResult = { deleted: [], notFound: [] };
  let unsupported = false;
  const now = options.now ?? (() => performance.now());
  const stallMs = options.stallMs ?? THROTTLE_STALL_MS;
  let lastAnswer = now();
  const chunks = Array.from({ length: Math.ceil(unique.length / BATCH_MAX_ITEMS) }, (_, i) =>
    unique.slice(i * BATCH_MAX_ITEMS, (i + 1) * BATCH_MAX_ITEMS),
  );

  const sendChunk = async (chunk: string[]) => {
    for (let busy = 0; chunk.length > 0 && !unsupported; ) {
      if (busy > 0) await sleep(Math.min(2_000, 100 * 2 ** busy), options.signal);
      await pacer.acquire(options.signal);
      let answer;
      try {
        answer = await api.deleteMany(chunk);
      } catch (error) {
        if (!(error instanceof ThrottledError)) {
          pacer.release('answered');
          throw error;
        }
        pacer.release('throttled', error.retryAfterMs);
        if (now() - lastAnswer > stallMs)
          throw new ApiError(`the API throttled every request for ${Math.round(stallMs / 1000)} s`, error.status, {
            cause: error,
          });
        continue;
      }
      pacer.release('answered');
      lastAnswer = now();
      if (answer === undefined) {
        unsupported = true;
        return;
      }
      const again: string[] = [];
      for (const item of answer.results) {
        const id = chunk[item.index] as string;
        if (item.outcome === 'deleted') result.deleted.push(id);
        else if (item.outcome === 'notFound' || item.outcome === 'invalid') result.notFound.push(id);
        else again.push(id);
      }
      busy = again.length > 0 ? busy + 1 : 0;
      chunk = again;
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, chunks.length) }, async () => {
      while (next < chunks.length && !unsupported) await sendChunk(chunks[next++] as string[]);
    }),
  );
  return unsupported ? undefined : result;
}
