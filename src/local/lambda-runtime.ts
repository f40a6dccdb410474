/**
 * Runs the bundled function in a worker thread, as a Lambda execution environment does.
 *
 * Why a worker and not the gateway's own thread: a function that loops or blocks past the timeout cannot be
 * stopped in-process, and an exception thrown outside its promise would take the whole stack down; a worker
 * is terminated and replaced instead, as Lambda recycles a sandbox. The worker also takes the function's
 * heaviest work (its SDK call, most of each request's CPU) off the thread that runs the gateway and the
 * engine, so on two cores they run in parallel. Why one worker serving concurrent invocations rather than
 * one event at a time per sandbox, as Lambda does: a message costs far less than a worker, and a second
 * worker measured about 10% slower on two cores. Module state is kept between invocations, as in a warm sandbox.
 */
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';

export interface LambdaRuntimeOptions {
  /** The module file that exports the handler. */
  entry: string;
  exportName: string;
  /** The function's whole environment (Lambda does not inherit the caller's). */
  env: Record<string, string>;
  functionName: string;
  /** After this long an invocation is answered with a timeout and its worker is replaced. */
  timeoutMs: number;
  /** Each line the function writes to stdout or stderr, and the runtime's own error reports. */
  log?: (line: string) => void;
  /** Execution environments serving invocations side by side; default 1. */
  concurrency?: number;
}

export type InvokeOutcome =
  | { kind: 'result'; payload: unknown }
  | { kind: 'error'; errorType: string; errorMessage: string }
  | { kind: 'timeout' };

export interface LambdaRuntime {
  /** Invokes the function with an event; never rejects. */
  invoke(event: unknown, requestId: string): Promise<InvokeOutcome>;
  stop(): Promise<void>;
}

