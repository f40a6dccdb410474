/** `deploy --local` and `rollback --local`: the running local stack loads a bundle as a new version, or moves live back. */
import type { CanaryReport } from './deploy.js';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { AppError, EXIT, NotFoundError, type ExitCode } from '../errors.js';
import type { Style } from '../output/style.js';
import type { ControlRequest } from '../local/health.js';
import type { ControlAnswer } from '../local/control.js';
import type { CanaryCheck } from '../provision/canary.js';

export interface LocalSwitchResult {
  target: 'local';
  url: string;
  version: string;
  replacedVersion: string;
  moved: boolean;
  /** Every version the stack has loaded since it started, oldest first. */
  versions: Array<{ version: string; codeSha256: string; publishedAt: string }>;
  /** With --canary: how it went, checked against the stack's own counts of each version's invocations. */
  canary?: CanaryReport;
}

export interface LocalCanaryOptions {
  zip?: string;
  /** 0–1, the run's length in ms, and the error rate (0–1) that rolls it back. */
  weight: number;
  durationMs: number;
  maxErrorRate: number;
  /** How often the stack's counts are read. */
  checkEveryMs: number;
}

/** The local stack this directory runs, and a way to send it requests with its secret. */
async function connectLocal(
  ctx: Context,
): Promise<{ url: string; send: (control: ControlRequest) => Promise<ControlAnswer['body']> }> {
  const [{ readState }, { locateStack }, { sendControl }] = await Promise.all([
    import('../state/state-file.js'),
    import('../local/locate.js'),
    import('../local/control.js'),
  ]);
  const found = await locateStack(ctx.cwd, await readState(ctx.cwd));
  if (found.kind !== 'running' || !found.record.secret)
    throw new NotFoundError('no local stack runs here; start it with products-cli setup --local');
  const { port } = found.identity;
  const secret = found.record.secret;
  return {
    url: found.identity.url,
    send: async (control) => {
      const answer = await sendControl(port, secret, control);
      if (answer.status !== 200)
        throw new AppError(
          answer.body.message ?? `the local stack answered ${answer.status}`,
          (answer.body.exitCode ?? EXIT.failure) as ExitCode,
        );
      return answer.body;
    },
  };
}

function switchOf(url: string, body: ControlAnswer['body']): LocalSwitchResult {
  const { version = '', replacedVersion = '', moved = false, versions = [] } = body;
  return { target: 'local', url, version, replacedVersion, moved, versions };
}

/** Sends one request to the local stack this directory runs. */
async function controlLocal(ctx: Context, control: ControlRequest): Promise<LocalSwitchResult> {
  const stack = await connectLocal(ctx);
  return switchOf(stack.url, await stack.send(control));
}

/**
 * `deploy --local --canary`: the stack sends `weight` of the requests to the new version, its own counts of each
 * version's invocations and failures are read every `checkEveryMs`, and the canary is promoted or rolled back as on AWS.
 */
