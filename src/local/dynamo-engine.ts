/** The embedded DynamoDB engine: dynalite on a loopback port, its data in a directory or in memory. */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { isProcessAlive } from './process-alive.js';

export interface DynamoEngineOptions {
  /** Keep the data (LevelDB) in this directory; omitted = in memory, gone when stopped. */
  dataDir?: string;
  /** 0 = any free port. */
  port?: number;
  host?: string;
}

export interface DynamoEngine {
  endpoint: string;
  stop(): Promise<void>;
}

export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`the data in ${dataDir} is in use by another local stack (pid ${pid}); stop it first, e.g. with \`products-cli teardown --local --keep-data\``);
    this.name = 'DataDirInUseError';
  }
}

/**
 * Takes `<dataDir>.lock` for this process. LevelDB allows one process per directory, and dynalite reports a
 * second opener only by crashing on its first request, so a clear error is raised here instead. A lock
 * left by a process that is gone is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (holder > 0 && isProcessAlive(holder)) throw new DataDirInUseError(dataDir, holder);
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

/** Starts dynalite in this process; tables become ACTIVE at once, so startup stays fast. */
export async function startDynamoEngine(options: DynamoEngineOptions = {}): Promise<DynamoEngine> {
  let unlock = async () => {};
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    unlock = await lockDataDir(options.dataDir);
  }
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await unlock();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    stop: async () => {
      await new Promise<void>((resolve, reject) => {
        // dynalite's close waits for pending operations, then closes the store, so acknowledged writes are on disk.
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await unlock();
    },
  };
}
