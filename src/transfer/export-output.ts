/**
 * Where an export writes: a temporary file beside FILE (`FILE.partial-PID`), renamed over it only once complete,
 * so that an interrupted export never leaves a partial file under the name asked for; and the removal of such
 * temporary files left by exports whose process died (killed, or the machine stopped).
 */
import { createWriteStream } from 'node:fs';
import { constants } from 'node:fs';
import { access, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { isProcessAlive } from '../state/process-alive.js';

/**
 * Refuses, before any request is made, an output that is a directory or whose folder is missing or not writable,
 * naming the path given: the temporary file's name is not the user's business.
 */
export async function checkOutputPath(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory())
    throw new UsageError(`--output ${path} is a directory; give a file name, such as ${join(path, 'products.ndjson')}`);
  const dir = dirname(path);
  const folder = await stat(dir).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`--output ${path}: the folder ${dir} does not exist`);
  await access(dir, constants.W_OK).catch(() => {
    throw new UsageError(`--output ${path}: the folder ${dir} is not writable`);
  });
}

/** Removes `FILE.partial-PID` files beside `path` whose process is gone; returns their names. */
export async function removeStalePartials(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.partial-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => {
    if (!name.startsWith(prefix)) return false;
    const pid = Number(name.slice(prefix.length));
    // A file under our own pid is a dead process's too: that pid was reused.
    return Number.isInteger(pid) && pid > 0 && (pid === process.pid || !isProcessAlive(pid));
  });
  await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
  return stale;
}

/** Opens the temporary file for `path`. */
export function openPartial(path: string): { stream: Writable; partial: string } {
  const partial = `${path}.partial-${process.pid}`;
  return { stream: createWriteStream(partial, { flags: 'wx' }), partial };
}