export async function deployLocalCanary(
  options: LocalCanaryOptions,
  ctx: Context,
  onCheck: (check: CanaryCheck) => void,
): Promise<LocalSwitchResult> {
  const [{ defaultHandlerZip }, { canaryVerdict }, { systemClock }] = await Promise.all([
    import('../local/handler-code.js'),
    import('../provision/canary.js'),
    import('../aws/clock.js'),
  ]);
  const stack = await connectLocal(ctx);
  const started = await stack.send({
    action: 'canary',
    zip: options.zip ? resolve(ctx.cwd, options.zip) : defaultHandlerZip(),
    weight: options.weight,
  });
  const version = started.version ?? '';
  const stableVersion = started.stable ?? '';
  const begun = Date.now();
  const checks: CanaryCheck[] = [];
  const report = {
    version,
    stableVersion,
    weight: options.weight,
    durationMs: options.durationMs,
    maxErrorRate: options.maxErrorRate,
    checks,
  };
  const end = async (promote: boolean, outcome: 'promoted' | 'rolled-back' | 'interrupted', reason?: string) => ({
    ...switchOf(stack.url, await stack.send({ action: 'end-canary', promote })),
    canary: { ...report, outcome, ...(reason ? { reason } : {}) },
  });
  try {
    while (Date.now() - begun < options.durationMs) {
      await systemClock.sleep(Math.min(options.checkEveryMs, options.durationMs - (Date.now() - begun)), ctx.signal);
      const figures = (await stack.send({ action: 'figures' })).figures ?? {};
      const of = (v: string) => figures[v] ?? { invocations: 0, errors: 0 };
      const check: CanaryCheck = {
        elapsedMs: Date.now() - begun,
        canary: { version, share: options.weight, ...of(version) },
        live: { version: stableVersion, share: 1 - options.weight, ...of(stableVersion) },
      };
      checks.push(check);
      onCheck(check);
      const reason = canaryVerdict(check, options.maxErrorRate);
      if (reason) return await end(false, 'rolled-back', reason);
    }
  } catch (error) {
    if (!ctx.signal.aborted) {
      await end(false, 'rolled-back').catch(() => undefined);
      throw error;
    }
    return end(false, 'interrupted');
  }
  return end(true, 'promoted');
}

/** Loads the bundle (dist/handler.zip or `zip`) into the running local stack as a new version and moves live to it. */
export async function deployLocal(zip: string | undefined, ctx: Context): Promise<LocalSwitchResult> {
  const { defaultHandlerZip } = await import('../local/handler-code.js');
  return controlLocal(ctx, { action: 'deploy', zip: zip ? resolve(ctx.cwd, zip) : defaultHandlerZip() });
}

/** Moves the local stack's live back to the version before it, or to `to`. */
export function rollbackLocal(to: number | undefined, ctx: Context): Promise<LocalSwitchResult> {
  return controlLocal(ctx, { action: 'rollback', ...(to === undefined ? {} : { to: String(to) }) });
}

/** The versions the local stack runs, which one live runs and the canary's share. */
export interface LocalVersionsResult {
  target: 'local';
  url: string;
  live: string;
  canary?: { version: string; weight: number };
  versions: Array<{ version: string; codeSha256: string; publishedAt: string }>;
}

/** Asks the local stack running here for its versions. */
export async function listLocalVersions(ctx: Context): Promise<LocalVersionsResult> {
  const stack = await connectLocal(ctx);
  const { live = '', canary, versions = [] } = await stack.send({ action: 'versions' });
  return { target: 'local', url: stack.url, live, ...(canary ? { canary } : {}), versions };
}

/** The local switch for people. */
export function renderLocalSwitch(result: LocalSwitchResult, style: Style, verb: 'Deployed' | 'Rolled back'): string {
  const canary = result.canary;
  const percent = (n: number) => `${Math.round(n * 1000) / 10}%`;
  if (canary?.outcome === 'rolled-back')
    return style.red(
      `Rolled back the canary of version ${canary.version} in the local stack: ${canary.reason}. live runs version ${canary.stableVersion} alone.`,
    );
  if (canary?.outcome === 'interrupted')
    return style.yellow(
      `Stopped: took out the canary of version ${canary.version}; the local stack's live runs version ${canary.stableVersion} alone.`,
    );
  if (canary) {
    const last = canary.checks.at(-1)?.canary;
    return `Promoted version ${style.bold(canary.version)} in the local stack after ${percent(canary.weight)} of requests (${last?.invocations ?? 0} invocations, ${last?.errors ?? 0} errors); live runs it alone, replacing version ${canary.stableVersion}.`;
  }
  const sha = result.versions.find((v) => v.version === result.version)?.codeSha256 ?? '';
  if (!result.moved)
    return `Nothing to ${verb === 'Deployed' ? 'deploy' : 'roll back'}: the local stack at ${result.url} already runs version ${result.version} (code ${sha}).`;
  return `${verb} the local stack at ${result.url}: live runs version ${style.bold(result.version)} (code ${sha}), replacing version ${result.replacedVersion}.`;
}
