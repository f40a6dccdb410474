/** `setup` (AWS): creates, completes or corrects the stack in the account the credential chain resolves. */
import type { ChalkInstance } from 'chalk';
import type { Context } from '../context.js';
import { DEFAULT_THROTTLE } from '../defaults.js';
import { CheckFailedError, UsageError } from '../errors.js';
import type { ProvisionSettings, StepResult } from '../provision/context.js';
import { RETENTION_DAYS } from '../provision/log-group.js';
import { formatDuration } from '../provision/progress.js';
import { awsTarget, openSession, DEFAULT_SETTINGS, type AwsDeps } from '../provision/session.js';
import { inspectStack, provisionStack } from '../provision/stack.js';
import { verifyStack, type VerifyResult } from '../provision/verify.js';
import { statePath } from '../state/state-file.js';

/** The AWS flags as commander hands them over. */
export interface AwsTargetOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  stack?: string;
  stage?: string;
  json?: boolean;
}

export interface SetupAwsOptions extends AwsTargetOptions {
  runtime?: string;
  arch?: string;
  memory?: string | number;
  timeout?: string | number;
  logRetention?: string | number;
  rateLimit?: string | number;
  burstLimit?: string | number;
  apiKey?: boolean;
  /** `--no-verify` sets this to false. */
  verify?: boolean;
  dryRun?: boolean;
}

export type PlanAction = 'create' | 'update' | 'leave' | 'conflict';

export interface SetupAwsResult {
  target: 'aws';
  region: string;
  accountId: string;
  stack: string;
  dryRun: boolean;
  /** Every resource and what happened to it (or, with --dry-run, what would). */
  steps: Array<StepResult & { action?: PlanAction }>;
  /** True when nothing had to be created or changed. */
  unchanged: boolean;
  url?: string;
  apiId?: string;
  apiKeyStoredIn?: string;
  verify?: VerifyResult;
  ms: number;
  /** When each step started and ended, in ms from the start of the command. */
  timeline: TimelineEntry[];
}

export interface TimelineEntry {
  step: string;
  outcome: string;
  startMs: number;
  endMs: number;
}

/** The progress timings relative to `started`. */
export function timelineOf(timings: Array<{ label: string; outcome: string; startedAt: number; endedAt: number }>, started: number): TimelineEntry[] {
  return timings.map((t) => ({ step: t.label, outcome: t.outcome, startMs: t.startedAt - started, endMs: t.endedAt - started }));
}

function number(value: string | number | undefined, flag: string, fallback: number, check: (n: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'number' ? value : /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed) || !check(parsed)) throw new UsageError(`${flag} must be ${rule}, not "${value}"`);
  return parsed;
}

/** Checks the setup flags; each bad value is a one-line usage error naming its flag. */
export function checkSetupSettings(opts: SetupAwsOptions): ProvisionSettings {
  const runtime = opts.runtime ?? DEFAULT_SETTINGS.runtime;
  if (runtime !== 'nodejs22.x' && runtime !== 'nodejs24.x') throw new UsageError(`--runtime must be nodejs24.x or nodejs22.x (older Node.js runtimes are deprecated), not "${runtime}"`);
  const architecture = opts.arch ?? DEFAULT_SETTINGS.architecture;
  if (architecture !== 'arm64' && architecture !== 'x86_64') throw new UsageError(`--arch must be arm64 or x86_64, not "${architecture}"`);
  const int = (n: number) => Number.isInteger(n);
  return {
    runtime,
    architecture,
    memoryMb: number(opts.memory, '--memory', DEFAULT_SETTINGS.memoryMb, (n) => int(n) && n >= 128 && n <= 10240, 'a whole number of MB from 128 to 10240'),
    timeoutSeconds: number(opts.timeout, '--timeout', DEFAULT_SETTINGS.timeoutSeconds, (n) => int(n) && n >= 1 && n <= 29, 'a whole number of seconds from 1 to 29 (API Gateway gives up after 29 s)'),
    logRetentionDays: number(opts.logRetention, '--log-retention', DEFAULT_SETTINGS.logRetentionDays, (n) => (RETENTION_DAYS as readonly number[]).includes(n), `one of ${RETENTION_DAYS.join(', ')} days`),
    throttle: {
      rateLimit: number(opts.rateLimit, '--rate-limit', DEFAULT_THROTTLE.rateLimit, (n) => n > 0, 'a number of requests per second above 0'),
      burstLimit: number(opts.burstLimit, '--burst-limit', DEFAULT_THROTTLE.burstLimit, (n) => int(n) && n >= 1, 'a whole number of requests, at least 1'),
    },
    apiKey: Boolean(opts.apiKey),
  };
}

function planAction(step: StepResult): PlanAction {
  if (step.outcome === 'missing') return 'create';
  if (step.outcome === 'drifted') return step.detail?.includes('not tagged') ? 'conflict' : 'update';
  return 'leave';
}

