import { describe, expect, it } from 'vitest';
import type { ProductInput } from '../../src/contract/index.js';
import { ApiError } from '../../src/errors.js';
import { ThrottledError } from '../../src/http/response-error.js';
import { importRows, ImportStoppedError, rowToInput } from '../../src/transfer/import-rows.js';
import { ReadError, type SourceRow } from '../../src/transfer/read-rows.js';

async function* rowsOf(rows: SourceRow[]): AsyncGenerator<SourceRow> {
  yield* rows;
}

const good = (line: number, id: string): SourceRow => ({ line, value: { id, title: `Product ${id}`, price: line } });

describe('rowToInput', () => {
  it('drops the fields the server sets, so an export imports as is', () => {
    const exported = {
      id: 'a',
      title: 'A',
      description: '',
      price: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      version: 3,
    };
    expect(rowToInput(exported)).toEqual({ ok: true, value: { id: 'a', title: 'A', description: '', price: 1 } });
  });

  it('names each field at fault', () => {
    expect(rowToInput({ id: 'a', price: 'x', colour: 'red' })).toMatchObject({
      ok: false,
      errors: [{ field: 'colour' }, { field: 'title' }, { field: 'price' }],
    });
    expect(rowToInput([1])).toMatchObject({ ok: false });
  });
});

describe('importRows', () => {
  it('creates good rows, skips existing ids, and reports bad rows with their line and reason', async () => {
    // Prepare
    const existing = new Set(['b']);
    const sent: ProductInput[] = [];
    const rows = [
      good(1, 'a'),
      good(2, 'b'),
      { line: 3, value: { id: 'c', title: '', price: 1 } },
      { line: 4, error: 'not valid JSON: x' },
      good(5, 'd'),
    ] as SourceRow[];

    // Act
    const summary = await importRows(rowsOf(rows), {
      concurrency: 2,
      async create(input) {
        sent.push(input);
        if (existing.has(input.id as string)) return 'skipped';
        existing.add(input.id as string);
        return 'created';
      },
    });

    // Assess
    expect(summary).toMatchObject({ rows: 5, created: 2, skipped: 1, failed: 2, interrupted: false });
    expect(summary.failures).toEqual([
      { line: 3, id: 'c', reason: 'title must not be empty' },
      { line: 4, reason: 'not valid JSON: x' },
    ]);
    expect(sent.map((input) => input.id).sort()).toEqual(['a', 'b', 'd']);
  });

  it('never has more than `concurrency` creates in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const rows = Array.from({ length: 40 }, (_, index) => good(index + 1, `p${index}`));
    const summary = await importRows(rowsOf(rows), {
      concurrency: 3,
      async create() {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        return 'created';
      },
    });
    expect(summary.created).toBe(40);
    expect(most).toBe(3);
  });

  it('records a failed create as a failed row and goes on', async () => {
    const summary = await importRows(rowsOf([good(1, 'a'), good(2, 'b')]), {
      concurrency: 1,
      async create(input) {
        if (input.id === 'a') throw new Error('Invalid request: price must be ...');
        return 'created';
      },
    });
    expect(summary).toMatchObject({
      created: 1,
      failed: 1,
      failures: [{ line: 1, id: 'a', reason: 'Invalid request: price must be ...' }],
    });
  });

  it('stops reading at a fatal error and rejects with it', async () => {
    let reads = 0;
    async function* many() {
      for (let index = 1; index <= 1000; index++) {
        reads++;
        yield good(index, `p${index}`);
      }
    }
    const unreachable = new ApiError('cannot reach http://127.0.0.1:1/prod: connection refused');
    await expect(
      importRows(many(), {
        concurrency: 2,
        isFatal: (error) => error === unreachable,
        create: () => Promise.reject(unreachable),
      }),
    ).rejects.toBe(unreachable);
    expect(reads).toBeLessThan(10);
  });

  it('stops when the signal aborts and says it was interrupted', async () => {
    const abort = new AbortController();
    const rows = Array.from({ length: 100 }, (_, index) => good(index + 1, `p${index}`));
    const summary = await importRows(rowsOf(rows), {
      concurrency: 1,
      signal: abort.signal,
      async create(input) {
        if (input.id === 'p9') abort.abort();
        return 'created';
      },
    });
    expect(summary.interrupted).toBe(true);
    expect(summary.created).toBe(10);
  });

  it('keeps the first failures and counts the rest', async () => {
    const rows = Array.from({ length: 5 }, (_, index) => ({ line: index + 1, error: 'bad' }));
    const summary = await importRows(rowsOf(rows), { concurrency: 1, maxFailures: 2, create: async () => 'created' });
    expect(summary).toMatchObject({ failed: 5, failuresOmitted: 3 });
    expect(summary.failures).toHaveLength(2);
  });
});

