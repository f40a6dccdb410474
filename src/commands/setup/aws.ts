/** `setup` (AWS): creates, completes or corrects the stack in the account the credential chain resolves. */
import { checkAccessFlags, type AccessFlags } from '../../cli/access-flags.js';
import type { AwsTargetOptions } from '../../cli/option-sets.js';
import type { AuthSettings } from '../../contract/auth.js';
import type { Context } from '../../context.js';
import { withTerminalProgress } from '../../output/progress.js';
import { DEFAULT_THROTTLE } from '../../defaults.js';
import { DEFAULT_ALARM_THRESHOLDS } from '../../provision/alarm-spec.js';
import { CheckFailedError, UsageError } from '../../errors.js';
import type { Architecture, ProvisionSettings, Runtime, StepResult } from '../../provision/context.js';
import { formatDuration } from '../../output/format.js';
import { findForeign, type ForeignResource } from '../../provision/adopt.js';
import { awsTarget, openSession, DEFAULT_SETTINGS, type AwsDeps } from '../../provision/session.js';
import { inspectStack, provisionStack } from '../../provision/stack.js';
import { waitForApi, type VerifyResult } from '../../provision/wait-for-api.js';
import { statePath } from '../../state/state-file.js';
import { checkConcurrency } from '../../provision/concurrency.js';
import { liveCheckSigner } from '../read-signer.js';
import { timelineOf, type TimelineEntry } from '../timeline.js';

/** As the CLI hands them over, each value checked by the parser declared with its flag. */
export interface SetupAwsOptions extends AwsTargetOptions, AccessFlags {
  runtime?: Runtime;
  arch?: Architecture;
  /** MB. */
  memory?: number;
  /** The function's timeout, in ms (`--function-timeout` takes whole seconds). */
  functionTimeout?: number;
  /** Days. */
  logRetention?: number;
  /** The IAM path of the function's role. */
  rolePath?: string;
  /** The ARN of the permissions boundary the function's role gets. */
  permissionsBoundary?: string;
  rateLimit?: number;
  burstLimit?: number;
  apiKey?: boolean;
  /** `--no-verify` sets this to false. */
  verify?: boolean;
  dryRun?: boolean;
  /** `--no-pitr` sets this to false. */
  pitr?: boolean;
  /** Take over untagged resources of our names. */
  adopt?: boolean;
  /** `--alarm-email`, repeatable. */
  alarmEmail?: string[];
  /** Percent of requests. */
  alarm5xx?: number;
  alarm4xx?: number;
  /** ms. */
  alarmP99?: number;
  alarmErrors?: number;
  alarmThrottles?: number;
}

export type PlanAction = 'create' | 'update' | 'leave' | 'conflict' | 'adopt';

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
  /** Resources made without products-cli that setup takes over (or, with --dry-run, would). */
  adopted?: ForeignResource[];
  /** Who may call the API, and the browser origins CORS allows. */
  auth: AuthSettings;
  corsOrigins: string[];
  verify?: VerifyResult;
  ms: number;
  /** When each step started and ended, in ms from the start of the command. */
  timeline: TimelineEntry[];
}

/** The setup flags with their defaults, and the access flags checked against each other. */
export function setupSettings(opts: SetupAwsOptions): ProvisionSettings {
  return {
    runtime: opts.runtime ?? DEFAULT_SETTINGS.runtime,
    architecture: opts.arch ?? DEFAULT_SETTINGS.architecture,
    memoryMb: opts.memory ?? DEFAULT_SETTINGS.memoryMb,
    timeoutSeconds: opts.functionTimeout === undefined ? DEFAULT_SETTINGS.timeoutSeconds : opts.functionTimeout / 1000,
    logRetentionDays: opts.logRetention ?? DEFAULT_SETTINGS.logRetentionDays,
    throttle: {
      rateLimit: opts.rateLimit ?? DEFAULT_THROTTLE.rateLimit,
      burstLimit: opts.burstLimit ?? DEFAULT_THROTTLE.burstLimit,
    },
    pitr: opts.pitr !== false,
    adopt: Boolean(opts.adopt),
    ...(opts.rolePath ? { rolePath: opts.rolePath } : {}),
    ...(opts.permissionsBoundary ? { permissionsBoundary: opts.permissionsBoundary } : {}),
    alarms: {
      emails: [...new Set(opts.alarmEmail ?? [])],
      thresholds: {
        serverErrorPercent: opts.alarm5xx ?? DEFAULT_ALARM_THRESHOLDS.serverErrorPercent,
        clientErrorPercent: opts.alarm4xx ?? DEFAULT_ALARM_THRESHOLDS.clientErrorPercent,
        p99LatencyMs: opts.alarmP99 ?? DEFAULT_ALARM_THRESHOLDS.p99LatencyMs,
        functionErrors: opts.alarmErrors ?? DEFAULT_ALARM_THRESHOLDS.functionErrors,
        throttles: opts.alarmThrottles ?? DEFAULT_ALARM_THRESHOLDS.throttles,
      },
    },
    ...access(opts),
  };
}

