// GET /product through the handler on a real engine (dynalite): pages bounded by count and by bytes over several
// Scan calls, and the segments of a parallel scan behind opaque cursors, each product in exactly one of them.
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESCRIPTION_MAX_LENGTH,
  LIST_LIMIT_MAX,
  LIST_PAGE_MAX_BYTES,
  LIST_SEGMENTS_MAX,
} from '../../src/contract/index.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { bodyOf, harness } from '../helpers/handler-harness.js';
import { proxyEvent } from '../helpers/proxy-event.js';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine?.stop();
});

const stamp = '2026-01-01T00:00:00.000Z';
const stored = (id: string, description = '') => ({
  id,
  title: `Product ${id}`,
  description,
  price: 10,
  createdAt: stamp,
  updatedAt: stamp,
  version: 1,
});

async function seed(items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const chunk = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    const { UnprocessedItems } = await engine.documentClient.send(
      new BatchWriteCommand({ RequestItems: { [engine.tableName]: chunk } }),
    );
    expect(UnprocessedItems?.[engine.tableName] ?? []).toEqual([]);
  }
}

async function clear(ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 25) {
    const chunk = ids.slice(i, i + 25).map((id) => ({ DeleteRequest: { Key: { id } } }));
    await engine.documentClient.send(new BatchWriteCommand({ RequestItems: { [engine.tableName]: chunk } }));
  }
}

const list = async (query: Record<string, string>) => {
  const result = await harness(engine).handler(proxyEvent('GET', '/product', { query }), {} as never);
  return { status: result.statusCode, body: bodyOf(result), bytes: Buffer.byteLength(result.body) };
};

/** Every page from `cursor` on: the ids of the items and of the skipped items, and the pages' count. */
async function readOn(cursor: string | undefined, limit: number) {
  const ids: string[] = [];
  const skipped: string[] = [];
  let pages = 0;
  do {
    const page = await list({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    pages++;
    ids.push(...page.body.items.map((item: { id: string }) => item.id));
    skipped.push(...(page.body.skipped ?? []).map((item: { id: string }) => item.id));
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return { ids, skipped, pages };
}

const cursorOf = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');

describe('list pages', () => {
  it('stops a page at its byte budget, over several 1 MB Scan calls, and goes on from where it stopped', async () => {
    // Prepare: items of the largest description, so that LIST_LIMIT_MAX of them pass the budget twice over
    const big = Array.from({ length: LIST_LIMIT_MAX }, (_, i) =>
      stored(`big-${i}`, 'd'.repeat(DESCRIPTION_MAX_LENGTH)),
    );
    await seed(big);
    try {
      // Act
      const first = await list({ limit: String(LIST_LIMIT_MAX) });
      const all = await readOn(undefined, LIST_LIMIT_MAX);

      // Assess: more than one Scan call's 1 MB, but within the budget, and every item once over the pages
      expect(first.status).toBe(200);
      const itemBytes = Buffer.byteLength(JSON.stringify(first.body.items));
      expect(itemBytes).toBeGreaterThan(1024 * 1024);
      expect(itemBytes).toBeLessThanOrEqual(LIST_PAGE_MAX_BYTES);
      expect(first.body.items.length).toBeLessThan(LIST_LIMIT_MAX);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      expect(all.ids.toSorted()).toEqual(big.map((item) => item.id).toSorted());
      expect(all.pages).toBeGreaterThan(1);
    } finally {
      await clear(big.map((item) => item.id));
    }
  });

  it('answers segments=N with N cursors whose pages hold every product exactly once, unreadable items skipped once', async () => {
    // Prepare: 500 products and two items another tool wrote with a price that is no number
    const products = Array.from({ length: 500 }, (_, i) => stored(`seg-${i}`));
    const unreadable = [
      { ...stored('odd-1'), price: 'ten' },
      { ...stored('odd-2'), price: 'eleven' },
    ];
    await seed([...products, ...unreadable]);
    try {
      // Act
      const start = await list({ segments: '4', limit: '1000' });
      const segments = await Promise.all((start.body.segments as string[]).map((cursor) => readOn(cursor, 40)));

      // Assess
      expect(start.status).toBe(200);
      expect(start.body.items).toEqual([]);
      expect(start.body.nextCursor).toBeNull();
      expect(start.body.segments).toHaveLength(4);
      const ids = segments.flatMap((segment) => segment.ids);
      expect(ids.toSorted()).toEqual(products.map((item) => item.id).toSorted());
      expect(segments.flatMap((segment) => segment.skipped).toSorted()).toEqual(['odd-1', 'odd-2']);
      // A parallel scan splits the table: more than one segment holds products.
      expect(segments.filter((segment) => segment.ids.length > 0).length).toBeGreaterThan(1);
    } finally {
      await clear([...products, ...unreadable].map((item) => item.id));
    }
  });

  it.each([
    ['a segment past the total', { seg: 4, of: 4 }],
    ['more segments than allowed', { seg: 0, of: LIST_SEGMENTS_MAX + 1 }],
    ['a fractional segment', { seg: 0.5, of: 2 }],
    ['a field of its own', { id: 'seg-1', page: 2 }],
    ['an id that is not an id', { seg: 0, of: 2, id: '' }],
  ])('answers a forged cursor (%s) with a 400 problem naming the cursor', async (_name, json) => {
    const answer = await list({ cursor: cursorOf(json) });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'cursor', message: 'is not a valid cursor' }]);
  });

  it('answers a segment cursor whose key lies in another segment with a 400 problem', async () => {
    // Prepare: find the segment of a stored id by reading the segments' first pages
    const products = Array.from({ length: 50 }, (_, i) => stored(`key-${i}`));
    await seed(products);
    try {
      const start = await list({ segments: '2' });
      const first = await list({ cursor: start.body.segments[0], limit: '1' });
      const id = first.body.items[0].id as string;

      // Act: the same key, in the other segment
      const answer = await list({ cursor: cursorOf({ seg: 1, of: 2, id }) });

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([{ field: 'cursor', message: 'is not a valid cursor' }]);
    } finally {
      await clear(products.map((item) => item.id));
    }
  });

  it.each([
    ['segments with a cursor', { segments: '2', cursor: cursorOf({ id: 'x' }) }, 'segments'],
    ['too many segments', { segments: String(LIST_SEGMENTS_MAX + 1) }, 'segments'],
    ['no segments', { segments: '0' }, 'segments'],
    ['a page past the largest', { limit: String(LIST_LIMIT_MAX + 1) }, 'limit'],
  ])('answers %s with a 400 problem naming the parameter', async (_name, query, field) => {
    const answer = await list(query);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field, message: expect.any(String) }]);
  });
});
