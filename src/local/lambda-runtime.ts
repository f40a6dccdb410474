/**
 * Runs the bundled function in worker threads, as Lambda runs it in execution environments: each environment
 * serves one event at a time, and a new one is added (a cold start) when an event arrives while every
 * environment is busy, up to `concurrency`; past that, events wait for the next free environment.
 *
 * Why workers and not the gateway's own thread: a function that loops or blocks past the timeout cannot be
 * stopped in-process, and an exception thrown outside its promise would take the whole stack down; a worker
 * is terminated and replaced instead, as Lambda recycles a sandbox. Why one event per environment: module
 * state (a cache, a counter, a client) is then never shared by two requests in flight, as on AWS, and
 * environments spread the function's work over the machine's cores.
 */
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './lambda-worker-source.js';

export interface LambdaRuntimeOptions {
  /** The module file that exports the handler. */
  entry: string;
  exportName: string;
  /** The function's whole environment (Lambda does not inherit the caller's). */
  env: Record<string, string>;
  functionName: string;
  /** After this long an invocation is answered with a timeout and its environment is replaced. */
  timeoutMs: number;
  /** Each line the function writes to stdout or stderr, and the runtime's own reports (cold starts, errors). */
  log?: (line: string) => void;
  /** The most execution environments at once; default the number of CPUs. */
  concurrency?: number;
}

export type InvokeOutcome =
  | { kind: 'result'; payload: unknown }
  | { kind: 'error'; errorType: string; errorMessage: string }
  | { kind: 'timeout' };

export interface LambdaRuntime {
  /** Invokes the function with an event; never rejects. */
  invoke(event: unknown, requestId: string): Promise<InvokeOutcome>;
  /** Environments alive now, and how many were ever started (cold starts). */
  environments(): { active: number; coldStarts: number };
  stop(): Promise<void>;
}

/** The default pool size: one environment per CPU. */
export function defaultConcurrency(): number {
  return availableParallelism();
}

interface WorkerError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

interface Running {
  id: number;
  requestId: string;
  resolve: (outcome: InvokeOutcome) => void;
  timer: NodeJS.Timeout;
}

interface WorkerMessage {
  type: string;
  id?: number;
  json?: string;
  error?: WorkerError;
  logs?: string;
  text?: string;
}

/** One execution environment: a worker serving one invocation at a time. */
class Sandbox {
  readonly worker: Worker;
  readonly ready: Promise<WorkerError | undefined>;
  running: Running | undefined;
  /** Takes no more invocations: it timed out, crashed, failed to load, or the runtime stops. */
  lost = false;
  private nextId = 0;

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: options.env,
      stdout: true,
      stderr: true,
      workerData: { entry: options.entry, exportName: options.exportName, functionName: options.functionName, captureLogs: Boolean(options.log) },
    });
    // Anything that bypasses the worker's buffered writes still reaches the log.
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      if (options.log) createInterface({ input: stream }).on('line', (line) => options.log?.(line));
      else stream.resume();
    }
    this.ready = new Promise((resolve) => {
      this.worker.on('message', (message: WorkerMessage) => {
        const text = message.logs || message.text;
        if (text) this.emitLogs(text);
        if (message.type === 'ready') resolve(undefined);
        else if (message.type === 'init-error') resolve(message.error);
        else if (message.type === 'result') this.settle(message.id as number, { kind: 'result', payload: JSON.parse(message.json as string) as unknown });
        else if (message.type === 'error') {
          const error = message.error as WorkerError;
          this.options.log?.(JSON.stringify({ level: 'ERROR', requestId: this.running?.requestId, message: 'Invoke Error', ...error }));
          this.settle(message.id as number, { kind: 'error', errorType: error.errorType ?? 'Error', errorMessage: error.errorMessage ?? '' });
        }
      });
      // An exception outside the handler's promise, or the module calling process.exit: the sandbox is lost.
      this.worker.on('error', (error) => {
        resolve({ errorType: 'Runtime.UnhandledError', errorMessage: error.message });
        this.fail('Runtime.UnhandledError', error.message);
      });
      this.worker.on('exit', (code) => {
        resolve({ errorType: 'Runtime.ExitError', errorMessage: `the runtime exited with code ${code}` });
        this.fail('Runtime.ExitError', `the runtime exited with code ${code}`);
      });
    });
  }

  async invoke(event: unknown, requestId: string): Promise<InvokeOutcome> {
    const id = this.nextId++;
    const outcome = new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => this.settle(id, { kind: 'timeout' }), this.options.timeoutMs);
      this.running = { id, requestId, resolve, timer };
    });
    const initError = await this.ready;
    if (initError) {
      this.lost = true;
      this.settle(id, { kind: 'error', errorType: initError.errorType, errorMessage: initError.errorMessage });
    } else if (this.running?.id === id) {
      this.worker.postMessage({ id, event, requestId, deadline: Date.now() + this.options.timeoutMs });
    }
    return outcome;
  }

  private settle(id: number, outcome: InvokeOutcome): void {
    const running = this.running;
    if (!running || running.id !== id) return;
    this.running = undefined;
    clearTimeout(running.timer);
    if (outcome.kind === 'timeout') {
      this.options.log?.(JSON.stringify({ level: 'ERROR', requestId: running.requestId, message: `Task timed out after ${(this.options.timeoutMs / 1000).toFixed(2)} seconds` }));
      // The function may be stuck in a loop: the environment is recycled.
      this.lost = true;
      void this.worker.terminate();
    }
    running.resolve(outcome);
  }

  private emitLogs(text: string): void {
    if (!this.options.log) return;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) this.options.log(line);
  }

  private fail(errorType: string, errorMessage: string): void {
    this.lost = true;
    if (this.running) this.settle(this.running.id, { kind: 'error', errorType, errorMessage });
  }
}