/** The local stack's own flags have no meaning on AWS: a usage error rather than a flag silently ignored. */
export function refuseLocalFlags(opts: object, command = 'setup'): void {
  const local = opts as { port?: unknown; dynamodbEndpoint?: unknown; integrationTimeout?: unknown };
  if (local.port !== undefined)
    throw new UsageError(`--port applies to ${command === 'setup' ? 'setup --local' : 'the local stack'} only`);
  if (local.dynamodbEndpoint !== undefined)
    throw new UsageError(
      `--dynamodb-endpoint applies to ${command === 'setup' ? 'setup --local' : 'the local stack'} only`,
    );
  if (local.integrationTimeout !== undefined)
    throw new UsageError(
      `--integration-timeout applies to ${command === 'setup' ? 'setup --local' : 'the local stack'} only; API Gateway's is 29 s`,
    );
}

function access(opts: SetupAwsOptions): Pick<ProvisionSettings, 'apiKey' | 'auth' | 'corsOrigins'> {
  const { auth, corsOrigins } = checkAccessFlags(opts);
  return { apiKey: auth.mode === 'api-key', auth, corsOrigins };
}

function planAction(step: StepResult, adoptable: ForeignResource[]): PlanAction {
  if (adoptable.some((f) => f.resource === step.resource && !f.problem)) return 'adopt';
  if (step.outcome === 'missing') return 'create';
  if (step.outcome === 'drifted') return step.detail?.includes('not tagged') ? 'conflict' : 'update';
  return 'leave';
}

/** Sets up the stack on AWS; with `dryRun`, only says what it would do. */
export async function setupAws(
  opts: SetupAwsOptions,
  ctx: Context,
  deps: Partial<AwsDeps> = {},
): Promise<SetupAwsResult> {
  refuseLocalFlags(opts);
  const settings = setupSettings(opts);
  const session = await openSession({ ...awsTarget(opts), settings }, withTerminalProgress(ctx), deps);
  const { pctx, progress, store } = session;
  const started = pctx.clock.now();
  try {
    const accountId = await pctx.accountId();
    const where = `stack ${pctx.names.stack} in ${pctx.region} (account ${accountId})`;
    if (opts.dryRun) {
      progress.note(`planning ${where} (read calls only)…`);
      const [inspected, foreign] = await Promise.all([
        inspectStack(pctx),
        opts.adopt ? findForeign(pctx) : Promise.resolve([]),
      ]);
      const steps = inspected.steps.map((step) => ({ ...step, action: planAction(step, foreign) }));
      return {
        target: 'aws',
        region: pctx.region,
        accountId,
        stack: pctx.names.stack,
        dryRun: true,
        steps,
        unchanged: steps.every((s) => s.action === 'leave'),
        ...(foreign.length ? { adopted: foreign } : {}),
        ...(inspected.url ? { url: inspected.url } : {}),
        ...(inspected.apiId ? { apiId: inspected.apiId } : {}),
        auth: settings.auth,
        corsOrigins: settings.corsOrigins,
        ms: pctx.clock.now() - started,
        timeline: [],
      };
    }
    progress.note(`setting up ${where}…`);
    const outcome = await provisionStack(pctx, progress);
    // A warning only: a caller without lambda:GetAccountSettings still gets its stack.
    const concurrency = await checkConcurrency(pctx).catch(() => undefined);
    if (concurrency?.warning) progress.note(`warning: ${concurrency.warning}`);
    await store.update((aws) => {
      aws.url = outcome.url;
      aws.auth = settings.auth;
      if (settings.corsOrigins.length) aws.corsOrigins = settings.corsOrigins;
      else delete aws.corsOrigins;
      if (outcome.apiKey) aws.apiKey = outcome.apiKey;
      else delete aws.apiKey;
    });
    const unchanged = outcome.steps.every((s) => s.outcome === 'unchanged');
    let verify: VerifyResult | undefined;
    if (opts.verify !== false) {
      verify = await progress.step('live check', async () => {
        const sign = await liveCheckSigner({
          ...settings.auth,
          region: pctx.region,
          ...(opts.profile ? { profile: opts.profile } : {}),
        });
        const result = await waitForApi(outcome.url, {
          fetch: session.deps.fetch,
          clock: pctx.clock,
          ...(outcome.apiKey ? { apiKey: outcome.apiKey } : {}),
          ...(sign ? { sign } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        return {
          ...result,
          outcome: result.ok ? ('present' as const) : ('missing' as const),
          detail: result.ok ? `GET /product answered ${result.status}` : (result.detail ?? 'no answer'),
        };
      });
      if (!verify.ok) {
        throw new CheckFailedError(
          `the stack is set up but ${outcome.url}/product did not answer 200 within ${formatDuration(verify.ms)} (last: ${verify.detail}); see products-cli logs, or run products-cli status`,
        );
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
      ...(outcome.adopted.length ? { adopted: outcome.adopted } : {}),
      ...(outcome.apiKey ? { apiKeyStoredIn: statePath(ctx.cwd) } : {}),
      auth: settings.auth,
      corsOrigins: settings.corsOrigins,
      ...(verify ? { verify } : {}),
      ms: pctx.clock.now() - started,
      timeline: timelineOf(progress.timings, started),
    };
  } finally {
    session.close();
  }
}

/** With private reads the live check's GET must be signed too, with the same credential chain. */
