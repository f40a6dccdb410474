/**
 * One launch of the local stack for `setup --local` (in a process of its own) and `local` (in this one): the
 * settings, the stack already running here, the data dir and its lock, new secrets, the start, and the record in
 * the state file that makes it the current target.
 */
import type { LocalStackFlags } from '../cli/option-sets.js';
import type { AuthMode } from '../contract/auth.js';
import type { Context } from '../context.js';
import { AppError, UsageError } from '../errors.js';
import type { AccessOptions } from '../local/gateway-access.js';
import { localDataDir, localDir } from '../local/control.js';
import { newLocalSecrets, toAccessOptions, type LocalSecrets } from '../local/stack-secrets.js';
import { locateStack, type LocatedStack } from '../local/locate.js';
import { localAwsEnv, type LocalStackOptions } from '../local/stack.js';
import { readState, stateDir, updateState, type LocalState } from '../state/state-file.js';
import { localSettings, toStackOptions, type LocalSettings } from './local-options.js';

export interface LaunchFlags extends LocalStackFlags {
  /** Keep the data in memory only, leaving `.products-cli/local` alone. */
  inMemory?: boolean;
  /** The secrets of the stack this one replaces, kept where its auth mode still uses them. */
  keepSecrets?: LocalSecrets;
}

/** What a started stack reports, wherever it runs. */
export interface StartedStack {
  url: string;
  port: number;
  pid: number;
  dynamodbEndpoint: string;
  startedAt: string;
  secret: string;
  /** Stops a stack that runs in this process, when it cannot be recorded. */
  stop?(): Promise<void>;
}

/** What a start needs: the options, whose access leaves out the secrets (they may travel in argv), and those apart. */
export interface StartPlan {
  options: LocalStackOptions;
  secrets: LocalSecrets;
  /** The access options with the secrets, for a stack started in this process. */
  access: AccessOptions;
}

export type Launch<S extends StartedStack> =
  | { kind: 'running'; found: Extract<LocatedStack, { kind: 'running' }>; settings: LocalSettings }
  | { kind: 'started'; stack: S; local: LocalState; settings: LocalSettings };

/** Makes `.products-cli` and `.products-cli/local` private directories (0700), refusing links. */
export async function preparePrivateDirs(cwd: string): Promise<void> {
  const { ensurePrivateDir } = await import('../state/safe-path.js');
  await ensurePrivateDir(stateDir(cwd));
  await ensurePrivateDir(localDir(cwd));
}

/** Why a start failed, as the stack said: a busy port is a usage error naming --port; data in use says who holds it. */
export function startFailure(
  code: 'port-in-use' | 'data-in-use',
  message: string,
  port: number | undefined,
  cause?: unknown,
): AppError {
  const options = cause === undefined ? undefined : { cause };
  if (code === 'port-in-use')
    return new UsageError(`port ${port} is already in use; choose another with --port`, options);
  return new AppError(message, undefined, options);
}

/** The secrets to keep for a new stack of this auth mode, when the old one had them. */
function keptSecrets(old: LocalSecrets | undefined, mode: AuthMode): LocalSecrets | undefined {
  if (mode === 'iam' && old?.credentials) return { credentials: old.credentials };
  if (mode === 'api-key' && old?.apiKey) return { apiKey: old.apiKey };
  return undefined;
}

/** Records `local` in the state file as the current target. */
export async function recordLocalStack(cwd: string, local: LocalState): Promise<void> {
  await updateState(cwd, (s) => {
    s.local = local;
    s.current = 'local';
  });
}

/**
 * Starts the local stack with `start` and records it, unless one already runs here (it is handed back, not
 * recorded). Data that another process holds is never opened.
 */
export async function launchLocalStack<S extends StartedStack>(
  opts: LaunchFlags,
  ctx: Context,
  start: (plan: StartPlan) => Promise<S>,
): Promise<Launch<S>> {
  const settings = localSettings(opts);
  const found = await locateStack(ctx.cwd, await readState(ctx.cwd));
  if (found.kind === 'running') return { kind: 'running', found, settings };
  const dataDir = settings.dynamodbEndpoint || opts.inMemory ? undefined : localDataDir(ctx.cwd);
  if (found.kind === 'held' && dataDir) {
    throw new AppError(
      `the data in ${found.dataDir} is held by process ${found.owner.pid}, which does not answer as a local stack; stop that process, then start the local stack again`,
    );
  }
  const region = localAwsEnv().AWS_REGION as string;
  const secrets = keptSecrets(opts.keepSecrets, settings.access.auth.mode) ?? newLocalSecrets(settings.access);
  if (!opts.inMemory) await preparePrivateDirs(ctx.cwd);
  const stack = await start({
    options: { ...toStackOptions(settings, dataDir), access: toAccessOptions(settings.access, {}, region) },
    secrets,
    access: toAccessOptions(settings.access, secrets, region),
  });
  const local: LocalState = {
    url: stack.url,
    port: stack.port,
    stage: settings.stage,
    pid: stack.pid,
    ...(dataDir ? { dataDir } : {}),
    dynamodbEndpoint: stack.dynamodbEndpoint,
    startedAt: stack.startedAt,
    secret: stack.secret,
    auth: settings.access.auth,
    region,
    ...(secrets.credentials ? { credentials: secrets.credentials } : {}),
    ...(secrets.apiKey ? { apiKey: secrets.apiKey } : {}),
    ...(settings.access.corsOrigins.length ? { corsOrigins: settings.access.corsOrigins } : {}),
  };
  try {
    await recordLocalStack(ctx.cwd, local);
  } catch (error) {
    await stack.stop?.();
    throw error;
  }
  return { kind: 'started', stack, local, settings };
}