describe('importRows under throttling and read errors', () => {
  it('sends a throttled row again instead of failing it, and counts the 429s', async () => {
    const attempts = new Map<string, number>();
    const rows = Array.from({ length: 10 }, (_, index) => good(index + 1, `p${index}`));
    const summary = await importRows(rowsOf(rows), {
      concurrency: 2,
      async create(input) {
        const seen = (attempts.get(input.id as string) ?? 0) + 1;
        attempts.set(input.id as string, seen);
        if (seen <= 2)
          throw new ThrottledError('the API is throttling requests (429 Too Many Requests)', 429, undefined);
        return 'created';
      },
    });
    expect(summary).toMatchObject({ rows: 10, created: 10, failed: 0, notSent: 0, throttled: 20 });
  });

  it('holds no more than `concurrency` rows while the API throttles, so throttled rows never pile up', async () => {
    // Prepare: every row is throttled three times, with a Retry-After, before it is created
    const attempts = new Map<string, number>();
    const held = new Set<string>();
    let most = 0;
    const rows = Array.from({ length: 60 }, (_, index) => good(index + 1, `p${index}`));

    // Act
    const summary = await importRows(rowsOf(rows), {
      concurrency: 4,
      async create(input) {
        const id = input.id as string;
        held.add(id);
        most = Math.max(most, held.size);
        const seen = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, seen);
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (seen <= 3) throw new ThrottledError('the API is throttling requests (429 Too Many Requests)', 429, 5);
        held.delete(id);
        return 'created';
      },
    });

    // Assess
    expect(summary).toMatchObject({ rows: 60, created: 60, failed: 0, notSent: 0, throttled: 180 });
    expect(most).toBeLessThanOrEqual(4);
  });

  it('sends what was read before a read error, then rejects saying where reading stopped', async () => {
    const sent: string[] = [];
    async function* broken(): AsyncGenerator<SourceRow> {
      yield good(2, 'a');
      yield good(3, 'b');
      throw new ReadError(4, 'the CSV cannot be read: Quote Not Closed');
    }
    const error = await importRows(broken(), {
      concurrency: 4,
      async create(input) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        sent.push(input.id as string);
        return 'created';
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportStoppedError);
    expect((error as ImportStoppedError).summary).toMatchObject({
      created: 2,
      stoppedAt: { line: 4, reason: 'the CSV cannot be read: Quote Not Closed' },
    });
    expect((error as Error).message).toBe(
      'reading stopped at line 4: the CSV cannot be read: Quote Not Closed; the 2 rows before it: 2 created, 0 skipped, 0 failed',
    );
    expect(sent.sort()).toEqual(['a', 'b']);
  });

  it('checks every row and sends none in a dry run', async () => {
    const rows = [good(1, 'a'), { line: 2, value: { id: 'b', title: '', price: 1 } }, good(3, 'c')] as SourceRow[];
    const summary = await importRows(rowsOf(rows), {
      concurrency: 2,
      dryRun: true,
      create: () => Promise.reject(new Error('must not send')),
    });
    expect(summary).toMatchObject({ rows: 3, valid: 2, failed: 1, created: 0, dryRun: true });
  });
});

