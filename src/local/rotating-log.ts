/**
 * The stack's log file, size-capped: past `maxBytes` it is renamed to `.1` (the older ones to `.2`, …) and a
 * new one is started, keeping `keep` old files. Lines are gathered and written in batches, in order.
 */
import { rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { openPrivateAppend } from '../state/safe-path.js';

export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 3;

export interface RotatingLog {
  write(line: string): void;
  /** Writes what is pending and closes the file. */
  close(): Promise<void>;
}

export interface RotatingLogOptions {
  maxBytes?: number;
  keep?: number;
}

/** The name of the `n`th older file: `stack.log.1` is the newest of them. */
export function rotatedPath(path: string, n: number): string {
  return `${path}.${n}`;
}

/** Opens (creating, mode 0600, never through a link) the log at `path` for appending. */
export async function openRotatingLog(path: string, options: RotatingLogOptions = {}): Promise<RotatingLog> {
  const maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const keep = options.keep ?? DEFAULT_LOG_KEEP;
  let handle: FileHandle = await openPrivateAppend(path);
  let size = (await handle.stat()).size;
  let pending: string[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;
  let closed = false;

  const rotate = async () => {
    await handle.close();
    await rm(rotatedPath(path, keep), { force: true });
    for (let n = keep - 1; n >= 1; n -= 1)
      await rename(rotatedPath(path, n), rotatedPath(path, n + 1)).catch(() => undefined);
    await rename(path, rotatedPath(path, 1)).catch(() => undefined);
    handle = await openPrivateAppend(path);
    size = 0;
  };

  const flush = async () => {
    scheduled = false;
    const lines = pending;
    pending = [];
    let batch = '';
    for (const line of lines) {
      const text = `${line}\n`;
      if (size + Buffer.byteLength(batch) + Buffer.byteLength(text) > maxBytes && size + batch.length > 0) {
        if (batch) await handle.write(batch);
        batch = '';
        await rotate();
      }
      batch += text;
    }
    if (batch) {
      await handle.write(batch);
      size += Buffer.byteLength(batch);
    }
  };

  return {
    write(line) {
      if (closed) return;
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        // A failure to write the log must not take the stack down; it loses those lines only.
        chain = chain.then(flush).catch(() => undefined);
      }
    },
    async close() {
      closed = true;
      if (pending.length > 0) chain = chain.then(flush).catch(() => undefined);
      await chain;
      await handle.close();
    },
  };
}