/** Sets up the stack on AWS; with `dryRun`, only says what it would do. */
export async function setupAws(opts: SetupAwsOptions, ctx: Context, deps: Partial<AwsDeps> = {}): Promise<SetupAwsResult> {
  const local = opts as { port?: unknown; dynamodbEndpoint?: unknown; integrationTimeout?: unknown };
  if (local.port !== undefined) throw new UsageError('--port applies to setup --local only');
  if (local.dynamodbEndpoint !== undefined) throw new UsageError('--dynamodb-endpoint applies to setup --local only');
  if (local.integrationTimeout !== undefined) throw new UsageError('--integration-timeout applies to setup --local only; API Gateway\'s is 29 s');
  const settings = checkSetupSettings(opts);
  const session = await openSession(
    { ...awsTarget(opts), settings },
    ctx,
    deps,
  );
  const { pctx, progress, store } = session;
  const started = pctx.clock.now();
  try {
    const accountId = await pctx.accountId();
    const where = `stack ${pctx.names.stack} in ${pctx.region} (account ${accountId})`;
    if (opts.dryRun) {
      progress.note(`planning ${where} (read calls only)…`);
      const inspected = await inspectStack(pctx);
      const steps = inspected.steps.map((step) => ({ ...step, action: planAction(step) }));
      return {
        target: 'aws',
        region: pctx.region,
        accountId,
        stack: pctx.names.stack,
        dryRun: true,
        steps,
        unchanged: steps.every((s) => s.action === 'leave'),
        ...(inspected.url ? { url: inspected.url } : {}),
        ...(inspected.apiId ? { apiId: inspected.apiId } : {}),
        ms: pctx.clock.now() - started,
        timeline: [],
      };
    }
    progress.note(`setting up ${where}…`);
    const outcome = await provisionStack(pctx, progress);
    await store.update((aws) => {
      aws.url = outcome.url;
      if (outcome.apiKey) aws.apiKey = outcome.apiKey;
      else delete aws.apiKey;
    });
    const unchanged = outcome.steps.every((s) => s.outcome === 'unchanged');
    let verify: VerifyResult | undefined;
    if (opts.verify !== false) {
      verify = await progress.step('live check', async () => {
        const result = await verifyStack(outcome.url, { fetch: session.deps.fetch, clock: pctx.clock, ...(outcome.apiKey ? { apiKey: outcome.apiKey } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
        return { ...result, outcome: result.ok ? ('present' as const) : ('missing' as const), detail: result.ok ? `GET /product answered ${result.status}` : (result.detail ?? 'no answer') };
      });
      if (!verify.ok) {
        throw new CheckFailedError(`the stack is set up but ${outcome.url}/product did not answer 200 within ${formatDuration(verify.ms)} (last: ${verify.detail}); see products-cli logs, or run products-cli status`);
      }
    }
    return {
      target: 'aws',
      region: pctx.region,
      accountId,
      stack: pctx.names.stack,
      dryRun: false,
      steps: outcome.steps,
      unchanged,
      url: outcome.url,
      apiId: outcome.apiId,
      ...(outcome.apiKey ? { apiKeyStoredIn: statePath(ctx.cwd) } : {}),
      ...(verify ? { verify } : {}),
      ms: pctx.clock.now() - started,
      timeline: timelineOf(progress.timings, started),
    };
  } finally {
    session.close();
  }
}

/** The setup result for people. */
export function renderSetupAws(result: SetupAwsResult, style: ChalkInstance): string {
  if (result.dryRun) {
    const lines = result.steps.map((s) => `  ${s.action === 'create' ? style.green('create') : s.action === 'update' ? style.yellow('update') : s.action === 'conflict' ? style.red('conflict') : style.dim('leave ')} ${s.resource} ${s.name}${s.detail ? style.dim(` (${s.detail})`) : ''}`);
    const summary = result.unchanged ? 'Nothing to do: the stack is complete.' : 'Run without --dry-run to apply.';
    return [`Plan for stack ${result.stack} in ${result.region} (account ${result.accountId}):`, ...lines, summary].join('\n');
  }
  const lines: string[] = [];
  lines.push(result.unchanged ? `Nothing to do: every resource of stack ${result.stack} is already in place (no create or update calls).` : `Stack ${result.stack} is set up in ${result.region} (${formatDuration(result.ms)}).`);
  if (result.url) lines.push(`Invoke URL: ${style.bold(result.url)}`);
  if (result.apiKeyStoredIn) lines.push(`API key: stored in ${result.apiKeyStoredIn} (sent by the product commands as x-api-key)`);
  if (result.verify?.ok) lines.push(`Live check: GET /product answered ${result.verify.status}.`);
  else if (!result.verify) lines.push(style.dim('Live check skipped (--no-verify).'));
  lines.push(style.dim('Try: products-cli add --title IPhone --price 900 && products-cli list'));
  return lines.join('\n');
}