/** Starts the function's first execution environment and waits until its module has loaded. */
export async function startLambdaRuntime(options: LambdaRuntimeOptions): Promise<LambdaRuntime> {
  const limit = Math.max(1, Math.floor(options.concurrency ?? defaultConcurrency()));
  const all = new Set<Sandbox>();
  const idle: Sandbox[] = [];
  const waiting: Array<(sandbox: Sandbox | undefined) => void> = [];
  let coldStarts = 0;
  let stopped = false;

  const spawn = (): Sandbox => {
    const started = performance.now();
    const sandbox = new Sandbox(options);
    coldStarts += 1;
    const number = coldStarts;
    all.add(sandbox);
    sandbox.worker.once('exit', () => all.delete(sandbox));
    void sandbox.ready.then((error) => {
      if (error) return;
      // Lambda's JSON log format reports an environment's initialisation as a platform event.
      options.log?.(
        JSON.stringify({
          time: new Date().toISOString(),
          type: 'platform.initReport',
          record: { initializationType: 'on-demand', phase: 'init', status: 'success', environment: number, environments: all.size, metrics: { durationMs: Math.round((performance.now() - started) * 100) / 100 } },
        }),
      );
    });
    return sandbox;
  };

  const acquire = (): Sandbox | Promise<Sandbox | undefined> => {
    // An idle environment may have been lost meanwhile (an exception thrown after its invocation ended).
    let free = idle.pop();
    while (free?.lost) free = idle.pop();
    if (free) return free;
    if (all.size < limit) return spawn();
    return new Promise((resolve) => waiting.push(resolve));
  };

  const release = (sandbox: Sandbox): void => {
    if (sandbox.lost || stopped) {
      if (!stopped) void sandbox.worker.terminate();
      all.delete(sandbox);
      // A waiting event takes the lost environment's place in a fresh one.
      const next = waiting.shift();
      if (next) next(spawn());
      return;
    }
    const next = waiting.shift();
    if (next) next(sandbox);
    else idle.push(sandbox);
  };

  const first = spawn();
  const initError = await first.ready;
  if (initError) {
    await first.worker.terminate();
    throw new Error(`the function failed to load: ${initError.errorType}: ${initError.errorMessage}`);
  }
  idle.push(first);

  return {
    async invoke(event, requestId) {
      if (stopped) return { kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'the local stack is stopping' };
      const sandbox = await acquire();
      if (!sandbox) return { kind: 'error', errorType: 'Runtime.Stopped', errorMessage: 'the local stack is stopping' };
      try {
        return await sandbox.invoke(event, requestId);
      } finally {
        release(sandbox);
      }
    },
    environments: () => ({ active: all.size, coldStarts }),
    async stop() {
      stopped = true;
      for (const next of waiting.splice(0)) next(undefined);
      await Promise.all([...all].map((sandbox) => sandbox.worker.terminate()));
    },
  };
}
