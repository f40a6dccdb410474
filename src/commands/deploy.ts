/**
 * `deploy`: uploads dist/handler.zip to the function when its SHA-256 differs, publishes it as a version whose
 * description records the bundle's SHA-256 and products-cli's version, moves alias live to it in one call and
 * prunes old versions. With --canary, live first sends a share of its requests to the new version for a while,
 * and promotes it or rolls it back by its error rate.
 */
import { resolve } from 'node:path';
import { defineCommand, type RunContext } from '../cli/command.js';
import { awsOptions, type AwsTargetOptions } from '../cli/option-sets.js';
import { duration, numberFlag } from '../cli/parsers.js';
import { jsonOption } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { AppError, CheckFailedError, EXIT, UsageError } from '../errors.js';
import type { Style } from '../output/style.js';
import { formatDuration } from '../output/format.js';
import type { CanaryCheck } from '../provision/canary.js';
import { DEFAULT_MAX_ERROR_RATE } from '../defaults.js';
import type { AwsDeps } from '../provision/session.js';
import { renderLocalSwitch, type LocalSwitchResult } from './versions-local.js';

export interface DeployOptions extends AwsTargetOptions {
  force?: boolean;
  /** The percentage of requests for the new version during the canary (above 0, below 100). */
  canary?: number;
  /** How long the canary runs, in ms. */
  for?: number;
  /** The canary's error rate, in percent, above which it is rolled back. */
  maxErrorRate?: number;
  /** The bundle to deploy instead of dist/handler.zip. */
  zip?: string;
  /** Into the running local stack instead of AWS. */
  local?: boolean;
}

/** The canary's run: its share, length and limit, each minute's figures, and how it ended. */
export interface CanaryReport {
  version: string;
  stableVersion: string;
  weight: number;
  durationMs: number;
  maxErrorRate: number;
  outcome: 'promoted' | 'rolled-back' | 'interrupted';
  reason?: string;
  checks: CanaryCheck[];
}

export interface DeployResult {
  target: 'aws';
  function: string;
  region: string;
  uploaded: boolean;
  sha256: string;
  previousSha256?: string;
  /** The version live runs now, and the one it replaced (absent when live did not move). */
  version: string;
  replacedVersion?: string;
  /** Old versions deleted (the newest few, the live and the canary one are kept). */
  pruned: string[];
  /** A canary an earlier deploy left on the alias (killed before it finished), which this deploy took out. */
  foundCanary?: { version: string; weight: number };
  canary?: CanaryReport;
  ms: number;
}

/** The default --max-error-rate, in percent. */
const DEFAULT_MAX_ERROR_PERCENT = DEFAULT_MAX_ERROR_RATE * 100;

/** Deploys the bundle to the stack's function. */
export async function deploy(
  opts: DeployOptions,
  ctx: Context & Partial<Pick<RunContext<CanaryCheck>, 'emit'>>,
  deps: Partial<AwsDeps> = {},
): Promise<DeployResult> {
  if (opts.canary === undefined && (opts.for !== undefined || opts.maxErrorRate !== undefined))
    throw new UsageError('--for and --max-error-rate go with --canary PERCENT');
  // Loaded here, so that `deploy --help` does not load the AWS SDK.
  const [{ awsTarget, openSession, readZipFile }, { withTerminalProgress }, { deployCode }, alias, canaries] =
    await Promise.all([
      import('../provision/session.js'),
      import('../output/progress.js'),
      import('../provision/function.js'),
      import('../provision/alias.js'),
      import('../provision/canary.js'),
    ]);
  const zip = opts.zip;
  // CloudWatch sums Lambda's figures per minute: a shorter canary on AWS would be judged on no figures at all.
  if (opts.for !== undefined && opts.for < AWS_CANARY_MIN_MS)
    throw new UsageError(
      `--for must be at least ${AWS_CANARY_MIN_MS / 60_000}m on AWS, where the figures come each minute (--local takes ${LOCAL_CANARY_MIN_MS / 1000}s)`,
    );
  const session = await openSession({ ...awsTarget(opts), force: Boolean(opts.force) }, withTerminalProgress(ctx), {
    ...(zip ? { readCode: () => readZipFile(resolve(ctx.cwd, zip)) } : {}),
    ...deps,
  });
  const { pctx, progress } = session;
  const started = pctx.clock.now();
  try {
    let current = await alias.getLiveAlias(pctx);
    // A canary still on the alias was left by a deploy that was killed: live goes back to its own version first.
    const foundCanary = alias.canaryOf(current);
    if (current && foundCanary) {
      progress.note(
        `found a canary of version ${foundCanary.version} (${percent(foundCanary.weight)}) left by an earlier deploy; taking it out`,
      );
      current = await alias.moveLiveAlias(pctx, current, current.FunctionVersion ?? '');
    }
    const result = await progress.step(`code of ${pctx.names.function}`, () => deployCode(pctx));
    const published = await progress.step('version', async () => ({
      resource: 'version',
      name: pctx.names.function,
      outcome: 'created' as const,
      config: await alias.publishVersion(pctx),
    }));
    const version = published.config.Version ?? '';
    const moved = current?.FunctionVersion !== version;
    let canary: CanaryReport | undefined;
    if (moved && current?.FunctionVersion && opts.canary !== undefined) {
      const plan = {
        version,
        stableVersion: current.FunctionVersion,
        weight: opts.canary / 100,
        durationMs: opts.for ?? DEFAULT_CANARY_MS,
        maxErrorRate: (opts.maxErrorRate ?? DEFAULT_MAX_ERROR_PERCENT) / 100,
      };
      progress.note(
        `canary: version ${version} gets ${percent(plan.weight)} of requests for ${minutes(plan.durationMs)}; rolled back above ${percent(plan.maxErrorRate)} errors`,
      );
      const ran = await canaries.runCanary(pctx, {
        alias: current,
        stable: plan.stableVersion,
        candidate: version,
        weight: plan.weight,
        durationMs: plan.durationMs,
        maxErrorRate: plan.maxErrorRate,
        signal: ctx.signal,
        onCheck: (check) => ctx.emit?.(check),
      });
      canary = { ...plan, ...ran };
    } else if (moved) {
      await progress.step('alias live', async () => ({
        resource: 'alias',
        name: 'live',
        outcome: 'updated' as const,
        config: await alias.moveLiveAlias(pctx, current, version),
      }));
    }
    const pruned = await alias.pruneVersions(pctx, await alias.listVersions(pctx, await alias.getLiveAlias(pctx)));
    return {
      target: 'aws',
      function: pctx.names.function,
      region: pctx.region,
      uploaded: result.outcome === 'updated',
      sha256: result.sha256,
      ...(result.previousSha256 ? { previousSha256: result.previousSha256 } : {}),
      version: canary && canary.outcome !== 'promoted' ? canary.stableVersion : version,
      ...(moved && current?.FunctionVersion && (!canary || canary.outcome === 'promoted')
        ? { replacedVersion: current.FunctionVersion }
        : {}),
      pruned,
      ...(foundCanary ? { foundCanary } : {}),
      ...(canary ? { canary } : {}),
      ms: pctx.clock.now() - started,
    };
  } finally {
    session.close();
  }
}

