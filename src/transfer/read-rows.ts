/**
 * Readers of product files: a JSON array, NDJSON, or CSV with a header row. Each yields one row at a time
 * with the line it starts on, so that a file of any size is read in constant memory and every bad row can
 * be named. A row that cannot be parsed is yielded with its error and reading goes on; only a file whose
 * whole shape is wrong (a JSON file that is not an array, a CSV quote left open, bytes that are not UTF-8
 * text) stops the reader, with a ReadError naming the line. A UTF-8 byte order mark is skipped in every format.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { UsageError } from '../errors.js';

/** The file cannot be read past `line`. */
export class ReadError extends UsageError {
  constructor(
    readonly line: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`line ${line}: ${reason}`, options);
    this.name = 'ReadError';
  }
}

export type ImportFormat = 'json' | 'ndjson' | 'csv';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['json', 'ndjson', 'csv'];

/** One record of the file: a parsed value, or why it could not be parsed; `end` is the byte just past it, for progress. */
export type SourceRow = (
  | { line: number; value: unknown; error?: undefined }
  | { line: number; value?: undefined; error: string }
) & { end?: number };

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

/**
 * Text chunks of a byte or string stream, decoded as UTF-8 without splitting a character. Bytes that are not
 * UTF-8, or a NUL, stop it with a ReadError: such a file is binary (or in another encoding), and reading it on
 * would only print its bytes back as errors.
 */
export async function* textChunks(source: AsyncIterable<Buffer | string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let line = 1;
  const check = (text: string) => {
    const nul = text.indexOf('\u0000');
    if (nul >= 0)
      throw new ReadError(
        line + count(text.slice(0, nul), '\n'),
        'the file holds binary data (a NUL byte), not JSON, NDJSON or CSV text',
      );
    line += count(text, '\n');
    return text;
  };
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw new ReadError(line, 'the file is not UTF-8 text (binary data, or another encoding); save it as UTF-8', {
        cause: error,
      });
    }
  };
  for await (const chunk of source) {
    const text = check(typeof chunk === 'string' ? chunk : decode(chunk));
    if (text !== '') yield text;
  }
  const rest = check(decode());
  if (rest !== '') yield rest;
}

function count(text: string, char: string): number {
  let n = 0;
  for (let index = text.indexOf(char); index >= 0; index = text.indexOf(char, index + 1)) n++;
  return n;
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
  let bytes = 0;
  for await (const chunk of chunks) {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() as string;
    for (const text of lines) {
      line++;
      bytes += Buffer.byteLength(text) + 1;
      const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
      if (trimmed !== '') yield { ...parseJsonRow(trimmed, line), end: bytes };
    }
  }
  line++;
  bytes += Buffer.byteLength(pending);
  const trimmed = (line === 1 ? pending.replace(/^\uFEFF/, '') : pending).trim();
  if (trimmed !== '') yield { ...parseJsonRow(trimmed, line), end: bytes };
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

  let bytesBefore = 0;
  for await (const raw of chunks) {
    const chunk = first ? raw.replace(/^\uFEFF/, '') : raw;
    first = false;
    const chunkBytes = Buffer.byteLength(raw);
    // Where an element ends, in bytes: estimated within the chunk, which is exact for ASCII.
    const endAt = (index: number) => bytesBefore + Math.round((chunkBytes * index) / Math.max(1, chunk.length));
    // Where the current element's text begins in this chunk; 0 when an element runs on from the last chunk.
    let start = depth > 1 || inString || parts.length > 0 ? 0 : -1;
    for (let index = 0; index < chunk.length; index++) {
      const char = chunk[index] as string;
      if (char === '\n') line++;
      if (ended) {
        if (!/\s/.test(char)) throw new ReadError(line, 'unexpected text after the end of the JSON array');
        continue;
      }
      if (depth === 0) {
        if (/\s/.test(char)) continue;
        if (char !== '[')
          throw new ReadError(
            line,
            `a JSON file must hold an array of products, [ {...}, {...} ]; it starts with ${JSON.stringify(char)}`,
          );
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
          yield { ...parseJsonRow(text, elementLine), end: endAt(index) };
        } else if (char === ',' || !emptyArray) {
          yield { line, error: 'an empty element (a stray comma)', end: endAt(index) };
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
    bytesBefore += chunkBytes;
  }
  if (!ended) {
    if (depth === 0) throw new UsageError('the JSON file is empty; it must hold an array of products');
    throw new ReadError(line, 'the JSON array is not closed; the file may be cut short');
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
  const source = Readable.from(chunks);
  // A parse error is taken as a 'skip' rather than as the stream's error, which would discard the records parsed
  // before it but not yet read: every row before the broken one is yielded, then reading stops there.
  const parser = parseCsv({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  let broken: { error: Error; records: number } | undefined;
  parser.on('skip', (error: Error) => {
    broken ??= { error, records: (parser as unknown as { info: { records: number } }).info.records };
  });
  // The source's own failure (a ReadError from the decoder) reaches the loop below through the parser.
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; bytes: number; records: number };
    }>) {
      if (broken && info.records > broken.records) throw broken.error;
      if (!header) {
        header = record.map((name) => name.trim());
        if (header.some((name) => name === '') || new Set(header).size !== header.length) {
          throw new ReadError(info.lines, `the CSV header must name each column once: ${record.join(',')}`);
        }
        continue;
      }
      if (record.length !== header.length) {
        yield {
          line: info.lines,
          error: `has ${record.length} fields; the header has ${header.length}`,
          end: info.bytes,
        };
        continue;
      }
      const value: Record<string, unknown> = {};
      header.forEach((name, index) => {
        const cell = record[index] as string;
        if (cell === '') return;
        value[name] = name === 'price' || name === 'version' ? csvNumber(cell) : cell;
      });
      yield { line: info.lines, value, end: info.bytes };
    }
    if (broken) throw broken.error;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const csv = error as Error & { lines?: number };
    // csv-parse quotes the field's value after "value is": from a binary or broken file, that is junk.
    const reason = csv.message.replace(/,?\s*value is [\s\S]*$/, '');
    throw new ReadError(csv.lines ?? 1, `the CSV cannot be read: ${reason}`, { cause: error });
  } finally {
    // Ends the reading of the file too, whichever way the loop ended, so that no stream is left to fail later.
    source.unpipe(parser);
    source.destroy();
    parser.destroy();
  }
  if (!header) throw new UsageError('the CSV file is empty; it needs a header row such as id,title,description,price');
}

/** The rows of a file in the given format. */
export function readRows(chunks: AsyncIterable<string>, format: ImportFormat): AsyncGenerator<SourceRow> {
  if (format === 'json') return readJsonArray(chunks);
  if (format === 'ndjson') return readNdjson(chunks);
  return readCsv(chunks);
}
