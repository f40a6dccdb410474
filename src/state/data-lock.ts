/**
 * `<dataDir>.lock`: which process holds a data directory, and how to reach and identify it. LevelDB allows
 * one process per directory (and dynalite reports a second opener only by crashing on its first request), so
 * a stack takes this lock before opening its data. The lock names its owner's pid, port, URL and secret, so
 * that setup, teardown and status find the stack that holds the data even when the state file is lost.
 */
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { refuseSymlink, tightenFile } from './safe-path.js';

export interface DataOwner {
  pid: number;
  /** Known once the stack's gateway listens. */
  port?: number;
  url?: string;
  stage?: string;
  startedAt?: string;
  secret?: string;
  dynamodbEndpoint?: string;
}

export interface DataLock {
  /** Adds what became known about the owner (its port, once listening). */
  record(owner: Omit<DataOwner, 'pid'>): Promise<void>;
  release(): Promise<void>;
}

export class DataDirInUseError extends AppError {
  constructor(
    readonly dataDir: string,
    readonly owner: DataOwner,
  ) {
    super(
      `the data in ${dataDir} is in use by another local stack (pid ${owner.pid}${owner.url ? ` at ${owner.url}` : ''}); stop it first with \`products-cli teardown --local --keep-data\``,
    );
    this.name = 'DataDirInUseError';
  }
}

export function dataLockPath(dataDir: string): string {
  return `${dataDir}.lock`;
}

/** The owner a lock names; undefined when there is no lock. An older lock holds only a pid. */
export async function readDataOwner(dataDir: string): Promise<DataOwner | undefined> {
  const path = dataLockPath(dataDir);
  await refuseSymlink(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as DataOwner | number;
    const parsed = typeof owner === 'number' ? { pid: owner } : owner;
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : { pid: 0 };
  } catch {
    // A lock half written by a process that died at that moment.
    return { pid: 0 };
  }
}

/**
 * Takes the lock for this process. An existing lock whose owner `isLive` says is gone is taken over;
 * otherwise DataDirInUseError names the owner.
 */
export async function takeDataLock(dataDir: string, isLive: (owner: DataOwner) => Promise<boolean>): Promise<DataLock> {
  const path = dataLockPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await tightenFile(path);
    // Written whole beside the lock, then linked into place: the link fails if the lock exists, and a
    // reader never sees a lock without its owner.
    const staged = `${path}.${process.pid}.new`;
    await writeFile(staged, JSON.stringify({ pid: process.pid }), { mode: 0o600 });
    try {
      await link(staged, path).finally(() => rm(staged, { force: true }));
      let owner: DataOwner = { pid: process.pid };
      return {
        async record(more) {
          owner = { ...owner, ...more, pid: process.pid };
          // Written beside and renamed over, so a reader never sees half a lock.
          const temporary = `${path}.${process.pid}.tmp`;
          await writeFile(temporary, JSON.stringify(owner), { mode: 0o600 });
          await rename(temporary, path);
        },
        release: () => rm(path, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readDataOwner(dataDir);
      if (owner && owner.pid > 0 && (await isLive(owner))) throw new DataDirInUseError(dataDir, owner);
      await rm(path, { force: true });
    }
  }
  throw new AppError(`could not lock ${dataDir}: another process keeps taking it`);
}