/** The deploy result for people. */
export function renderDeploy(result: DeployResult, style: Style): string {
  const pruned = result.pruned.length
    ? ` Deleted old version${result.pruned.length === 1 ? '' : 's'} ${result.pruned.join(', ')}.`
    : '';
  const found = result.foundCanary
    ? `Took out the canary of version ${result.foundCanary.version} (${percent(result.foundCanary.weight)}) an earlier deploy left on live.\n`
    : '';
  const canary = result.canary;
  if (canary && canary.outcome === 'rolled-back')
    return style.red(
      `${found}Rolled back the canary of version ${canary.version}: ${canary.reason}. live runs version ${canary.stableVersion} alone.${pruned}`,
    );
  if (canary && canary.outcome === 'interrupted')
    return style.yellow(
      `${found}Stopped: took out the canary of version ${canary.version}; live runs version ${canary.stableVersion} alone.${pruned}`,
    );
  if (canary)
    return `${found}Promoted version ${style.bold(canary.version)} after ${minutes(canary.durationMs)} at ${percent(canary.weight)}: ${figures(canary.checks.at(-1)?.canary)}. live runs it alone, replacing version ${canary.stableVersion}.${pruned}`;
  if (found) return `${found}${renderDeploy({ ...result, foundCanary: undefined } as DeployResult, style)}`;
  if (result.replacedVersion === undefined && !result.uploaded)
    return `Nothing to deploy: ${result.function}:live already runs this bundle (${result.sha256}), version ${result.version}.${pruned}`;
  return `Deployed ${result.function} in ${result.region}: live runs version ${style.bold(result.version)} (code ${result.sha256}), replacing version ${result.replacedVersion ?? 'none'}, ${formatDuration(result.ms)}.${pruned}`;
}

const percent = (weight: number) => `${Math.round(weight * 1000) / 10}%`;
const minutes = (ms: number) => `${Math.round(ms / 6_000) / 10} min`;
/** Elapsed time as m:ss, such as 1:00 or 0:05. */
const clockTime = (ms: number) => {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};
const figures = (t: CanaryCheck['canary'] | undefined) =>
  t ? `${t.invocations} invocations, ${t.errors} errors` : 'no figures yet';

/** One minute's figures of both versions, as the canary goes. */
export function renderCanaryCheck(check: CanaryCheck): string {
  const side = (t: CanaryCheck['canary'], role: string) =>
    `${role} version ${t.version} (${percent(t.share)}): ${figures(t)}`;
  return `canary at ${clockTime(check.elapsedMs)}: ${side(check.canary, 'new')} · ${side(check.live, 'live')}`;
}

