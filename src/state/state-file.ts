/** The state file `.products-cli/state.json`: what setup made and where the API is; written atomically. */
import { lstatSync } from 'node:fs';
import { readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { STATE_DIR } from '../defaults.js';
import type { AuthSettings } from '../contract/auth.js';
import { AppError } from '../errors.js';
import { ensurePrivateDir, refuseSymlink, tightenFile } from './safe-path.js';

export interface LocalState {
  url: string;
  port: number;
  stage: string;
  pid: number;
  /** Where the embedded engine keeps its data; absent when an external engine is used. */
  dataDir?: string;
  dynamodbEndpoint: string;
  startedAt: string;
  /** Shared with the stack only: it proves its identity with an HMAC of a nonce, never by sending this. */
  secret?: string;
  /** Who may call the stack; absent in files from before authorization existed, which means none. */
  auth?: AuthSettings;
  /** The region signatures are scoped to. */
  region?: string;
  /** The key pair this stack accepts for SigV4 (auth iam): the file is readable by its owner only. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The API key this stack requires (auth api-key). */
  apiKey?: string;
  corsOrigins?: string[];
}

export interface AwsState {
  url?: string;
  region: string;
  /** The AWS-compatible emulator the stack was set up in; absent for AWS itself. */
  endpointUrl?: string;
  accountId?: string;
  stack?: string;
  stage: string;
  /** Resource identifiers recorded as each is made, so a rerun or teardown knows them. */
  resources: Record<string, string | undefined>;
  apiKey?: string;
  /** Who may call the API; absent in files from before authorization existed, which means none or api-key. */
  auth?: AuthSettings;
  corsOrigins?: string[];
  updatedAt: string;
}

export interface State {
  version: 1;
  /** Which target the product commands use when neither --url nor PRODUCTS_API_URL is given. */
  current?: 'local' | 'aws';
  local?: LocalState;
  aws?: AwsState;
}

/**
 * The directory whose `.products-cli` holds the state: the nearest one at or above `cwd`, as git finds
 * `.git`, or `cwd` itself when there is none. The search does not enter the directories listed in
 * `PRODUCTS_CLI_CEILING_DIRECTORIES` (as GIT_CEILING_DIRECTORIES), and skips one owned by another user.
 */
export function findStateRoot(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const start = resolve(cwd);
  const ceilings = new Set(
    (env.PRODUCTS_CLI_CEILING_DIRECTORIES ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => resolve(dir)),
  );
  const uid = process.getuid?.();
  for (let dir = start; ; dir = dirname(dir)) {
    if (dir !== start && ceilings.has(dir)) break;
    try {
      const stats = lstatSync(join(dir, STATE_DIR));
      // A link is found too, so that using it is refused with a clear error rather than silently skipped.
      if ((stats.isDirectory() || stats.isSymbolicLink()) && (uid === undefined || stats.uid === uid)) return dir;
    } catch {
      // Not here; look further up.
    }
    if (dirname(dir) === dir) break;
  }
  return start;
}

export function stateDir(cwd: string): string {
  return join(findStateRoot(cwd), STATE_DIR);
}

export function statePath(cwd: string): string {
  return join(stateDir(cwd), 'state.json');
}

/** Reads the state, or an empty one when there is no file. */
export async function readState(cwd: string): Promise<State> {
  let text: string;
  try {
    await refuseSymlink(stateDir(cwd));
    await tightenFile(statePath(cwd));
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
    throw new AppError(
      `${statePath(cwd)} is not a state file this version understands (${(error as Error).message}); move it aside and run setup again`,
      undefined,
      { cause: error },
    );
  }
}

/** Writes the state atomically (a temporary file renamed over the old), readable by the owner only. */
export async function writeState(cwd: string, state: State): Promise<void> {
  await ensurePrivateDir(stateDir(cwd));
  const target = statePath(cwd);
  await refuseSymlink(target);
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
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

/** Removes the state file, and its folder once nothing else is in it; nothing to do when they are already gone. */
export async function removeState(cwd: string): Promise<void> {
  await rm(statePath(cwd), { force: true });
  await removeStateDirIfEmpty(cwd);
}

/** Removes `.products-cli/` when it holds nothing: a torn-down stack leaves no trace in the project. */
export async function removeStateDirIfEmpty(cwd: string): Promise<void> {
  await rmdir(stateDir(cwd)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT' && error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
}
