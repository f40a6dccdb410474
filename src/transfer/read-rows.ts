/**
 * Readers of product files: a JSON array, NDJSON, or CSV with a header row. Each yields one row at a time
 * with the line it starts on, so that a file of any size is read in constant memory and every bad row can
 * be named. A row that cannot be parsed is yielded with its error and reading goes on; only a file whose
 * whole shape is wrong (a JSON file that is not an array, a CSV quote left open) stops the reader.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { UsageError } from '../errors.js';

export type ImportFormat = 'json' | 'ndjson' | 'csv';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['json', 'ndjson', 'csv'];

/** One record of the file: a parsed value, or why it could not be parsed. */
export type SourceRow = { line: number; value: unknown; error?: undefined } | { line: number; value?: undefined; error: string };

/** The format a file name says, or undefined when it says none. */
export function formatFromName(name: string): ImportFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.csv')) return 'csv';
  return undefined;
}

/** The format the first characters of a file show: `[` a JSON array, `{` NDJSON, anything else CSV. */
export function formatFromContent(head: string): ImportFormat {
  const first = head.replace(/^\uFEFF/, '').trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'ndjson';
  return 'csv';
}

/** Text chunks of a byte or string stream, decoded as UTF-8 without splitting a character. */
export async function* textChunks(source: AsyncIterable<Buffer | string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/**
 * Reads the first chunks until they show something other than white space, and returns them with a stream
 * that yields them again followed by the rest, so that the format can be sniffed from a pipe.
 */
export async function peekText(chunks: AsyncIterable<string>): Promise<{ head: string; all: AsyncGenerator<string> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: string[] = [];
  while (seen.join('').trim() === '') {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
  }
  async function* all(): AsyncGenerator<string> {
    yield* seen;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head: seen.join(''), all: all() };
}

function parseJsonRow(text: string, line: number): SourceRow {
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { line, error: `not valid JSON: ${(error as Error).message}` };
  }
}

/** Rows of NDJSON: one JSON value per line; blank lines are skipped. */
export async function* readNdjson(chunks: AsyncIterable<string>): AsyncGenerator<SourceRow> {
  let line = 0;
  let pending = '';
  for await (const chunk of chunks) {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() as string;
    for (const text of lines) {
      line++;
      const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
      if (trimmed !== '') yield parseJsonRow(trimmed, line);
    }
  }
  line++;
  if (pending.trim() !== '') yield parseJsonRow(pending.trim(), line);
}

/**
 * Rows of a JSON array, one element at a time, without holding the array: a scanner that tracks strings and
 * nesting splits the text at the array's own commas, and each element is parsed on its own.
 */
export async function* readJsonArray(chunks: AsyncIterable<string>): AsyncGenerator<SourceRow> {
  let line = 1;
  let depth = 0; // 0 before '[', 1 inside the array, more inside an element
  let inString = false;
  let escaped = false;
  let ended = false;
  let parts: string[] = [];
  let elementLine = 0;
  let first = true;
  let emptyArray = true;

  for await (const raw of chunks) {
    const chunk = first ? raw.replace(/^\uFEFF/, '') : raw;
    first = false;
    // Where the current element's text begins in this chunk; 0 when an element runs on from the last chunk.
    let start = depth > 1 || inString || parts.length > 0 ? 0 : -1;
    for (let index = 0; index < chunk.length; index++) {
      const char = chunk[index] as string;
      if (char === '\n') line++;
      if (ended) {
        if (!/\s/.test(char)) throw new UsageError(`line ${line}: unexpected text after the end of the JSON array`);
        continue;
      }
      if (depth === 0) {
        if (/\s/.test(char)) continue;
        if (char !== '[') throw new UsageError(`line ${line}: a JSON file must hold an array of products, [ {...}, {...} ]; it starts with ${JSON.stringify(char)}`);
        depth = 1;
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (char === '\\') escaped = true;
        else if (char === '"') inString = false;
        continue;
      }
      if (depth === 1 && (char === ',' || char === ']')) {
        if (start >= 0) parts.push(chunk.slice(start, index));
        start = -1;
        const text = parts.join('').trim();
        parts = [];
        if (text !== '') {
          emptyArray = false;
          yield parseJsonRow(text, elementLine);
        } else if (char === ',' || !emptyArray) {
          yield { line, error: 'an empty element (a stray comma)' };
        }
        if (char === ']') {
          depth = 0;
          ended = true;
        }
        continue;
      }
      if (depth === 1 && start < 0 && parts.length === 0) {
        if (/\s/.test(char)) continue;
        elementLine = line;
      }
      if (start < 0) start = index;
      if (char === '"') inString = true;
      else if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') depth--;
    }
    if (start >= 0) parts.push(chunk.slice(start));
  }
  if (!ended) {
    if (depth === 0) throw new UsageError('the JSON file is empty; it must hold an array of products');
    throw new UsageError(`line ${line}: the JSON array is not closed; the file may be cut short`);
  }
}

/** A CSV price or other number as a number when it is one; otherwise the text, for validation to reject. */
function csvNumber(text: string): unknown {
  const trimmed = text.trim();
  return /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(trimmed) ? Number(trimmed) : text;
}

/**
 * Rows of CSV with a header row naming the columns. Empty cells are left out (an empty id lets the API choose
 * one); `price` and `version` cells are read as numbers.
 */
export async function* readCsv(chunks: AsyncIterable<string>): AsyncGenerator<SourceRow> {
  const parser = Readable.from(chunks).pipe(
    parseCsv({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record.map((name) => name.trim());
        if (header.some((name) => name === '') || new Set(header).size !== header.length) {
          throw new UsageError(`line ${info.lines}: the CSV header must name each column once: ${record.join(',')}`);
        }
        continue;
      }
      if (record.length !== header.length) {
        yield { line: info.lines, error: `has ${record.length} fields; the header has ${header.length}` };
        continue;
      }
      const value: Record<string, unknown> = {};
      header.forEach((name, index) => {
        const cell = record[index] as string;
        if (cell === '') return;
        value[name] = name === 'price' || name === 'version' ? csvNumber(cell) : cell;
      });
      yield { line: info.lines, value };
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const csv = error as Error & { lines?: number };
    throw new UsageError(`the CSV cannot be read${csv.lines ? ` at line ${csv.lines}` : ''}: ${csv.message}`, { cause: error });
  }
  if (!header) throw new UsageError('the CSV file is empty; it needs a header row such as id,title,description,price');
}

/** The rows of a file in the given format. */
export function readRows(chunks: AsyncIterable<string>, format: ImportFormat): AsyncGenerator<SourceRow> {
  if (format === 'json') return readJsonArray(chunks);
  if (format === 'ndjson') return readNdjson(chunks);
  return readCsv(chunks);
}