/** Ends a canary that was rolled back with exit 1, and one stopped by a signal as interrupted. */
export function checkDeploy(result: Pick<DeployResult, 'canary'>): void {
  if (result.canary?.outcome === 'rolled-back')
    throw new CheckFailedError(
      `the canary of version ${result.canary.version} was rolled back: ${result.canary.reason}`,
    );
  if (result.canary?.outcome === 'interrupted')
    throw new AppError(
      `deploy was stopped during the canary of version ${result.canary.version}; live runs version ${result.canary.stableVersion} alone`,
      EXIT.interrupted,
    );
}

/** The canary's length when --for is not given. */
const DEFAULT_CANARY_MS = 5 * 60_000;
/** The shortest canary on AWS (one CloudWatch period) and locally, where the stack counts each request itself. */
const AWS_CANARY_MIN_MS = 60_000;
const LOCAL_CANARY_MIN_MS = 10_000;
/** How often a local canary's figures are read: the stack counts each invocation as it ends, with no minute's delay. */
const LOCAL_CHECK_INTERVAL_MS = 5_000;

export const command = defineCommand({
  options: [
    ...awsOptions(),
    { flags: '--force', description: 'deploy even to a function that lacks our stack tag' },
    { flags: '--zip <file>', description: 'the bundle to deploy (default: dist/handler.zip)' },
    {
      flags: '--local',
      description: 'into the local stack running here: a new version that live moves to once it runs',
    },
    {
      flags: '--canary <percent>',
      description:
        'first send this percentage of requests to the new version (e.g. 10), then promote it or roll it back',
      parse: numberFlag('--canary', 'a percentage above 0 and below 100', (n) => n > 0 && n < 100),
    },
    {
      flags: '--for <duration>',
      description: `how long the canary runs (default: 5m), checked each minute (--local: every ${LOCAL_CHECK_INTERVAL_MS / 1000} s, from ${LOCAL_CANARY_MIN_MS / 1000}s)`,
      parse: duration(
        '--for',
        24 * 3_600_000,
        `a time from ${AWS_CANARY_MIN_MS / 60_000}m to 24h such as 5m (${LOCAL_CANARY_MIN_MS / 1000}s with --local)`,
        LOCAL_CANARY_MIN_MS,
      ),
    },
    {
      flags: '--max-error-rate <percent>',
      description: `the new version's error rate that rolls the canary back (default: ${DEFAULT_MAX_ERROR_PERCENT})`,
      parse: numberFlag('--max-error-rate', 'a percentage from 0 to 100', (n) => n >= 0 && n <= 100),
    },
    jsonOption('print the result as JSON'),
  ],
  help: `Examples:
  $ npm run build && products-cli deploy
  $ products-cli deploy --stack alice --json
  $ products-cli deploy --canary 10 --for 5m                 # 10% of requests for 5 minutes, then all or none
  $ products-cli deploy --zip build/other.zip --canary 25 --for 10m --max-error-rate 0.5
  $ products-cli deploy --local --zip build/other.zip        # the local stack: a new version, no request dropped

Compares the bundle's SHA-256 with the function's CodeSha256: an unchanged bundle is not uploaded. The
bundle goes out as a new version; alias live (which the API invokes) moves to it in one call, and the
version it replaced is printed. Old versions beyond the newest few are deleted, never the live one.

With --canary PERCENT --for DURATION, live first routes PERCENT of its requests to the new version, reads
both versions' invocations and errors from CloudWatch each minute, and then promotes the new version, or
rolls it back as soon as its error rate passes --max-error-rate (default 1%: Errors counts failed
invocations, not 4xx answers, so the version in service normally has none) and exits 1. Ctrl-C or SIGTERM
rolls the canary back. A canary left by a killed deploy is taken out by the next deploy or rollback.`,
  run: async (_args: [], opts: DeployOptions, ctx): Promise<DeployResult | LocalSwitchResult> => {
    if (!opts.local) return deploy(opts, ctx);
    const local = await import('./versions-local.js');
    if (opts.canary === undefined) {
      if (opts.for !== undefined || opts.maxErrorRate !== undefined)
        throw new UsageError('--for and --max-error-rate go with --canary PERCENT');
      return local.deployLocal(opts.zip, ctx);
    }
    const canary = {
      weight: opts.canary / 100,
      durationMs: opts.for ?? DEFAULT_CANARY_MS,
      maxErrorRate: (opts.maxErrorRate ?? DEFAULT_MAX_ERROR_PERCENT) / 100,
      checkEveryMs: LOCAL_CHECK_INTERVAL_MS,
    };
    return local.deployLocalCanary({ ...canary, ...(opts.zip ? { zip: opts.zip } : {}) }, ctx, (check) =>
      ctx.emit(check),
    );
  },
  render: (result: DeployResult | LocalSwitchResult, style: Style) =>
    result.target === 'local' ? renderLocalSwitch(result, style, 'Deployed') : renderDeploy(result, style),
  live: { render: (check: CanaryCheck) => renderCanaryCheck(check) },
  check: checkDeploy,
});
