import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  formatFromContent,
  formatFromName,
  peekText,
  readCsv,
  readJsonArray,
  readNdjson,
  textChunks,
  type SourceRow,
} from '../../src/transfer/read-rows.js';

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let index = 0; index < text.length; index += size) yield text.slice(index, index + size);
}

/** The rows without their byte offsets, which only progress uses (tested on their own below). */
async function collect(rows: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const all: SourceRow[] = [];
  for await (const { end: _end, ...row } of rows) all.push(row as SourceRow);
  return all;
}

describe('readJsonArray', () => {
  const text =
    '[\n  {"id": "a", "title": "A, with [brackets] and \\"quotes\\"", "price": 1},\n  {"id": "b",\n   "title": "B", "price": 2},\n  {"id": "c", "price": }\n, {"id":"d","title":"}","price":4}]\n';

  it.each([1, 2, 3, 7, 64, 4096])('yields each element with the line it starts on, in chunks of %i', async (size) => {
    const rows = await collect(readJsonArray(chunked(text, size)));
    expect(rows.map((row) => row.line)).toEqual([2, 3, 5, 6]);
    expect(rows[0]?.value).toEqual({ id: 'a', title: 'A, with [brackets] and "quotes"', price: 1 });
    expect(rows[1]?.value).toEqual({ id: 'b', title: 'B', price: 2 });
    expect(rows[2]?.error).toMatch(/^not valid JSON/);
    expect(rows[3]?.value).toEqual({ id: 'd', title: '}', price: 4 });
  });

  it('parses any array of JSON values as JSON.parse does, however it is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue()),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        async (values, size, pretty) => {
          const json = JSON.stringify(values, null, pretty ? 2 : undefined);
          const rows = await collect(readJsonArray(chunked(json, size)));
          expect(rows.map((row) => row.value)).toEqual(JSON.parse(json));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads an empty array as no rows', async () => {
    expect(await collect(readJsonArray(chunked(' [ ] ', 2)))).toEqual([]);
  });

  it('reports a stray comma as a bad row', async () => {
    const rows = await collect(readJsonArray(chunked('[{"a":1},\n]', 3)));
    expect(rows).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: 'an empty element (a stray comma)' },
    ]);
  });

  it.each([
    ['{"id":"a"}', /must hold an array/],
    ['', /empty/],
    ['[{"id":"a"}', /not closed/],
    ['[1] 2', /after the end/],
  ])('rejects %j as a whole', async (input, message) => {
    await expect(collect(readJsonArray(chunked(input, 4)))).rejects.toThrow(message);
    await expect(collect(readJsonArray(chunked(input, 4)))).rejects.toBeInstanceOf(UsageError);
  });
});

describe('readNdjson', () => {
  it('yields one row per non-blank line, with its line number, however it is cut', async () => {
    const text = '\uFEFF{"id":"a"}\r\n\n{"id":"b"}\n{nope}\n{"id":"c"}';
    for (const size of [1, 5, 100]) {
      const rows = await collect(readNdjson(chunked(text, size)));
      expect(rows.map((row) => [row.line, row.value ?? 'error'])).toEqual([
        [1, { id: 'a' }],
        [3, { id: 'b' }],
        [4, 'error'],
        [5, { id: 'c' }],
      ]);
    }
  });
});

describe('readCsv', () => {
  it('maps cells to fields by the header, reads prices as numbers and leaves empty cells out', async () => {
    const text =
      'id,title,description,price\n1,IPhone,"A phone, with a comma",900\n,No id,,19.99\n3,"Two\nlines",x,abc\n4,Short\n';
    const rows = await collect(readCsv(chunked(text, 7)));
    expect(rows).toEqual([
      { line: 2, value: { id: '1', title: 'IPhone', description: 'A phone, with a comma', price: 900 } },
      { line: 3, value: { title: 'No id', price: 19.99 } },
      { line: 5, value: { id: '3', title: 'Two\nlines', description: 'x', price: 'abc' } },
      { line: 6, error: 'has 2 fields; the header has 4' },
    ]);
  });

  it('rejects a file without a header, or with a quote left open', async () => {
    await expect(collect(readCsv(chunked('', 3)))).rejects.toThrow(/empty/);
    await expect(collect(readCsv(chunked('id,title\n1,"open\n', 3)))).rejects.toBeInstanceOf(UsageError);
  });
});

describe('format detection', () => {
  it.each([
    ['products.json', 'json'],
    ['a.NDJSON', 'ndjson'],
    ['a.jsonl', 'ndjson'],
    ['a.csv', 'csv'],
    ['a.txt', undefined],
  ])('%s is %s by name', (name, format) => {
    expect(formatFromName(name)).toBe(format);
  });

  it.each([
    ['\uFEFF  [', 'json'],
    ['\n{"id"', 'ndjson'],
    ['id,title', 'csv'],
  ])('%j is %s by content', (head, format) => {
    expect(formatFromContent(head)).toBe(format);
  });

  it('peeks past leading white space and gives every chunk back', async () => {
    const { head, all } = await peekText(chunked('   \n  [1,2]', 2));
    expect(head.trim()[0]).toBe('[');
    let text = '';
    for await (const chunk of all) text += chunk;
    expect(text).toBe('   \n  [1,2]');
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('prix: 9€ ✓');
    async function* single() {
      for (const byte of bytes) yield Buffer.from([byte]);
    }
    let text = '';
    for await (const chunk of textChunks(single())) text += chunk;
    expect(text).toBe('prix: 9€ ✓');
  });
});
