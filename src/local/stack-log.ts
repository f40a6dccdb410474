/**
 * Reading the stack's log (`stack.log` and its rotated `.1`, `.2`, … files, oldest first) as timed lines,
 * and following it as it grows and rotates, for `logs --local`.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DEFAULT_LOG_KEEP, rotatedPath } from './rotating-log.js';

export interface StackLogLine {
  timestamp: number;
  message: string;
  /** The line as JSON, when it is a JSON object (request lines, the function's structured lines). */
  data?: Record<string, unknown>;
}

/** A line of the log, timed by its own `timestamp` (or `time`); a plain line takes the time of the line before it. */
export function parseLogLine(line: string, previousTime: number): StackLogLine {
  let data: Record<string, unknown> | undefined;
  if (line.startsWith('{')) {
    try {
      const parsed = JSON.parse(line) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
    } catch {
      // A plain line that happens to start with a brace.
    }
  }
  const stamp = data ? Date.parse(String(data.timestamp ?? data.time ?? '')) : Number.NaN;
  return { timestamp: Number.isFinite(stamp) ? stamp : previousTime, message: line, ...(data ? { data } : {}) };
}

export interface ReadStackLogOptions {
  /** Lines before this time (ms since the epoch) are skipped. */
  since: number;
  /** Only lines holding every term of this text as a whole word (`412`, `ERROR timeout`; `"a phrase"` as one). */
  filter?: string;
  follow?: boolean;
  signal: AbortSignal;
  pollMs?: number;
  keep?: number;
  /** With `follow`: called once the lines already written are read, with their count, before waiting for more. */
  onCaughtUp?: (count: number) => void;
}

/**
 * A test for `--filter`: every term must appear as a whole word, as CloudWatch matches terms, so `412` finds the
 * status and not a request id or a longer number that holds those digits.
 */
export function termMatcher(filter: string): (line: string) => boolean {
  const phrase = /^"(.*)"$/.exec(filter.trim());
  const terms = phrase
    ? [phrase[1] as string]
    : filter
        .trim()
        .split(/\s+/)
        .filter((term) => term !== '');
  const patterns = terms.map(
    (term) => new RegExp(`(?<![\\p{L}\\p{N}_])${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_])`, 'u'),
  );
  return (line) => patterns.every((pattern) => pattern.test(line));
}

/**
 * How many lines may wait to be put in time order: the stack's writers (gateway, function pool, engine) each log
 * when they finish, stamped when they started, so a line can arrive after later ones. Bounded, so memory stays flat.
 */
const REORDER_WINDOW = 2_000;

interface Cursor {
  previousTime: number;
  count: number;
  /** Lines read but not yet handed on, in time order (equal times in the order read). */
  waiting: StackLogLine[];
}

function emit(
  line: string,
  cursor: Cursor,
  options: ReadStackLogOptions,
  onLine: (line: StackLogLine) => void,
  matches?: (line: string) => boolean,
): void {
  if (line === '') return;
  const parsed = parseLogLine(line, cursor.previousTime);
  cursor.previousTime = parsed.timestamp;
  if (parsed.timestamp < options.since) return;
  if (matches && !matches(line)) return;
  let at = cursor.waiting.length;
  while (at > 0 && (cursor.waiting[at - 1] as StackLogLine).timestamp > parsed.timestamp) at -= 1;
  cursor.waiting.splice(at, 0, parsed);
  if (cursor.waiting.length > REORDER_WINDOW) flush(cursor, onLine, 1);
}

/** Hands on the `n` oldest waiting lines (all by default). */
function flush(cursor: Cursor, onLine: (line: StackLogLine) => void, n = cursor.waiting.length): void {
  for (const line of cursor.waiting.splice(0, n)) {
    cursor.count += 1;
    onLine(line);
  }
}

async function readWhole(
  path: string,
  cursor: Cursor,
  options: ReadStackLogOptions,
  onLine: (line: StackLogLine) => void,
  matches?: (line: string) => boolean,
): Promise<{ ino: number; size: number } | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  const lines = createInterface({
    input: createReadStream(path, { start: 0, end: Math.max(0, info.size - 1) }),
    crlfDelay: Infinity,
  });
  if (info.size > 0) for await (const line of lines) emit(line, cursor, options, onLine, matches);
  return { ino: info.ino, size: info.size };
}

async function readRange(path: string, start: number, end: number): Promise<string> {
  if (end <= start) return '';
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Hands every matching line to `onLine`, oldest first; with `follow`, goes on until the signal aborts. Returns the count. */
export async function readStackLog(
  path: string,
  options: ReadStackLogOptions,
  onLine: (line: StackLogLine) => void,
): Promise<number> {
  const cursor: Cursor = { previousTime: 0, count: 0, waiting: [] };
  const matches = options.filter !== undefined ? termMatcher(options.filter) : undefined;
  const keep = options.keep ?? DEFAULT_LOG_KEEP;
  for (let n = keep; n >= 1; n -= 1) await readWhole(rotatedPath(path, n), cursor, options, onLine, matches);
  let current = await readWhole(path, cursor, options, onLine, matches);
  flush(cursor, onLine);
  if (!options.follow) return cursor.count;
  options.onCaughtUp?.(cursor.count);
  let partial = '';
  // What arrives while following is shown at once, each poll's lines in time order.
  const take = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) emit(line, cursor, options, onLine, matches);
    flush(cursor, onLine);
  };
  while (!options.signal.aborted) {
    await sleep(options.pollMs ?? 500, options.signal);
    if (options.signal.aborted) break;
    const now = await stat(path).catch(() => undefined);
    if (!now) continue;
    if (current && now.ino !== current.ino) {
      // Rotated: the rest of the file we were reading is now `.1`.
      const older = await stat(rotatedPath(path, 1)).catch(() => undefined);
      if (older && older.ino === current.ino) take(await readRange(rotatedPath(path, 1), current.size, older.size));
      current = { ino: now.ino, size: 0 };
    }
    const from = current?.size ?? 0;
    if (now.size > from) take(await readRange(path, from, now.size));
    current = { ino: now.ino, size: Math.max(now.size, from) };
  }
  return cursor.count;
}
