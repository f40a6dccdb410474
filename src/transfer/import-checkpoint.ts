/**
 * An import's checkpoint: how far into the file every row has an answer, kept in the state folder under a name
 * made of the file's path and the API's URL, so that an import killed at any point and run again sends only the
 * rows after it (and the rows that had failed before it). It holds the file's SHA-256: a file changed since is
 * imported from its start again, where existing ids are skipped by the API as always.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stateDir } from '../state/state-file.js';

/** How far an import got: the first `rows` rows all have an answer; `failed` are the ordinals (from 1) that failed. */
export interface ImportMark {
  rows: number;
  failed: number[];
}

interface CheckpointFile extends ImportMark {
  file: string;
  api: string;
  sha256: string;
}

/** Checkpoints that list more failed rows than this are not kept: the import starts over instead. */
const MAX_FAILED_KEPT = 10_000;
/** Least time between two writes of the checkpoint while the import runs. */
const SAVE_EVERY_MS = 250;

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class ImportCheckpoint {
  private saving: Promise<void> = Promise.resolve();
  private lastSave = 0;
  private pending: ImportMark | undefined;

  private constructor(
    readonly path: string,
    private readonly identity: Omit<CheckpointFile, keyof ImportMark>,
    /** The mark an earlier run of the same import left, when the file has not changed since. */
    readonly resumed: ImportMark | undefined,
  ) {}

  /** The checkpoint of importing `file` into `api` from `cwd`, with what an earlier run left. */
  static async open(cwd: string, file: string, api: string): Promise<ImportCheckpoint> {
    const absolute = resolve(cwd, file);
    const name = createHash('sha256').update(`${absolute}\n${api}`).digest('hex').slice(0, 24);
    const path = join(stateDir(cwd), 'imports', `${name}.json`);
    const identity = { file: absolute, api, sha256: await fileSha256(absolute) };
    let resumed: ImportMark | undefined;
    try {
      const stored = JSON.parse(await readFile(path, 'utf8')) as Partial<CheckpointFile>;
      const same = stored.file === identity.file && stored.api === identity.api && stored.sha256 === identity.sha256;
      if (same && Number.isInteger(stored.rows) && Array.isArray(stored.failed))
        resumed = { rows: stored.rows as number, failed: stored.failed };
    } catch {
      // None yet, or unreadable: the import starts from the first row.
    }
    return new ImportCheckpoint(path, identity, resumed);
  }

  /** Records the mark, at most every SAVE_EVERY_MS while the import runs (`now` writes it at once). */
  save(mark: ImportMark, now = false): Promise<void> {
    this.pending = mark; // read when written: the import only ever moves it forward
    if (!now && performance.now() - this.lastSave < SAVE_EVERY_MS) return this.saving;
    this.lastSave = performance.now();
    this.saving = this.saving.then(() => this.write()).catch(() => undefined);
    return this.saving;
  }

  /** Removes the checkpoint: the import is complete. */
  async clear(): Promise<void> {
    this.pending = undefined;
    await this.saving;
    await rm(this.path, { force: true });
  }

  private async write(): Promise<void> {
    const mark = this.pending;
    if (mark === undefined || mark.failed.length > MAX_FAILED_KEPT) return;
    await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ ...this.identity, ...mark })}\n`, { mode: 0o600 });
    await rename(temporary, this.path);
  }
}
