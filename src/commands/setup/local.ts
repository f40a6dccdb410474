/** `setup --local`: starts the local stack in the background, waits until it answers, and records it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LocalStackFlags } from '../../cli/option-sets.js';
import type { AuthSettings } from '../../contract/auth.js';
import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { localLogPath, identifyRecordedStack, stopProcess, type StackIdentity } from '../../local/control.js';
import { LOCAL_SECRETS_ENV, type LocalSecrets } from '../../local/stack-secrets.js';
import type { ServeMessage, ServeOptions } from '../../local/serve.js';
import { note } from '../../output/print.js';
import { statePath, type LocalState } from '../../state/state-file.js';
import { flagsOfRunning, givenSettingFlags, mergeFlags, settingChanges } from './local-changes.js';
import {
  launchLocalStack,
  recordLocalStack,
  startFailure,
  type StartedStack,
  type StartPlan,
} from '../local-launch.js';

export type SetupLocalOptions = LocalStackFlags;

export interface SetupLocalResult {
  target: 'local';
  /** `started` now, was already `running` as asked, or `restarted` with the settings that changed (its data kept). */
  status: 'started' | 'running' | 'restarted';
  /** What a restart changed, as `label from → to`. */
  changed?: string[];
  url: string;
  port: number;
  stage: string;
  pid: number;
  dynamodbEndpoint: string;
  dataDir?: string;
  log: string;
  stateFile: string;
  auth: AuthSettings;
  corsOrigins: string[];
  /** The key pair the stack accepts (auth iam), for other SigV4 clients: curl --aws-sigv4, Postman, an SDK. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
}

const START_TIMEOUT_MS = 60_000;

function resultOf(
  status: SetupLocalResult['status'],
  local: LocalState,
  cwd: string,
  changed?: string[],
): SetupLocalResult {
  return {
    target: 'local',
    status,
    ...(changed ? { changed } : {}),
    url: local.url,
    port: local.port,
    stage: local.stage,
    pid: local.pid,
    dynamodbEndpoint: local.dynamodbEndpoint,
    ...(local.dataDir ? { dataDir: local.dataDir } : {}),
    log: localLogPath(cwd),
    stateFile: statePath(cwd),
    auth: local.auth ?? { mode: 'none', privateReads: false },
    corsOrigins: local.corsOrigins ?? [],
    ...(local.credentials ? { credentials: local.credentials, region: local.region } : {}),
  };
}

/** Starts `build/local/serve.js` detached, logging to the rotated stack log, and waits for its report. */
async function startBackground(
  options: ServeOptions,
  cwd: string,
  secrets: LocalSecrets,
): Promise<Extract<ServeMessage, { type: 'ready' }>> {
  const serveJs = fileURLToPath(new URL('../../local/serve.js', import.meta.url));
  // The secret comes back over the IPC channel only; the stack writes its own log, so that it can rotate it.
  // Its stderr goes to the log too, for what it cannot log itself (a crash before its log is open).
  const { openPrivateAppend } = await import('../../state/safe-path.js');
  const stderr = await openPrivateAppend(localLogPath(cwd));
  const child = spawn(process.execPath, [serveJs, JSON.stringify({ ...options, logFile: localLogPath(cwd) })], {
    cwd,
    detached: true,
    stdio: ['ignore', 'ignore', stderr.fd, 'ipc'],
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      [LOCAL_SECRETS_ENV]: JSON.stringify(secrets),
    },
  });
  await stderr.close();
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new AppError(`the local stack did not start within ${START_TIMEOUT_MS / 1000} s; see ${localLogPath(cwd)}`),
          ),
        START_TIMEOUT_MS,
      );
      child.once('message', (message: ServeMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message);
        else if (message.code === 'failed') reject(new AppError(`the local stack failed to start: ${message.message}`));
        else reject(startFailure(message.code, message.message, options.port));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new AppError(`the local stack exited during startup (code ${code}); see ${localLogPath(cwd)}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new AppError(`could not start the local stack: ${error.message}`, undefined, { cause: error }));
      });
    });
  } finally {
    child.removeAllListeners();
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/** Starts the stack in a process of its own and checks that it answers over HTTP, as the product commands will reach it. */
async function startAndVerify(plan: StartPlan, ctx: Context): Promise<StartedStack> {
  const port = plan.options.port;
  note(ctx, `Starting the local stack on ${port === 0 ? 'a free port' : `port ${port}`}…`);
  // Only the settings travel in argv; the secrets go by environment (see startBackground).
  const ready = await startBackground(plan.options, ctx.cwd, plan.secrets);
  const identity: StackIdentity | undefined = await identifyRecordedStack(ready);
  if (!identity)
    throw new AppError(
      `the local stack started but does not answer on port ${ready.port}; see ${localLogPath(ctx.cwd)}`,
    );
  return { ...ready, startedAt: identity.startedAt };
}

/**
 * Starts the local stack, or finds it running; when the flags given ask for settings other than those it
 * runs with, it is restarted with them, keeping its data. Records it as the current target.
 */
export async function setupLocal(opts: SetupLocalOptions, ctx: Context): Promise<SetupLocalResult> {
  const start = (plan: StartPlan) => startAndVerify(plan, ctx);
  const launch = await launchLocalStack(opts, ctx, start);
  if (launch.kind === 'started') return resultOf('started', launch.local, ctx.cwd);
  const { found } = launch;
  const local = found.record;
  if (found.source === 'lock')
    note(
      ctx,
      `Found the local stack that holds ${local.dataDir} (pid ${local.pid}); recorded it again in ${statePath(ctx.cwd)}.`,
    );
  const given = givenSettingFlags(opts);
  const settings = found.identity.settings;
  if (!settings) {
    if (Object.keys(given).length === 0) {
      await recordLocalStack(ctx.cwd, local);
      return resultOf('running', local, ctx.cwd);
    }
    throw new AppError(
      'the running local stack does not say which settings it runs with (an older version started it); run `products-cli teardown --local --keep-data`, then this setup again',
    );
  }
  const running = flagsOfRunning(settings, local.port, local.stage);
  const wanted = mergeFlags(running, given);
  const changed = settingChanges(running, wanted);
  if (changed.length === 0) {
    await recordLocalStack(ctx.cwd, local);
    return resultOf('running', local, ctx.cwd);
  }
  note(ctx, `Restarting the local stack (pid ${local.pid}) to change ${changed.join(', ')}; its data is kept.`);
  if (!(await stopProcess(local.pid)))
    throw new AppError(
      `the local stack (pid ${local.pid}) did not stop; stop it yourself, then run setup --local again`,
    );
  const secrets = {
    ...(local.credentials ? { credentials: local.credentials } : {}),
    ...(local.apiKey ? { apiKey: local.apiKey } : {}),
  };
  const restarted = await launchLocalStack({ ...wanted, keepSecrets: secrets }, ctx, start);
  if (restarted.kind !== 'started')
    throw new AppError(
      `another local stack (pid ${restarted.found.record.pid}) started here meanwhile; run setup --local again`,
    );
  return resultOf('restarted', restarted.local, ctx.cwd, changed);
}
