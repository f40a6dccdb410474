/** The state file `.products-cli/state.json`: what setup made and where the API is; written atomically. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_DIR } from '../defaults.js';
import { AppError } from '../errors.js';

export interface LocalState {
  url: string;
  port: number;
  stage: string;
  pid: number;
  /** Where the embedded engine keeps its data; absent when an external engine is used. */
  dataDir?: string;
  dynamodbEndpoint: string;
  startedAt: string;
}

export interface AwsState {
  url?: string;
  region: string;
  accountId?: string;
  stack?: string;
  stage: string;
  /** Resource identifiers recorded as each is made, so a rerun or teardown knows them. */
  resources: Record<string, string | undefined>;
  apiKey?: string;
  updatedAt: string;
}

export interface State {
  version: 1;
  /** Which target the product commands use when neither --url nor PRODUCTS_API_URL is given. */
  current?: 'local' | 'aws';
  local?: LocalState;
  aws?: AwsState;
}

export function stateDir(cwd: string): string {
  return join(cwd, STATE_DIR);
}

export function statePath(cwd: string): string {
  return join(stateDir(cwd), 'state.json');
}

/** Reads the state, or an empty one when there is no file. */
export async function readState(cwd: string): Promise<State> {
  let text: string;
  try {
    text = await readFile(statePath(cwd), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1 };
    throw error;
  }
  try {
    const state = JSON.parse(text) as State;
    if (state.version !== 1) throw new Error(`unknown version ${String(state.version)}`);
    return state;
  } catch (error) {
    throw new AppError(`${statePath(cwd)} is not a state file this version understands (${(error as Error).message}); move it aside and run setup again`, undefined, { cause: error });
  }
}

/** Writes the state atomically (a temporary file renamed over the old), readable by the owner only. */
export async function writeState(cwd: string, state: State): Promise<void> {
  await mkdir(stateDir(cwd), { recursive: true, mode: 0o700 });
  const target = statePath(cwd);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, target);
}

/** Reads, changes and writes the state in one step; the change may return a new state or mutate. */
export async function updateState(cwd: string, change: (state: State) => State | void): Promise<State> {
  const state = await readState(cwd);
  const next = change(state) ?? state;
  if (!next.local && !next.aws) {
    await removeState(cwd);
    return next;
  }
  if (next.current && !next[next.current]) next.current = next.local ? 'local' : next.aws ? 'aws' : undefined;
  await writeState(cwd, next);
  return next;
}

/** Removes the state file; nothing to do when it is already gone. */
export async function removeState(cwd: string): Promise<void> {
  await rm(statePath(cwd), { force: true });
}
