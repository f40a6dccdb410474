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
import { OFFER_WITHDRAWN, WORKER_SOURCE } from './lambda-worker-source.js';

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
  /** Told of each cold start and each invocation, for the stack's metrics. */
  observer?: RuntimeObserver;
}

/** What the runtime reports as it runs: as Lambda's Invocations, Errors, Duration and ConcurrentExecutions. */
export interface RuntimeObserver {
  coldStart(): void;
  /** An environment started an invocation; `concurrent` environments are running one now, this one included. */
  started(concurrent: number): void;
  /** An invocation ended after `durationMs` in its environment (not counting the wait for a free one). */
  finished(durationMs: number, outcome: InvokeOutcome): void;
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

/** An invocation not yet answered. */
interface Job {
  event: unknown;
  requestId: string;
  resolve: (outcome: InvokeOutcome) => void;
}

interface Running extends Job {
  id: number;
  timer: NodeJS.Timeout;
  startedAt: number;
  /** The offer cell it came through, if it was offered; the next offer must use the other one. */
  cell?: number;
}

interface Offered extends Job {
  id: number;
  cell: number;
}

interface WorkerMessage {
  type: string;
  id?: number;
  json?: string;
  error?: WorkerError;
  logs?: string;
  text?: string;
}

/**
 * One execution environment: a worker serving one invocation at a time. While it runs one, the next waiting
 * invocation may be offered to it ahead of time, so that it starts that one the moment it is done instead of a
 * round trip later. The offer is a cell of shared memory that the worker takes and the pool can withdraw (to
 * give the invocation to another environment that is free first), whichever comes first. Two cells: an offer
 * promoted to running may not be taken yet when the next one is made (its message can still be on its way to
 * the worker), so the next one goes in the other cell. Not by the id's parity: a withdrawn offer uses up an
 * id, and the next offer would then overwrite the promoted one's cell, which the worker would skip.
 */
class Sandbox {
  readonly worker: Worker;
  readonly ready: Promise<WorkerError | undefined>;
  running: Running | undefined;
  offered: Offered | undefined;
  /** Takes no more invocations: it timed out, crashed, failed to load, or the runtime stops. */
  lost = false;
  private nextId = 0;
  private readonly offer = new Int32Array(new SharedArrayBuffer(8)).fill(OFFER_WITHDRAWN);

