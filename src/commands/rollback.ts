/**
 * `rollback [--to VERSION]`: moves alias live back to the version before the one it runs (or the one named) in
 * one UpdateAlias call: no upload, no rebuild. A canary in progress is undone first: live keeps its version and
 * the canary's share goes back to it.
 */
import { defineCommand } from '../cli/command.js';
import { awsOptions, type AwsTargetOptions } from '../cli/option-sets.js';
import { wholeNumber } from '../cli/parsers.js';
import { jsonOption } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { NotFoundError } from '../errors.js';
import { formatDuration } from '../output/format.js';
import type { Style } from '../output/style.js';
import type { VersionInfo } from '../provision/alias.js';
import type { AwsDeps } from '../provision/session.js';
import { renderLocalSwitch, type LocalSwitchResult } from './versions-local.js';

export interface RollbackOptions extends AwsTargetOptions {
  to?: number;
  local?: boolean;
}

export interface RollbackResult {
  target: 'aws';
  function: string;
  /** The version live runs now, and the one it ran before (the same when only a canary was undone). */
  version: string;
  replacedVersion: string;
  /** The canary that was taken out: its version and the share it had (0–1). */
  canaryRemoved?: { version: string; weight: number };
  /** False when live already ran the version asked for, with no canary: nothing was changed. */
  moved: boolean;
  ms: number;
}

/** The versions rollback may use, as words for an error. */
function choicesOf(versions: readonly VersionInfo[]): string {
  const usable = versions.filter((v) => v.productVersion !== undefined && !v.live).map((v) => v.version);
  return usable.length
    ? `versions it can use: ${usable.join(', ')}`
    : 'there is no other version of this stack to go back to';
}

/**
 * The version rollback moves live to: the one named (published by products-cli for this function), or the newest
 * of ours older than the live one.
 */
export function rollbackTarget(versions: readonly VersionInfo[], to?: number): string {
  const ours = versions.filter((v) => v.productVersion !== undefined);
  const live = versions.find((v) => v.live);
  if (to !== undefined) {
    if (!ours.some((v) => v.version === String(to)))
      throw new NotFoundError(
        `version ${to} does not exist or was not published by this stack; ${choicesOf(versions)}`,
      );
    return String(to);
  }
  const previous = ours.filter((v) => !v.live && Number(v.version) < Number(live?.version ?? Infinity)).at(-1);
  if (!previous)
    throw new NotFoundError(
      `live runs version ${live?.version ?? 'none'} and no earlier version of this stack remains; ${choicesOf(versions)}`,
    );
  return previous.version;
}

/** Moves live back, or takes a canary out. */
export async function rollback(
  opts: RollbackOptions,
  ctx: Context,
  deps: Partial<AwsDeps> = {},
): Promise<RollbackResult> {
  // Loaded here, so that `rollback --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, alias] = await Promise.all([
    import('../provision/session.js'),
    import('../output/progress.js'),
    import('../provision/alias.js'),
  ]);
  const session = await openSession({ ...awsTarget(opts), force: false }, withTerminalProgress(ctx), deps);
  const { pctx } = session;
  const started = pctx.clock.now();
  try {
    const current = await alias.getLiveAlias(pctx);
    if (!current?.FunctionVersion)
      throw new NotFoundError(`function ${pctx.names.function} has no alias live; run products-cli setup first`);
    const canary = alias.canaryOf(current);
    // With a canary and no --to, undoing the canary is the rollback: live keeps the version it ran.
    const version =
      canary && opts.to === undefined
        ? current.FunctionVersion
        : rollbackTarget(await alias.listVersions(pctx, current), opts.to);
    const moved = version !== current.FunctionVersion || canary !== undefined;
    if (moved) await alias.moveLiveAlias(pctx, current, version);
    return {
      target: 'aws',
      function: pctx.names.function,
      version,
      replacedVersion: current.FunctionVersion,
      ...(canary ? { canaryRemoved: canary } : {}),
      moved,
      ms: pctx.clock.now() - started,
    };
  } finally {
    session.close();
  }
}

/** The rollback result for people. */
export function renderRollback(result: RollbackResult, style: Style): string {
  if (!result.moved)
    return `Nothing to roll back: ${result.function}:live already runs version ${result.version}, with no canary.`;
  const canary = result.canaryRemoved
    ? `; took out the canary of version ${result.canaryRemoved.version} (${Math.round(result.canaryRemoved.weight * 1000) / 10}% of requests)`
    : '';
  const replacing = result.version === result.replacedVersion ? '' : `, replacing version ${result.replacedVersion}`;
  return `Rolled back ${result.function}: live runs version ${style.bold(result.version)}${replacing}${canary}, ${formatDuration(result.ms)}.`;
}

export const command = defineCommand({
  options: [
    ...awsOptions(),
    {
      flags: '--to <version>',
      description: 'the version to go back to (default: the one before live; see products-cli versions)',
      parse: wholeNumber('--to', 1, 1_000_000),
    },
    { flags: '--local', description: 'the local stack running here: live back to a version it still runs' },
    jsonOption('print the result as JSON'),
  ],
  help: `Examples:
  $ products-cli rollback
  $ products-cli rollback --to 3 --json
  $ products-cli rollback --local                # the local stack: live back to the version before

Moves alias live, which the API invokes, in one UpdateAlias call: no upload, no rebuild. With a canary in
progress, takes the canary out (live keeps its version). Refuses a version that does not exist or was not
published by this stack, listing the ones it can use.`,
  run: async (_args: [], opts: RollbackOptions, ctx): Promise<RollbackResult | LocalSwitchResult> => {
    if (!opts.local) return rollback(opts, ctx);
    const { rollbackLocal } = await import('./versions-local.js');
    return rollbackLocal(opts.to, ctx);
  },
  render: (result: RollbackResult | LocalSwitchResult, style: Style) =>
    result.target === 'local' ? renderLocalSwitch(result, style, 'Rolled back') : renderRollback(result, style),
});
