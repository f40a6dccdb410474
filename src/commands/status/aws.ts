/** `status` (AWS): each resource of the stack with read calls only, the invoke URL, and a live check. */
import type { Context } from '../../context.js';
import type { StepResult } from '../../provision/context.js';
import type { AwsDeps } from '../../provision/session.js';
import type { VerifyResult } from '../../provision/wait-for-api.js';
import type { ConcurrencyCheck } from '../../provision/concurrency.js';
import { liveCheckSigner } from '../read-signer.js';
import type { StatusOptions } from './index.js';

export interface StatusResult {
  target: 'aws';
  region: string;
  /** The emulator the stack lives in; absent on AWS itself. */
  endpointUrl?: string;
  accountId: string;
  stack: string;
  resources: StepResult[];
  /** present: every resource is there as setup makes it; partial: some are missing or drifted; absent: none. */
  overall: 'present' | 'partial' | 'absent';
  url?: string;
  verify?: VerifyResult;
  /** The account's Lambda concurrency against the stage's burst limit. */
  concurrency?: ConcurrencyCheck;
}

/** Inspects the stack with read calls only, then checks the API through its URL when it is complete. */
export async function statusAws(opts: StatusOptions, ctx: Context, deps: Partial<AwsDeps> = {}): Promise<StatusResult> {
  // Loaded here, so that `status --help` does not load the AWS SDK.
  const [{ awsTarget, openSession }, { withTerminalProgress }, { inspectStack }, { waitForApi }, { checkConcurrency }] =
    await Promise.all([
      import('../../provision/session.js'),
      import('../../output/progress.js'),
      import('../../provision/stack.js'),
      import('../../provision/wait-for-api.js'),
      import('../../provision/concurrency.js'),
    ]);
  const session = await openSession(awsTarget(opts), withTerminalProgress(ctx), deps);
  const { pctx } = session;
  try {
    const recordedKey = session.previous?.apiKey;
    pctx.settings.apiKey = Boolean(opts.apiKey ?? recordedKey);
    const accountId = await pctx.accountId();
    const [{ steps, url }, concurrency] = await Promise.all([
      inspectStack(pctx),
      checkConcurrency(pctx).catch(() => undefined),
    ]);
    const missing = steps.filter((s) => s.outcome === 'missing').length;
    const overall =
      missing === steps.length ? 'absent' : steps.every((s) => s.outcome === 'present') ? 'present' : 'partial';
    let verify: VerifyResult | undefined;
    if (url && overall !== 'absent' && opts.verify !== false) {
      // A stack with --private-reads answers only signed reads, as setup's own live check signs them.
      const sign = await liveCheckSigner({
        ...pctx.settings.auth,
        region: pctx.region,
        ...(opts.profile ? { profile: opts.profile } : {}),
      });
      verify = await waitForApi(url, {
        fetch: session.deps.fetch,
        clock: pctx.clock,
        timeoutMs: 10_000,
        intervalMs: 2_000,
        ...(recordedKey ? { apiKey: recordedKey } : {}),
        ...(sign ? { sign } : {}),
      });
    }
    return {
      target: 'aws',
      region: pctx.region,
      ...(pctx.endpointUrl ? { endpointUrl: pctx.endpointUrl } : {}),
      accountId,
      stack: pctx.names.stack,
      resources: steps,
      overall,
      ...(url ? { url } : {}),
      ...(verify ? { verify } : {}),
      ...(concurrency ? { concurrency } : {}),
    };
  } finally {
    session.close();
  }
}
