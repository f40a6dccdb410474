/** Where provisioning records what it made: the state file's `aws` entry, written atomically after each resource. */
import { readState, updateState, type AwsState } from '../state/state-file.js';

export interface StateStore {
  /** The recorded AWS entry, if any. */
  read(): Promise<AwsState | undefined>;
  /** Changes the AWS entry (created on first use) and makes `aws` the current target. */
  update(change: (aws: AwsState) => void): Promise<void>;
  /** Removes the AWS entry (the file goes when nothing else is left in it). */
  clear(): Promise<void>;
}

/** The state file under `cwd`. Writes are queued, so that concurrent steps never lose each other's records. */
export function fileStateStore(cwd: string, base: () => Omit<AwsState, 'resources' | 'updatedAt'>): StateStore {
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    read: async () => (await readState(cwd)).aws,
    update: (change) =>
      enqueue(async () => {
        await updateState(cwd, (state) => {
          const aws: AwsState = state.aws ?? { ...base(), resources: {}, updatedAt: new Date().toISOString() };
          change(aws);
          aws.updatedAt = new Date().toISOString();
          state.aws = aws;
          state.current = 'aws';
        });
      }),
    clear: () =>
      enqueue(async () => {
        await updateState(cwd, (state) => {
          delete state.aws;
          if (state.current === 'aws') state.current = state.local ? 'local' : undefined;
        });
      }),
  };
}

/** An in-memory store, for the setup bench (scripts/bench/setup.mjs bundles it by name). @public */
export function memoryStateStore(initial?: AwsState): StateStore & { current(): AwsState | undefined; writes: number } {
  let aws = initial ? structuredClone(initial) : undefined;
  const store = {
    writes: 0,
    current: () => aws,
    read: async () => (aws ? structuredClone(aws) : undefined),
    update: async (change: (aws: AwsState) => void) => {
      aws ??= { region: 'unknown', stage: 'prod', resources: {}, updatedAt: '' };
      change(aws);
      store.writes += 1;
    },
    clear: async () => {
      aws = undefined;
    },
  };
  return store;
}
