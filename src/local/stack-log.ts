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
  /** Only lines containing this text. */
  filter?: string;
  follow?: boolean;
  signal: AbortSignal;
  pollMs?: number;
  keep?: number;
}

interface Cursor {
  previousTime: number;
  count: number;
}

function emit(line: string, cursor: Cursor, options: ReadStackLogOptions, onLine: (line: StackLogLine) => void): void {
  if (line === '') return;
  const parsed = parseLogLine(line, cursor.previousTime);
  cursor.previousTime = parsed.timestamp;
  if (parsed.timestamp < options.since) return;
  if (options.filter !== undefined && !line.includes(options.filter)) return;
  cursor.count += 1;
  onLine(parsed);
}

async function readWhole(path: string, cursor: Cursor, options: ReadStackLogOptions, onLine: (line: StackLogLine) => void): Promise<{ ino: number; size: number } | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  const lines = createInterface({ input: createReadStream(path, { start: 0, end: Math.max(0, info.size - 1) }), crlfDelay: Infinity });
  if (info.size > 0) for await (const line of lines) emit(line, cursor, options, onLine);
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
export async function readStackLog(path: string, options: ReadStackLogOptions, onLine: (line: StackLogLine) => void): Promise<number> {
  const cursor: Cursor = { previousTime: 0, count: 0 };
  const keep = options.keep ?? DEFAULT_LOG_KEEP;
  for (let n = keep; n >= 1; n -= 1) await readWhole(rotatedPath(path, n), cursor, options, onLine);
  let current = await readWhole(path, cursor, options, onLine);
  if (!options.follow) return cursor.count;
  let partial = '';
  const take = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) emit(line, cursor, options, onLine);
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
