/**
 * A gradual deploy: alias live sends a share of its requests to the new version (its routing configuration),
 * the new version's invocations and errors are read each minute from CloudWatch, and the canary is then promoted
 * (live runs the new version alone) or rolled back (live runs the old one alone).
 *
 * Lambda publishes the metrics of an invocation through an alias per version that ran it, under the dimensions
 * FunctionName, Resource (`function:alias`) and ExecutedVersion, in namespace AWS/Lambda (Lambda Developer
 * Guide, "Using CloudWatch metrics with Lambda": "Use the ExecutedVersion dimension to compare error rates for
 * two versions of a function that are both targets of a weighted alias").
 */
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { translateAwsError } from '../aws/errors.js';
import { retryThrottled } from '../aws/retry.js';
import { AwsError } from '../errors.js';
import { executedVersionDimensions } from '../stack/metric-series.js';
import { moveLiveAlias } from './alias.js';
import type { ProvisionContext } from './context.js';
import { describeStack } from './description.js';

/** How often the canary's figures are read: Lambda sends its metrics to CloudWatch each minute. */
export const CHECK_INTERVAL_MS = 60_000;

export interface VersionTraffic {
  version: string;
  /** The share of the alias's requests routed to it (0–1). */
  share: number;
  invocations: number;
  errors: number;
}

/** One reading of both versions' figures since the canary began. */
export interface CanaryCheck {
  /** Milliseconds since the canary began. */
  elapsedMs: number;
  canary: VersionTraffic;
  live: VersionTraffic;
}

export interface CanaryPlan {
  /** The alias as read before the canary, the version it runs, and the new one. */
  alias: AliasConfiguration;
  stable: string;
  candidate: string;
  /** The share of requests for the candidate (above 0, below 1). */
  weight: number;
  durationMs: number;
  maxErrorRate: number;
  signal?: AbortSignal;
  onCheck?: (check: CanaryCheck) => void;
}

export type CanaryOutcome =
  | { outcome: 'promoted'; checks: CanaryCheck[] }
  | { outcome: 'rolled-back'; checks: CanaryCheck[]; reason: string }
  | { outcome: 'interrupted'; checks: CanaryCheck[] };

/** The error rate of a version's figures (0 without invocations and errors). */
export function errorRate(traffic: Pick<VersionTraffic, 'invocations' | 'errors'>): number {
  if (traffic.errors === 0) return 0;
  return traffic.invocations > 0 ? traffic.errors / traffic.invocations : 1;
}

/** Why the canary must be rolled back, or undefined while its error rate is within the limit. */
export function canaryVerdict(check: CanaryCheck, maxErrorRate: number): string | undefined {
  const rate = errorRate(check.canary);
  if (rate <= maxErrorRate) return undefined;
  const percent = (n: number) => `${Math.round(n * 1000) / 10}%`;
  return `version ${check.canary.version} failed ${check.canary.errors} of ${check.canary.invocations} invocations (${percent(rate)}, above ${percent(maxErrorRate)}); version ${check.live.version} failed ${check.live.errors} of ${check.live.invocations}`;
}

/** The queries of each version's invocations and errors through the alias, summed per minute. */
export function canaryQueries(fn: string, alias: string, versions: readonly string[]): MetricDataQuery[] {
  return versions.flatMap((version, index) =>
    (['Invocations', 'Errors'] as const).map((metric) => ({
      Id: `${metric === 'Invocations' ? 'inv' : 'err'}${index}`,
      Label: `${metric} ${version}`,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: executedVersionDimensions(fn, alias, version),
        },
        Period: CHECK_INTERVAL_MS / 1000,
        Stat: 'Sum',
      },
    })),
  );
}

/** Each version's invocations and errors through the alias from `start` until now. */
export async function readVersionFigures(
  ctx: ProvisionContext,
  versions: readonly string[],
  start: number,
  signal?: AbortSignal,
): Promise<Array<{ invocations: number; errors: number }>> {
  const { function: fn } = describeStack(ctx);
  const queries = canaryQueries(fn.name, fn.alias.name, versions);
  const sums = new Map<string, number>();
  let NextToken: string | undefined;
  do {
    const input = {
      MetricDataQueries: queries,
      StartTime: new Date(start),
      EndTime: new Date(ctx.clock.now()),
      ...(NextToken ? { NextToken } : {}),
    };
    let page;
    try {
      page = await retryThrottled(() => ctx.clients.cloudwatch.send(new GetMetricDataCommand(input)), {
        clock: ctx.clock,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw translateAwsError(error, 'cloudwatch:GetMetricData');
    }
    for (const result of page.MetricDataResults ?? [])
      sums.set(result.Id ?? '', (sums.get(result.Id ?? '') ?? 0) + (result.Values ?? []).reduce((a, b) => a + b, 0));
    NextToken = page.NextToken;
  } while (NextToken);
  return versions.map((_v, index) => ({
    invocations: sums.get(`inv${index}`) ?? 0,
    errors: sums.get(`err${index}`) ?? 0,
  }));
}

/**
 * Runs the canary: routes `weight` of live's requests to the candidate, reads both versions' figures each minute,
 * rolls back past the error rate or when the signal aborts, and promotes the candidate when the time is up.
 */
export async function runCanary(ctx: ProvisionContext, plan: CanaryPlan): Promise<CanaryOutcome> {
  const { stable, candidate, weight } = plan;
  let alias = await moveLiveAlias(ctx, plan.alias, stable, { version: candidate, weight });
  const started = ctx.clock.now();
  const checks: CanaryCheck[] = [];
  // Going back must not be cut short by the Ctrl-C it answers.
  const { signal: _signal, ...unstoppable } = ctx;
  const back = async () => {
    alias = await moveLiveAlias(unstoppable, alias, stable);
  };
  try {
    for (;;) {
      const remaining = plan.durationMs - (ctx.clock.now() - started);
      if (remaining <= 0) break;
      await ctx.clock.sleep(Math.min(CHECK_INTERVAL_MS, remaining), plan.signal);
      const [now, before] = await readVersionFigures(ctx, [candidate, stable], started, plan.signal);
      const check: CanaryCheck = {
        elapsedMs: ctx.clock.now() - started,
        canary: { version: candidate, share: weight, ...(now as { invocations: number; errors: number }) },
        live: { version: stable, share: 1 - weight, ...(before as { invocations: number; errors: number }) },
      };
      checks.push(check);
      plan.onCheck?.(check);
      const reason = canaryVerdict(check, plan.maxErrorRate);
      if (reason) {
        await back();
        return { outcome: 'rolled-back', checks, reason };
      }
    }
  } catch (error) {
    // Whatever stopped the canary (Ctrl-C, or CloudWatch failing to answer), live goes back to the stable version.
    await back();
    if (plan.signal?.aborted) return { outcome: 'interrupted', checks };
    throw new AwsError(
      `the canary of version ${candidate} stopped (${(error as Error).message}); live runs version ${stable} alone again`,
      { cause: error },
    );
  }
  await moveLiveAlias(ctx, alias, candidate);
  return { outcome: 'promoted', checks };
}
