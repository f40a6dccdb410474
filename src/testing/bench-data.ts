/** The products a bench makes before its load, and their removal afterwards, both paced to the stage throttle. */
import type { ProductApi } from '../http/api-client.js';
import { parseRetryAfter } from '../http/retry.js';
import { ThrottledError } from '../http/response-error.js';
import { ApiError } from '../errors.js';
import { pacedEach } from './paced-each.js';
import { deleteMany } from '../transfer/delete-many.js';

/**
 * Creates the products; each id goes into `sent` before its request, so that whatever happens the caller can
 * delete every product that may exist. Stops taking new ids when `signal` aborts; rejects with the first error.
 */
export async function seedProducts(
  api: ProductApi,
  ids: string[],
  concurrency: number,
  sent: Set<string>,
  signal: AbortSignal,
): Promise<void> {
  await pacedEach(ids, { concurrency, signal }, async (id) => {
    sent.add(id);
    try {
      await api.create({ id, title: `Bench product ${id}`, description: 'Seeded by products-cli bench', price: 10 });
    } catch (error) {
      if (error instanceof ThrottledError) return { throttled: true, retryAfterMs: error.retryAfterMs };
      throw error;
    }
  });
}

/**
 * Deletes the products, in batch requests where the API has the route (a missing one is already done); counts those deleted and those that could not be,
 * including those never tried when the API throttled every request for too long.
 */
export async function deleteProducts(
  api: ProductApi,
  ids: Iterable<string>,
  concurrency: number,
  stall: { stallMs?: number; now?: () => number } = {},
): Promise<{ deleted: number; left: number }> {
  const all = [...ids];
  try {
    const batched = await deleteMany(api, all, { concurrency, ...stall });
    if (batched) return { deleted: batched.deleted.length, left: 0 };
  } catch (error) {
    // Throttled past the stall limit: nothing more gets through. Otherwise each id goes on its own below.
    if (error instanceof ApiError && error.status === 429) return { deleted: 0, left: all.length };
  }
  let deleted = 0;
  let gone = 0;
  let left = 0;
  try {
    await pacedEach(all, { concurrency, ...stall }, async (id) => {
      try {
        const response = await api.call('deleteProduct', { params: { id } });
        if (response.status === 429 || response.status === 503)
          return { throttled: true, retryAfterMs: parseRetryAfter(response.headers['retry-after']) };
        if (response.status === 204 || response.status === 200) deleted++;
        else if (response.status === 404) gone++;
        else left++;
      } catch {
        left++;
      }
    });
  } catch {
    // The API throttled every delete past the stall limit: those not answered are left behind.
    left = all.length - deleted - gone;
  }
  return { deleted, left };
}
