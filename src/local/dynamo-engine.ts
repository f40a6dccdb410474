/** The embedded DynamoDB engine: dynalite on a loopback port, its data in a directory or in memory. */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import dynalite from 'dynalite';
import { DataDirInUseError, takeDataLock, type DataLock, type DataOwner } from '../state/data-lock.js';
import { ensurePrivateDir } from '../state/safe-path.js';
import { isOwnerLive } from './process-alive.js';

export interface DynamoEngineOptions {
  /** Keep the data (LevelDB) in this directory; omitted = in memory, gone when stopped. */
  dataDir?: string;
  /** 0 = any free port. */
  port?: number;
  host?: string;
}

export interface DynamoEngine {
  endpoint: string;
  /** Records in the data directory's lock how to reach the stack that holds it; nothing to do in memory. */
  recordOwner(owner: Omit<DataOwner, 'pid'>): Promise<void>;
  stop(): Promise<void>;
}

export { DataDirInUseError };

/** Starts dynalite in this process; tables become ACTIVE at once, so startup stays fast. */
export async function startDynamoEngine(options: DynamoEngineOptions = {}): Promise<DynamoEngine> {
  let lock: DataLock | undefined;
  if (options.dataDir) {
    await mkdir(dirname(options.dataDir), { recursive: true, mode: 0o700 });
    await ensurePrivateDir(options.dataDir);
    lock = await takeDataLock(options.dataDir, isOwnerLive);
  }
  const unlock = async () => lock?.release();
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
    recordOwner: async (owner) => lock?.record(owner),
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
