/**
 * `deploy`: uploads dist/handler.zip to the function when its SHA-256 differs, publishes it as a version whose
 * description records the bundle's SHA-256 and products-cli's version, moves alias live to it in one call and
 * prunes old versions.
 */
import { defineCommand } from '../cli/command.js';
import { awsOptions, type AwsTargetOptions } from '../cli/option-sets.js';
import { jsonOption } from '../cli/target-options.js';
import type { Context } from '../context.js';
import type { Style } from '../output/style.js';
import { formatDuration } from '../output/format.js';
import type { AwsDeps } from '../provision/session.js';

export interface DeployOptions extends AwsTargetOptions {
  force?: boolean;
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
  ms: number;
}

/** Deploys the bundle to the stack's function. */
export async function deploy(opts: DeployOptions, ctx: Context, deps: Partial<AwsDeps> = {}): Promise<DeployResult> {
  // Loaded here, so that `deploy --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, { deployCode }, alias] = await Promise.all([
    import('../provision/session.js'),
    import('../output/progress.js'),
    import('../provision/function.js'),
    import('../provision/alias.js'),
  ]);
  const session = await openSession(
    { ...awsTarget(opts), force: Boolean(opts.force) },
    withTerminalProgress(ctx),
    deps,
  );
  const { pctx, progress } = session;
  const started = pctx.clock.now();
  try {
    const result = await progress.step(`code of ${pctx.names.function}`, () => deployCode(pctx));
    const current = await alias.getLiveAlias(pctx);
    const published = await progress.step('version', async () => ({ resource: 'version', name: pctx.names.function, outcome: 'created' as const, config: await alias.publishVersion(pctx) }));
    const version = published.config.Version ?? '';
    const moved = current?.FunctionVersion !== version || alias.canaryOf(current) !== undefined;
    if (moved) await progress.step('alias live', async () => ({ resource: 'alias', name: 'live', outcome: 'updated' as const, config: await alias.moveLiveAlias(pctx, current, version) }));
    const pruned = await alias.pruneVersions(pctx, await alias.listVersions(pctx, await alias.getLiveAlias(pctx)));
    return {
      target: 'aws',
      function: pctx.names.function,
      region: pctx.region,
      uploaded: result.outcome === 'updated',
      sha256: result.sha256,
      ...(result.previousSha256 ? { previousSha256: result.previousSha256 } : {}),
      version,
      ...(moved && current?.FunctionVersion ? { replacedVersion: current.FunctionVersion } : {}),
      pruned,
      ms: pctx.clock.now() - started,
    };
  } finally {
    session.close();
  }
}

/** The deploy result for people. */
export function renderDeploy(result: DeployResult, style: Style): string {
  const pruned = result.pruned.length ? ` Deleted old version${result.pruned.length === 1 ? '' : 's'} ${result.pruned.join(', ')}.` : '';
  if (result.replacedVersion === undefined && !result.uploaded) return `Nothing to deploy: ${result.function}:live already runs this bundle (${result.sha256}), version ${result.version}.${pruned}`;
  return `Deployed ${result.function} in ${result.region}: live runs version ${style.bold(result.version)} (code ${result.sha256}), replacing version ${result.replacedVersion ?? 'none'}, ${formatDuration(result.ms)}.${pruned}`;
}

export const command = defineCommand({
  options: [
    ...awsOptions(),
    { flags: '--force', description: 'deploy even to a function that lacks our stack tag' },
    jsonOption('print the result as JSON'),
  ],
  help: `Examples:
  $ npm run build && products-cli deploy
  $ products-cli deploy --stack alice --json

Compares the bundle's SHA-256 with the function's CodeSha256: an unchanged bundle is not uploaded. The
bundle goes out as a new version; alias live (which the API invokes) moves to it in one call, and the
version it replaced is printed. Old versions beyond the newest few are deleted, never the live one.`,
  run: (_args: [], opts: DeployOptions, ctx) => deploy(opts, ctx),
  render: renderDeploy,
});
