/** `status`: each resource of the AWS stack (present, missing, drifted), the invoke URL, and a live check. */
import { defineCommand } from '../cli/command.js';
import { awsOptions, FLAG } from '../cli/option-sets.js';
import { jsonOption } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { CheckFailedError } from '../errors.js';
import type { Style } from '../output/style.js';
import type { StepResult } from '../provision/context.js';
import type { AwsDeps } from '../provision/session.js';
import type { VerifyResult } from '../provision/verify.js';
import type { AwsTargetOptions } from './setup-aws.js';
import { assertLocalHealthy, renderLocalStatus, type LocalStatusResult } from './status-local.js';

export interface StatusOptions extends AwsTargetOptions {
  /** The local stack instead of AWS. */
  local?: boolean;
  /** `--no-verify` sets this to false. */
  verify?: boolean;
  apiKey?: boolean;
}

export interface StatusResult {
  target: 'aws';
  region: string;
  accountId: string;
  stack: string;
  resources: StepResult[];
  /** present: every resource is there as setup makes it; partial: some are missing or drifted; absent: none. */
  overall: 'present' | 'partial' | 'absent';
  url?: string;
  verify?: VerifyResult;
}

/** Inspects the stack with read calls only, then checks the API through its URL when it is complete. */
export async function status(opts: StatusOptions, ctx: Context, deps: Partial<AwsDeps> = {}): Promise<StatusResult> {
  // Loaded here, so that `status --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, { inspectStack }, { verifyStack }] = await Promise.all([
    import('../provision/session.js'),
    import('../output/progress.js'),
    import('../provision/stack.js'),
    import('../provision/verify.js'),
  ]);
  const session = await openSession(
    awsTarget(opts),
    withTerminalProgress(ctx),
    deps,
  );
  const { pctx } = session;
  try {
    const recordedKey = session.previous?.apiKey;
    pctx.settings.apiKey = Boolean(opts.apiKey ?? recordedKey);
    const accountId = await pctx.accountId();
    const { steps, url } = await inspectStack(pctx);
    const missing = steps.filter((s) => s.outcome === 'missing').length;
    const overall = missing === steps.length ? 'absent' : steps.every((s) => s.outcome === 'present') ? 'present' : 'partial';
    let verify: VerifyResult | undefined;
    if (url && overall !== 'absent' && opts.verify !== false) {
      verify = await verifyStack(url, { fetch: session.deps.fetch, clock: pctx.clock, timeoutMs: 10_000, intervalMs: 2_000, ...(recordedKey ? { apiKey: recordedKey } : {}) });
    }
    return { target: 'aws', region: pctx.region, accountId, stack: pctx.names.stack, resources: steps, overall, ...(url ? { url } : {}), ...(verify ? { verify } : {}) };
  } finally {
    session.close();
  }
}

/** Ends `status` with exit 1 when the stack is not whole or its live check failed, so scripts can rely on it. */
export function assertStackHealthy(result: StatusResult): void {
  if (result.overall !== 'present') {
    const notPresent = result.resources.filter((r) => r.outcome !== 'present').length;
    throw new CheckFailedError(
      result.overall === 'absent'
        ? `stack ${result.stack} does not exist in ${result.region}; run products-cli setup`
        : `stack ${result.stack} is incomplete: ${notPresent} resource${notPresent === 1 ? ' is' : 's are'} missing or drifted; run products-cli setup`,
    );
  }
  if (result.verify && !result.verify.ok) throw new CheckFailedError(`the live check of ${result.url} failed: ${result.verify.detail}`);
}

/** The status for people: one line per resource. */
export function renderStatus(result: StatusResult, style: Style): string {
  const mark = (outcome: string) => (outcome === 'present' ? style.green('present') : outcome === 'missing' ? style.red('missing') : style.yellow('drifted'));
  const width = Math.max(...result.resources.map((r) => `${r.resource} ${r.name}`.length));
  const lines = [`Stack ${result.stack} in ${result.region} (account ${result.accountId}): ${result.overall}`];
  for (const r of result.resources) lines.push(`  ${`${r.resource} ${r.name}`.padEnd(width)}  ${mark(r.outcome)}${r.detail ? style.dim(`  ${r.detail}`) : ''}`);
  if (result.url) lines.push(`Invoke URL: ${result.url}`);
  if (result.verify) lines.push(result.verify.ok ? `Live check: GET /product answered ${result.verify.status}.` : style.red(`Live check failed: ${result.verify.detail}`));
  if (result.overall !== 'present') lines.push(style.dim('products-cli setup creates what is missing and corrects what drifted.'));
  return lines.join('\n');
}

export const command = defineCommand({
  options: [
    { flags: '--local', description: 'the local stack: URL, pid, uptime, data, items, requests by status, and a live check (the default when only a local stack is recorded)' },
    ...awsOptions(),
    { flags: '--stage <name>', description: 'the stage (default: the one setup recorded, then prod)', parse: FLAG.stage },
    { flags: '--no-verify', description: 'skip the live check through the invoke URL' },
    jsonOption('print the status as JSON'),
  ],
  help: `Examples:
  $ products-cli status
  $ products-cli status --stack alice --json | jq '.resources[] | select(.outcome != "present")'
  $ products-cli status --local                # the stack of setup --local: URL, pid, uptime, data, items, requests

Read calls only. \`products-cli setup\` creates what is missing and corrects what drifted.
Exits 0 when every resource is present and the live check passes, 1 otherwise. With only a local stack
recorded, plain \`status\` shows the local one.`,
  run: async (_args: [], opts: StatusOptions, ctx): Promise<StatusResult | LocalStatusResult> => {
    const { onlyLocalRecorded } = await import('./logs-local.js');
    if (opts.local || (await onlyLocalRecorded(opts, ctx.cwd))) {
      const { statusLocal } = await import('./status-local.js');
      return statusLocal(ctx);
    }
    return status(opts, ctx);
  },
  render: (result, style) => (result.target === 'local' ? renderLocalStatus(result, style) : renderStatus(result, style)),
  check: (result) => (result.target === 'local' ? assertLocalHealthy(result) : assertStackHealthy(result)),
});
