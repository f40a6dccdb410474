/** The embedded DynamoDB engine: dynalite on a loopback port, its data in a directory or in memory. */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataDirInUseError, takeDataLock, type DataLock, type DataOwner } from '../state/data-lock.js';
import { ensurePrivateDir } from '../state/safe-path.js';
import { isOwnerLive } from './process-alive.js';

export interface DynamoEngineOptions {
  /** Keep the data (LevelDB) in this directory; omitted = in memory, gone when stopped. */
  dataDir?: string;
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** Told of each request the engine answered: its operation, how long it took and its status (about once a second, in batches). */
  onRequests?: (requests: EngineRequest[]) => void;
}

/** One request the engine answered. */
export interface EngineRequest {
  operation: string;
  durationMs: number;
  status: number;
}

export interface DynamoEngine {
  endpoint: string;
  /** Records in the data directory's lock how to reach the stack that holds it; nothing to do in memory. */
  recordOwner(owner: Omit<DataOwner, 'pid'>): Promise<void>;
  stop(): Promise<void>;
}

export { DataDirInUseError };

// dynalite in a thread of its own, so that its work runs beside the gateway's rather than in turns with it:
// with both on one thread each GetItem of an environment waits for the gateway's turn, and on 2 cores the
// stack stayed at 2,640 req/s with 45% of them idle (3,220 req/s with the engine in its own thread). An exception in
// dynalite reaches the stack's process as the worker's unhandled 'error' event, as it did in-process.
/** How long a stopping engine waits for the requests it is answering before it drops their connections. */
const ENGINE_DRAIN_MS = 10_000;

const ENGINE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalite);
const server = dynalite({ ...(workerData.path ? { path: workerData.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.once('error', (error) => parentPort.postMessage({ type: 'error', message: error.message, code: error.code }));
// Each request's operation, time and status, sent in batches so that a busy engine posts once a second.
let requests = [];
const flush = () => {
  if (requests.length > 0) parentPort.postMessage({ type: 'requests', requests });
  requests = [];
};
if (workerData.timed) {
  server.on('request', (req, res) => {
    const started = performance.now();
    const operation = String(req.headers['x-amz-target'] || '').split('.').pop();
    res.once('finish', () => requests.push({ operation, durationMs: performance.now() - started, status: res.statusCode }));
  });
  setInterval(flush, 1000).unref();
}
server.listen(workerData.port, workerData.host, () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
// dynalite answers (res.end) once a request's writes are done, even when its client has gone: a request counts as
// in flight until then (or until its client goes before the body is read, when dynalite never starts it), and the
// store closes only after the last, or a write would meet it closed and throw.
let inFlight = 0;
let drained = () => {};
server.on('request', (req, res) => {
  inFlight++;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    if (--inFlight === 0) drained();
  };
  let bodyRead = false;
  req.once('end', () => (bodyRead = true));
  res.once('close', () => bodyRead || settle());
  const end = res.end;
  res.end = function (...args) {
    settle();
    return end.apply(this, args);
  };
});
parentPort.once('message', () => {
  flush();
  const close = () => {
    server.close((error) => parentPort.postMessage({ type: 'stopped', message: error ? error.message : undefined }));
    server.closeAllConnections();
  };
  server.closeIdleConnections();
  if (inFlight === 0) return close();
  drained = close;
  setTimeout(close, ${ENGINE_DRAIN_MS}).unref();
});
`;

interface EngineMessage {
  type: 'listening' | 'error' | 'stopped' | 'requests';
  port?: number;
  message?: string;
  code?: string;
  requests?: EngineRequest[];
}

/** The next message about the engine's life (the batches of requests go to `onRequests`). */
const nextMessage = (worker: Worker) =>
  new Promise<EngineMessage>((resolve) => {
    const listener = (message: EngineMessage) => {
      if (message.type === 'requests') return;
      worker.off('message', listener);
      resolve(message);
    };
    worker.on('message', listener);
  });

/** Starts dynalite in a worker thread; tables become ACTIVE at once, so startup stays fast. */
export async function startDynamoEngine(options: DynamoEngineOptions = {}): Promise<DynamoEngine> {
  let lock: DataLock | undefined;
  if (options.dataDir) {
    await mkdir(dirname(options.dataDir), { recursive: true, mode: 0o700 });
    await ensurePrivateDir(options.dataDir);
    lock = await takeDataLock(options.dataDir, isOwnerLive);
  }
  const unlock = async () => lock?.release();
  const host = options.host ?? '127.0.0.1';
  const worker = new Worker(ENGINE_SOURCE, {
    eval: true,
    workerData: {
      dynalite: createRequire(import.meta.url).resolve('dynalite'),
      path: options.dataDir,
      port: options.port ?? 0,
      host,
      timed: Boolean(options.onRequests),
    },
  });
  const { onRequests } = options;
  if (onRequests)
    worker.on('message', (message: EngineMessage) => message.type === 'requests' && onRequests(message.requests ?? []));
  let onError: ((error: Error) => void) | undefined;
  const started = await Promise.race([
    nextMessage(worker),
    new Promise<EngineMessage>((resolve) =>
      worker.once('error', (onError = (error) => resolve({ type: 'error', message: error.message }))),
    ),
  ]);
  // From here on an error in the engine is unhandled, as it was when dynalite ran on the stack's own thread.
  if (onError) worker.off('error', onError);
  if (started.type !== 'listening') {
    await worker.terminate();
    await unlock();
    throw Object.assign(
      new Error(`the DynamoDB engine did not start: ${started.message}`),
      started.code ? { code: started.code } : {},
    );
  }
  // Created now, so that stopping an engine whose thread has already died does not wait for an 'exit' gone by.
  const exited = new Promise<EngineMessage>((resolve) => worker.once('exit', () => resolve({ type: 'stopped' })));
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    worker.postMessage('stop');
    const stopped = await Promise.race([nextMessage(worker), exited]);
    await worker.terminate();
    await unlock();
    if (stopped.message) throw new Error(`the DynamoDB engine did not close cleanly: ${stopped.message}`);
  };
  return {
    endpoint: `http://${host}:${started.port}`,
    recordOwner: async (owner) => lock?.record(owner),
    stop: () => (stopping ??= stop()),
  };
}