// The runtime inside the worker: imports the module once, then serves invocations; results go through JSON,
// as Lambda serialises them (undefined becomes null, a Date a string).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const errorOf = (error) => ({
  errorType: (error && error.name) || typeof error,
  errorMessage: (error && error.message) || String(error),
  stackTrace: error && typeof error.stack === 'string' ? error.stack.split('\\n').slice(1).map((l) => l.trim()) : [],
});
// The function's stdout and stderr: buffered and sent along with the next result (or on the next turn of the
// event loop), one message instead of one per line; dropped when nobody reads them.
let logs = '';
let flushScheduled = false;
const takeLogs = () => { const text = logs; logs = ''; return text; };
const flushLogs = () => { flushScheduled = false; if (logs !== '') parentPort.postMessage({ type: 'log', text: takeLogs() }); };
const write = (chunk, encoding, callback) => {
  if (workerData.captureLogs) {
    logs += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!flushScheduled) { flushScheduled = true; setImmediate(flushLogs); }
  }
  const done = typeof encoding === 'function' ? encoding : callback;
  if (typeof done === 'function') process.nextTick(done);
  return true;
};
process.stdout.write = write;
process.stderr.write = write;
let handler;
import(pathToFileURL(workerData.entry).href).then(
  (mod) => {
    handler = mod[workerData.exportName];
    if (typeof handler !== 'function') throw Object.assign(new Error(workerData.exportName + ' is not a function exported by ' + workerData.entry), { name: 'Runtime.HandlerNotFound' });
    parentPort.postMessage({ type: 'ready' });
  },
).catch((error) => parentPort.postMessage({ type: 'init-error', error: errorOf(error) }));
parentPort.on('message', async ({ id, event, requestId, deadline }) => {
  const context = {
    awsRequestId: requestId,
    functionName: workerData.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:' + (process.env.AWS_REGION || 'us-east-1') + ':000000000000:function:' + workerData.functionName,
    memoryLimitInMB: '128',
    logGroupName: '/aws/lambda/' + workerData.functionName,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const value = await handler(event, context);
    const json = JSON.stringify(value === undefined ? null : value);
    parentPort.postMessage({ type: 'result', id, json, logs: takeLogs() });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, error: errorOf(error), logs: takeLogs() });
  }
});
`;

interface WorkerError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

interface Pending {
  requestId: string;
  resolve: (outcome: InvokeOutcome) => void;
  timer: NodeJS.Timeout;
}

/** One execution environment: a worker and the invocations it is serving. */
class Sandbox {
  readonly worker: Worker;
  readonly ready: Promise<WorkerError | undefined>;
  readonly pending = new Map<number, Pending>();
  retired = false;
  exited = false;
  private nextId = 0;

  constructor(
    private readonly options: LambdaRuntimeOptions,
    private readonly onCrash: (sandbox: Sandbox) => void,
  ) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: options.env,
      stdout: true,
      stderr: true,
      workerData: { entry: options.entry, exportName: options.exportName, functionName: options.functionName, captureLogs: Boolean(options.log) },
    });
    // Anything that bypasses the buffered writes above still reaches the log.
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      if (options.log) createInterface({ input: stream }).on('line', (line) => options.log?.(line));
      else stream.resume();
    }
    this.ready = new Promise((resolve) => {
      this.worker.on('message', (message: { type: string; id?: number; json?: string; error?: WorkerError; logs?: string; text?: string }) => {
        const text = message.logs || message.text;
        if (text) this.emitLogs(text);
        if (message.type === 'ready') resolve(undefined);
        else if (message.type === 'init-error') resolve(message.error);
        else if (message.type === 'result') this.settle(message.id as number, parseResult(message.json as string));
        else if (message.type === 'error') {
          this.report(message.id as number, message.error as WorkerError);
          this.settle(message.id as number, { kind: 'error', errorType: message.error?.errorType ?? 'Error', errorMessage: message.error?.errorMessage ?? '' });
        }
      });
      // An exception outside the handler's promise, or the module calling process.exit: the sandbox is lost.
      this.worker.on('error', (error) => {
        resolve({ errorType: 'Runtime.UnhandledError', errorMessage: error.message });
        this.fail('Runtime.UnhandledError', error.message);
      });
      this.worker.on('exit', (code) => {
        this.exited = true;
        resolve({ errorType: 'Runtime.ExitError', errorMessage: `the runtime exited with code ${code}` });
        this.fail('Runtime.ExitError', `the runtime exited with code ${code}`);
      });
    });
  }

  async invoke(event: unknown, requestId: string): Promise<InvokeOutcome> {
    const id = this.nextId++;
    const outcome = new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => this.settle(id, { kind: 'timeout' }), this.options.timeoutMs);
      this.pending.set(id, { requestId, resolve, timer });
    });
    const initError = await this.ready;
    if (initError) {
      this.settle(id, { kind: 'error', errorType: initError.errorType, errorMessage: initError.errorMessage });
    } else if (this.pending.has(id)) {
      this.worker.postMessage({ id, event, requestId, deadline: Date.now() + this.options.timeoutMs });
    }
    return outcome;
  }

  /** Takes no more invocations; terminated once those it holds are settled. */
  retire(): void {
    this.retired = true;
    if (this.pending.size === 0) void this.worker.terminate();
  }

  private settle(id: number, outcome: InvokeOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (outcome.kind === 'timeout') {
      this.options.log?.(JSON.stringify({ level: 'ERROR', requestId: pending.requestId, message: `Task timed out after ${(this.options.timeoutMs / 1000).toFixed(2)} seconds` }));
      // The function may be stuck in a loop: its worker takes no more work.
      if (!this.retired) this.onCrash(this);
    }
    pending.resolve(outcome);
    if (this.retired && this.pending.size === 0 && !this.exited) void this.worker.terminate();
  }

  private emitLogs(text: string): void {
    if (!this.options.log) return;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) this.options.log(line);
  }

  private report(id: number, error: WorkerError): void {
    const requestId = this.pending.get(id)?.requestId;
    this.options.log?.(JSON.stringify({ level: 'ERROR', requestId, message: 'Invoke Error', ...error }));
  }

  private fail(errorType: string, errorMessage: string): void {
    if (!this.retired) this.onCrash(this);
    for (const id of [...this.pending.keys()]) this.settle(id, { kind: 'error', errorType, errorMessage });
  }
}

function parseResult(json: string): InvokeOutcome {
  return { kind: 'result', payload: JSON.parse(json) as unknown };
}

/** Starts the function's execution environments and waits until its module has loaded in each. */
export async function startLambdaRuntime(options: LambdaRuntimeOptions): Promise<LambdaRuntime> {
  let stopped = false;
  const sandboxes = new Set<Sandbox>();
  const replace = (old: Sandbox) => {
    old.retire();
    const slot = active.indexOf(old);
    if (!stopped && slot !== -1) active[slot] = spawn();
  };
  const spawn = (): Sandbox => {
    const sandbox = new Sandbox(options, replace);
    sandboxes.add(sandbox);
    sandbox.worker.once('exit', () => sandboxes.delete(sandbox));
    return sandbox;
  };
  const active = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, spawn);
  const initErrors = await Promise.all(active.map((sandbox) => sandbox.ready));
  const initError = initErrors.find((error) => error !== undefined);
  if (initError) {
    stopped = true;
    await Promise.all(active.map((sandbox) => sandbox.worker.terminate()));
    throw new Error(`the function failed to load: ${initError.errorType}: ${initError.errorMessage}`);
  }
  return {
    invoke(event, requestId) {
      if (stopped) return Promise.resolve({ kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'the local stack is stopping' });
      // The least busy environment takes the invocation.
      let chosen = active[0] as Sandbox;
      for (const sandbox of active) if (sandbox.pending.size < chosen.pending.size) chosen = sandbox;
      return chosen.invoke(event, requestId);
    },
    async stop() {
      stopped = true;
      await Promise.all([...sandboxes].map((sandbox) => sandbox.worker.terminate()));
    },
  };
}
