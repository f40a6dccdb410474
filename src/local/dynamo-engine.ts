/** The embedded DynamoDB engine: dynalite on a loopback port, its data in a directory or in memory. */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

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

/** Starts dynalite in this process; tables become ACTIVE at once, so startup stays fast. */
export async function startDynamoEngine(options: DynamoEngineOptions = {}): Promise<DynamoEngine> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // dynalite's close waits for pending operations, then closes the store, so acknowledged writes are on disk.
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
