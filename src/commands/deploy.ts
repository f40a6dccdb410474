/** `deploy`: uploads dist/handler.zip to the function when its SHA-256 differs, and waits for the update. */
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
  ms: number;
}

/** Deploys the bundle to the stack's function. */
export async function deploy(opts: DeployOptions, ctx: Context, deps: Partial<AwsDeps> = {}): Promise<DeployResult> {
  // Loaded here, so that `deploy --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, { deployCode }] = await Promise.all([import('../provision/session.js'), import('../output/progress.js'), import('../provision/function.js')]);
  const session = await openSession(
    { ...awsTarget(opts), force: Boolean(opts.force) },
    withTerminalProgress(ctx),
    deps,
  );
  const { pctx, progress } = session;
  const started = pctx.clock.now();
  try {
    const result = await progress.step(`code of ${pctx.names.function}`, () => deployCode(pctx));
    return {
      target: 'aws',
      function: pctx.names.function,
      region: pctx.region,
      uploaded: result.outcome === 'updated',
      sha256: result.sha256,
      ...(result.previousSha256 ? { previousSha256: result.previousSha256 } : {}),
      ms: pctx.clock.now() - started,
    };
  } finally {
    session.close();
  }
}

/** The deploy result for people. */
export function renderDeploy(result: DeployResult, style: Style): string {
  return result.uploaded
    ? `Deployed ${result.function} in ${result.region}: code ${style.bold(result.sha256)} (was ${result.previousSha256 ?? 'unknown'}), ${formatDuration(result.ms)}.`
    : `Nothing to deploy: ${result.function} already runs this bundle (${result.sha256}).`;
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

Compares the bundle's SHA-256 with the function's CodeSha256: an unchanged bundle is not uploaded.`,
  run: (_args: [], opts: DeployOptions, ctx) => deploy(opts, ctx),
  render: renderDeploy,
});