  constructor(
    private readonly options: LambdaRuntimeOptions,
    /** Called when the running invocation has been answered (and, if one was offered, it is now running). */
    private readonly settled: (sandbox: Sandbox) => void,
    /** Counts the environments running an invocation, for the observer. */
    private readonly inUse: { count: number },
  ) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: options.env,
      stdout: true,
      stderr: true,
      workerData: {
        entry: options.entry,
        exportName: options.exportName,
        functionName: options.functionName,
        timeoutMs: options.timeoutMs,
        offer: this.offer.buffer,
        captureLogs: Boolean(options.log),
      },
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
        else if (message.type === 'result')
          this.settle(message.id as number, { kind: 'result', payload: JSON.parse(message.json as string) as unknown });
        else if (message.type === 'error') {
          const error = message.error as WorkerError;
          this.options.log?.(
            JSON.stringify({ level: 'ERROR', requestId: this.running?.requestId, message: 'Invoke Error', ...error }),
          );
          this.settle(message.id as number, {
            kind: 'error',
            errorType: error.errorType ?? 'Error',
            errorMessage: error.errorMessage ?? '',
          });
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

  /** Runs the job now; the environment must be idle. */
  async start(job: Job): Promise<void> {
    const id = this.nextId++;
    this.running = { ...job, id, timer: this.timer(id), startedAt: this.began() };
    const initError = await this.ready;
    if (initError) {
      this.lost = true;
      this.settle(id, { kind: 'error', errorType: initError.errorType, errorMessage: initError.errorMessage });
    } else if (this.running?.id === id) {
      this.worker.postMessage({ id, event: job.event, requestId: job.requestId });
    }
  }

  /** Offers the job to run next, once the running one is answered; the environment must be running one. */
  offerNext(job: Job): void {
    const id = this.nextId++;
    const cell = this.running?.cell === 0 ? 1 : 0;
    this.offered = { ...job, id, cell };
    Atomics.store(this.offer, cell, id);
    // After `ready`, as start() posts, so that the worker receives the two in order.
    void this.ready.then((error) => {
      if (!error && !this.lost) this.worker.postMessage({ id, event: job.event, requestId: job.requestId, cell });
    });
  }

  /** Takes the offered job back, unless the worker has started it. */
  withdraw(): Job | undefined {
    const offered = this.offered;
    if (!offered || Atomics.compareExchange(this.offer, offered.cell, offered.id, OFFER_WITHDRAWN) !== offered.id)
      return undefined;
    this.offered = undefined;
    // The job alone: its id and cell were this environment's.
    const { event, requestId, resolve } = offered;
    return { event, requestId, resolve };
  }

  /** Counts an invocation started, for the observer, and gives its start time. */
  private began(): number {
    this.inUse.count += 1;
    this.options.observer?.started(this.inUse.count);
    return performance.now();
  }

  private timer(id: number): NodeJS.Timeout {
    return setTimeout(() => this.settle(id, { kind: 'timeout' }), this.options.timeoutMs);
  }

  private settle(id: number, outcome: InvokeOutcome): void {
    const running = this.running;
    if (!running || running.id !== id) return;
    this.running = undefined;
    clearTimeout(running.timer);
    this.inUse.count -= 1;
    this.options.observer?.finished(performance.now() - running.startedAt, outcome);
    if (outcome.kind === 'timeout') {
      this.options.log?.(
        JSON.stringify({
          level: 'ERROR',
          requestId: running.requestId,
          message: `Task timed out after ${(this.options.timeoutMs / 1000).toFixed(2)} seconds`,
        }),
      );
      // The function may be stuck in a loop: the environment is recycled.
      this.lost = true;
      void this.worker.terminate();
    }
    // The worker goes on to the offered invocation (if it has not been withdrawn) as soon as it is done.
    const next = this.lost ? undefined : this.offered;
    if (next) {
      this.offered = undefined;
      this.running = { ...next, timer: this.timer(next.id), startedAt: this.began() };
    }
    running.resolve(outcome);
    this.settled(this);
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
    // An offered invocation the lost worker had already started fails with it.
    const started = this.offered && !this.withdraw() ? this.offered : undefined;
    if (started) {
      this.offered = undefined;
      started.resolve({ kind: 'error', errorType, errorMessage });
    }
  }
}

/** Starts the function's first execution environment and waits until its module has loaded. */
export async function startLambdaRuntime(options: LambdaRuntimeOptions): Promise<LambdaRuntime> {
  const limit = Math.max(1, Math.floor(options.concurrency ?? defaultConcurrency()));
  const all = new Set<Sandbox>();
  const idle: Sandbox[] = [];
  const waiting: Job[] = [];
  let coldStarts = 0;
  let stopped = false;
  const inUse = { count: 0 };

  const spawn = (): Sandbox => {
    const started = performance.now();
    const sandbox = new Sandbox(options, (done) => release(done), inUse);
    coldStarts += 1;
    options.observer?.coldStart();
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
          record: {
            initializationType: 'on-demand',
            phase: 'init',
            status: 'success',
            environment: number,
            environments: all.size,
            metrics: { durationMs: Math.round((performance.now() - started) * 100) / 100 },
          },
        }),
      );
    });
    return sandbox;
  };

  /** Gives a job to a free environment, a new one, or (all busy at the limit) offers it to a busy one or queues it. */
  const dispatch = (job: Job): void => {
    // An idle environment may have been lost meanwhile (an exception thrown after its invocation ended).
    let free = idle.pop();
    while (free?.lost) free = idle.pop();
    if (free) return void free.start(job);
    if (all.size < limit) return void spawn().start(job);
    for (const sandbox of all)
      if (!sandbox.lost && sandbox.running && !sandbox.offered) return void sandbox.offerNext(job);
    waiting.push(job);
  };

  const release = (sandbox: Sandbox): void => {
    if (sandbox.lost || stopped) {
      if (!stopped) void sandbox.worker.terminate();
      all.delete(sandbox);
      // The invocation offered to it and never started, else a waiting one, takes its place in a fresh one.
      const next = sandbox.withdraw() ?? waiting.shift();
      if (next && stopped) next.resolve(stoppedOutcome);
      else if (next) void spawn().start(next);
      return;
    }
    if (sandbox.running) {
      // It went on to its offered invocation: offer it the next waiting one.
      const next = waiting.shift();
      if (next) sandbox.offerNext(next);
      return;
    }
    const next = waiting.shift();
    if (next) return void sandbox.start(next);
    // Free before the environment an invocation was offered to: it takes it, as Lambda gives it to the first free one.
    for (const busy of all) {
      const taken = busy === sandbox ? undefined : busy.withdraw();
      if (taken) return void sandbox.start(taken);
    }
    idle.push(sandbox);
  };

  const first = spawn();
  const initError = await first.ready;
  if (initError) {
    await first.worker.terminate();
    throw new Error(`the function failed to load: ${initError.errorType}: ${initError.errorMessage}`);
  }
  idle.push(first);

  return {
    invoke(event, requestId) {
      if (stopped) return Promise.resolve(stoppedOutcome);
      return new Promise((resolve) => dispatch({ event, requestId, resolve }));
    },
    environments: () => ({ active: all.size, coldStarts }),
    async stop() {
      stopped = true;
      for (const job of waiting.splice(0)) job.resolve(stoppedOutcome);
      for (const sandbox of all) sandbox.withdraw()?.resolve(stoppedOutcome);
      await Promise.all([...all].map((sandbox) => sandbox.worker.terminate()));
    },
  };
}

const stoppedOutcome: InvokeOutcome = {
  kind: 'error',
  errorType: 'Runtime.Stopped',
  errorMessage: 'the local stack is stopping',
};
