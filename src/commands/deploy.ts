/** `deploy`: uploads dist/handler.zip to the function when its SHA-256 differs, and waits for the update. */
import type { ChalkInstance } from 'chalk';
import type { Context } from '../context.js';
import { deployCode } from '../provision/function.js';
import { formatDuration } from '../provision/progress.js';
import { awsTarget, openSession, type AwsDeps } from '../provision/session.js';
import type { AwsTargetOptions } from './setup-aws.js';

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
  const session = await openSession(
    { ...awsTarget(opts), force: Boolean(opts.force) },
    ctx,
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
export function renderDeploy(result: DeployResult, style: ChalkInstance): string {
  return result.uploaded
    ? `Deployed ${result.function} in ${result.region}: code ${style.bold(result.sha256)} (was ${result.previousSha256 ?? 'unknown'}), ${formatDuration(result.ms)}.`
    : `Nothing to deploy: ${result.function} already runs this bundle (${result.sha256}).`;
}
