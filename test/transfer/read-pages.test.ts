// Reading every page with several in flight: each segment followed to its end, throttled pages sent again under
// the pacer, the fallback for an API without segments, and the first error that is not a throttle.
import { describe, expect, it } from 'vitest';
import type { ProductPage } from '../../src/http/api-client.js';
import { ThrottledError } from '../../src/http/response-error.js';
import { ApiError } from '../../src/errors.js';
import { readPages, type PageSource } from '../../src/transfer/read-pages.js';

const product = (id: string) => ({
  id,
  title: id,
  description: '',
  price: 1,
  createdAt: '',
  updatedAt: '',
  version: 1,
});

/** A table of `count` products split into segments of pages of `pageSize`, cursors `s<segment>p<page>`. */
function source(
  count: number,
  options: { segments?: number; throttleEvery?: number; failAt?: string } = {},
): PageSource & { inFlight: number; most: number; throttled: number } {
  const ids = Array.from({ length: count }, (_, i) => `p-${i}`);
  const segments = options.segments;
  const parts = segments ? Array.from({ length: segments }, (_, s) => ids.filter((_, i) => i % segments === s)) : [ids];
  let calls = 0;
  const state = { inFlight: 0, most: 0, throttled: 0 };
  const pageOf = (part: number, from: number, limit: number): ProductPage => {
    const items = (parts[part] as string[]).slice(from, from + limit).map(product);
    const next = from + limit < (parts[part] as string[]).length ? `s${part}p${from + limit}` : null;
    return { items, nextCursor: next };
  };
  return Object.assign(state, {
    async listStart({ limit }: { segments: number; limit: number }) {
      if (segments) return { segments: parts.map((_, s) => `s${s}p0`), pageSize: limit };
      return { page: pageOf(0, 0, limit), pageSize: limit };
    },
    async listPage({ limit, cursor }: { limit?: number; cursor?: string | null }) {
      state.inFlight++;
      state.most = Math.max(state.most, state.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (cursor === options.failAt) throw new ApiError('the API failed (HTTP 500)', 500);
        if (options.throttleEvery && ++calls % options.throttleEvery === 0) {
          state.throttled++;
          throw new ThrottledError('throttled', 429, 1);
        }
        const [, part, from] = /^s(\d+)p(\d+)$/.exec(cursor as string) as RegExpExecArray;
        return pageOf(Number(part), Number(from), limit as number);
      } finally {
        state.inFlight--;
      }
    },
  });
}

async function readAll(api: PageSource, segments: number) {
  const ids: string[] = [];
  let read: { segments: number; pageSize: number } | undefined;
  for await (const page of readPages(api, { segments, pageSize: 10, onStart: (start) => (read = start) }))
    ids.push(...page.items.map((item) => item.id));
  return { ids, read };
}

const all = (count: number) => Array.from({ length: count }, (_, i) => `p-${i}`).sort();

describe('readPages', () => {
  it('follows every segment to its end with several pages in flight, each product once', async () => {
    const api = source(437, { segments: 4 });

    const { ids, read } = await readAll(api, 4);

    expect(ids.toSorted()).toEqual(all(437));
    expect(read).toEqual({ segments: 4, pageSize: 10 });
    expect(api.most).toBeGreaterThan(1);
    expect(api.most).toBeLessThanOrEqual(4);
  });

  it('sends a throttled page again, and still writes each product once', async () => {
    const api = source(300, { segments: 3, throttleEvery: 4 });

    const { ids } = await readAll(api, 3);

    expect(api.throttled).toBeGreaterThan(0);
    expect(ids.toSorted()).toEqual(all(300));
  });

  it('reads an API without segments one page after another from its first answer', async () => {
    const api = source(95);

    const { ids, read } = await readAll(api, 4);

    expect(ids.toSorted()).toEqual(all(95));
    expect(read).toEqual({ segments: 1, pageSize: 10 });
    expect(api.most).toBe(1);
  });

  it('rejects with the first error that is not a throttle', async () => {
    const api = source(200, { segments: 2, failAt: 's1p20' });

    await expect(readAll(api, 2)).rejects.toThrow('the API failed (HTTP 500)');
  });
});