describe('importRows in batches', () => {
  /** A batch route over `stored`: created, exists, and `throttleFirst` ids throttled by the table once each. */
  function batchRoute(stored: Set<string>, throttleFirst = new Set<string>()) {
    const requests: number[] = [];
    return {
      requests,
      async createMany(inputs: ProductInput[]) {
        requests.push(inputs.length);
        const results = inputs.map((input, index) => {
          const id = input.id as string;
          if (throttleFirst.delete(id)) return { index, id, outcome: 'throttled' as const };
          if (stored.has(id)) return { index, id, outcome: 'exists' as const };
          stored.add(id);
          return { index, id, outcome: 'created' as const };
        });
        return { results, counts: { created: 0, exists: 0, invalid: 0, throttled: 0 } };
      },
      async create(): Promise<'created' | 'skipped'> {
        throw new Error('not sent one by one');
      },
    };
  }

  it('sends rows in batches bounded by count, counts each outcome, and sends the rows the table throttled again', async () => {
    const stored = new Set(['p3']);
    const route = batchRoute(stored, new Set(['p5', 'p6']));
    const rows = Array.from({ length: 25 }, (_, index) => good(index + 1, `p${index}`));
    const summary = await importRows(rowsOf(rows), { concurrency: 4, batchItems: 10, ...route });
    expect(summary).toMatchObject({ rows: 25, created: 24, skipped: 1, failed: 0, notSent: 0 });
    expect(route.requests.slice(0, 3)).toEqual([10, 10, 5]);
    expect(route.requests.slice(3)).toEqual([2]); // the two throttled rows, once more
    expect(stored.size).toBe(25);
  });

  it('bounds a batch by bytes too', async () => {
    const route = batchRoute(new Set());
    const rows = Array.from({ length: 6 }, (_, index) => ({
      line: index + 1,
      value: { id: `p${index}`, title: 'x'.repeat(150), price: 1 },
    }));
    await importRows(rowsOf(rows), { concurrency: 1, batchBytes: 400, ...route });
    expect(route.requests).toEqual([2, 2, 2]);
  });

  it('reports an item the API found invalid with its line and fields', async () => {
    const summary = await importRows(rowsOf([good(1, 'a'), good(2, 'b')]), {
      concurrency: 1,
      async createMany(inputs) {
        return {
          results: [
            { index: 0, id: 'a', outcome: 'created' },
            { index: 1, id: inputs[1]?.id, outcome: 'invalid', errors: [{ field: 'price', message: 'is wrong' }] },
          ],
          counts: { created: 1, exists: 0, invalid: 1, throttled: 0 },
        };
      },
      create: async () => 'created',
    });
    expect(summary).toMatchObject({
      created: 1,
      failed: 1,
      failures: [{ line: 2, id: 'b', reason: 'price is wrong' }],
    });
  });

  it('falls back to one request per row, once, when the API has no batch route', async () => {
    let batchCalls = 0;
    const created: string[] = [];
    const rows = Array.from({ length: 12 }, (_, index) => good(index + 1, `p${index}`));
    const summary = await importRows(rowsOf(rows), {
      concurrency: 2,
      batchItems: 5,
      async createMany() {
        batchCalls++;
        return undefined;
      },
      async create(input) {
        created.push(input.id as string);
        return 'created';
      },
    });
    expect(summary).toMatchObject({ rows: 12, created: 12, failed: 0, notSent: 0 });
    expect(batchCalls).toBe(1);
    expect(created.sort()).toEqual(rows.map((row) => (row.value as { id: string }).id).sort());
  });

  it('sends a batch refused with 429 again, whole', async () => {
    let calls = 0;
    const summary = await importRows(rowsOf([good(1, 'a'), good(2, 'b')]), {
      concurrency: 1,
      async createMany(inputs) {
        if (++calls === 1) throw new ThrottledError('Too Many Requests', 429, 10);
        return {
          results: inputs.map((input, index) => ({ index, id: input.id, outcome: 'created' as const })),
          counts: { created: 2, exists: 0, invalid: 0, throttled: 0 },
        };
      },
      create: async () => 'created',
    });
    expect(summary).toMatchObject({ created: 2, throttled: 1 });
  });
});

describe('importRows resumed from a mark', () => {
  it('moves the mark only past rows that all have an answer, in file order, whatever order answers come in', async () => {
    // Prepare: row 2 fails here; the answer for the first batch comes after the one for the second.
    const marks: { rows: number; failed: number[] }[] = [];
    let first = true;
    const rows = [
      good(1, 'a'),
      { line: 2, value: { id: 'b', title: '', price: 1 } },
      good(3, 'c'),
      good(4, 'd'),
      good(5, 'e'),
    ] as SourceRow[];

    // Act
    await importRows(rowsOf(rows), {
      concurrency: 4,
      batchItems: 2,
      async createMany(inputs) {
        if (first) (first = false), await new Promise((resolve) => setTimeout(resolve, 30));
        return {
          results: inputs.map((input, index) => ({ index, id: input.id, outcome: 'created' as const })),
          counts: { created: inputs.length, exists: 0, invalid: 0, throttled: 0 },
        };
      },
      create: async () => 'created',
      onMark: (mark) => marks.push(structuredClone(mark)),
    });

    // Assess: batches are rows 1-3 (a, c; b failed here) and 4-5; the second is answered first, and marks nothing.
    expect(marks).toEqual([{ rows: 5, failed: [2] }]);
  });

  it('sends only the rows after the mark and those that had failed, counting the rest as done already', async () => {
    const sent: string[] = [];
    const rows = Array.from({ length: 6 }, (_, index) => good(index + 1, `r${index + 1}`));

    const summary = await importRows(rowsOf(rows), {
      concurrency: 2,
      resume: { rows: 4, failed: [2] },
      async create(input) {
        sent.push(input.id as string);
        return 'created';
      },
    });

    expect(sent.sort()).toEqual(['r2', 'r5', 'r6']);
    expect(summary).toMatchObject({ rows: 6, alreadyDone: 3, skipped: 3, created: 3, failed: 0 });
  });

  it('does not mark rows that were not sent when the import stops', async () => {
    const stop = new AbortController();
    const marks: number[] = [];
    const rows = Array.from({ length: 50 }, (_, index) => good(index + 1, `s${index + 1}`));

    const summary = await importRows(rowsOf(rows), {
      concurrency: 1,
      signal: stop.signal,
      async create(input) {
        if (input.id === 's10') stop.abort();
        return 'created';
      },
      onMark: (mark) => marks.push(mark.rows),
    });

    expect(summary.interrupted).toBe(true);
    expect(Math.max(...marks)).toBeLessThanOrEqual(summary.created);
    expect(Math.max(...marks)).toBeGreaterThan(0);
  });
});
