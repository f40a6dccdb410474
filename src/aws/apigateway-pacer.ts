/**
 * API Gateway's control plane has fixed per-account quotas (CreateRestApi 1 per 3 s, DeleteRestApi 1 per 30 s,
 * …) and answers 429 TooManyRequestsException with `retryAfterSeconds` beyond them. The SDK retries a 429 only
 * `maxAttempts` times with sub-second backoff, far short of these windows, so every API Gateway call goes
 * through this pacer: it spaces this process's calls to stay within the quotas, and when AWS throttles anyway
 * (other callers share the account) it waits as long as AWS says and tries again.
 *
 * Overlapping changes to one REST API get 409 ConflictException "Unable to complete operation due to
 * concurrent modification. Please try again later."; the SDK does not retry 409s. Setup changes each API one
 * call at a time, but another process may be changing it too, so that exact error is retried with backoff.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { AwsError } from '../errors.js';
import type { Clock } from './clock.js';
import { errorName } from './errors.js';

export interface Quota {
  limit: number;
  windowMs: number;
}

/** The fixed control-plane quotas of API Gateway (developer guide, "Amazon API Gateway quotas"). */
export const API_GATEWAY_QUOTAS: Readonly<Record<string, Quota>> = {
  CreateRestApi: { limit: 1, windowMs: 3_000 },
  DeleteRestApi: { limit: 1, windowMs: 30_000 },
  CreateResource: { limit: 5, windowMs: 1_000 },
  DeleteResource: { limit: 5, windowMs: 1_000 },
  CreateDeployment: { limit: 1, windowMs: 5_000 },
  GetResources: { limit: 5, windowMs: 2_000 },
  CreateApiKey: { limit: 5, windowMs: 1_000 },
  DeleteApiKey: { limit: 5, windowMs: 1_000 },
  UpdateUsagePlan: { limit: 1, windowMs: 20_000 },
};

/** All control-plane calls together: 10 per second (AWS allows bursts of 40; this stays under the rate). */
export const API_GATEWAY_TOTAL_QUOTA: Quota = { limit: 10, windowMs: 1_000 };

export interface PacerOptions {
  clock: Clock;
  /** Told when AWS throttles a call and how long the pacer waits. */
  onThrottle?: (operation: string, waitMs: number) => void;
  /** Told when a call met a concurrent change of the same REST API and how long the pacer waits. */
  onConflict?: (operation: string, waitMs: number) => void;
  /** Longest total time spent retrying concurrent-modification conflicts for one call. */
  maxConflictWaitMs?: number;
  /** Longest total time spent waiting on 429s for one call. */
  maxThrottleWaitMs?: number;
  signal?: AbortSignal;
}

/**
 * True for API Gateway's "concurrent modification" refusal. It shares the name ConflictException with real
 * conflicts ("Another resource with the same parent already has this name", "Method already exists"), and
 * older answers named it BadRequestException, so only the message tells them apart.
 */
export function isConcurrentModification(error: unknown): boolean {
  const name = errorName(error);
  return (
    (name === 'ConflictException' || name === 'BadRequestException') &&
    /concurrent modification/i.test((error as Error).message ?? '')
  );
}

/** Backoff for concurrent-modification retries: 0.5 s, 1 s, 2 s, … at most 8 s. */
export function conflictDelay(retries: number): number {
  return Math.min(8_000, 500 * 2 ** retries);
}

export class ApiGatewayPacer {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly client: APIGatewayClient,
    private readonly options: PacerOptions,
  ) {}

  /** Sends the command within the quotas, retrying 429s after the time AWS asks for. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one entry point for every command's output
  async send(command: { input: unknown }): Promise<any> {
    const operation = command.constructor.name.replace(/Command$/, '');
    const { clock } = this.options;
    const started = clock.now();
    for (let conflicts = 0; ; ) {
      await this.reserve(operation);
      try {
        return (await this.client.send(command as never)) as never;
      } catch (error) {
        if (isConcurrentModification(error)) {
          const waitMs = conflictDelay(conflicts);
          conflicts += 1;
          const bound = this.options.maxConflictWaitMs ?? 60_000;
          if (clock.now() - started + waitMs > bound) {
            throw new AwsError(
              `API Gateway kept refusing ${operation} for ${Math.round(bound / 1000)} s because another change to the same REST API was under way; run the command again once the other change is done`,
              { cause: error },
            );
          }
          this.options.onConflict?.(operation, waitMs);
          await clock.sleep(waitMs, this.options.signal);
          continue;
        }
        if (errorName(error) !== 'TooManyRequestsException') throw error;
        const retryAfter = Number((error as { retryAfterSeconds?: string }).retryAfterSeconds);
        // A little more than asked: the window is measured on AWS's side, after our request travelled.
        const waitMs = (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 2_000) + 250;
        const bound = this.options.maxThrottleWaitMs ?? 180_000;
        if (clock.now() - started + waitMs > bound) {
          throw new AwsError(
            `API Gateway kept throttling ${operation} for ${Math.round(bound / 1000)} s (quota per account); wait a minute and run the command again`,
            { cause: error },
          );
        }
        this.options.onThrottle?.(operation, waitMs);
        await clock.sleep(waitMs, this.options.signal);
      }
    }
  }

  /** Waits until a call of `operation` fits every window it counts against, and books it. */
  private async reserve(operation: string): Promise<void> {
    const { clock } = this.options;
    const windows: Array<[string, Quota]> = [['*', API_GATEWAY_TOTAL_QUOTA]];
    const own = API_GATEWAY_QUOTAS[operation];
    if (own) windows.push([operation, own]);
    let at = clock.now();
    for (const [key, quota] of windows) {
      const times = this.sent.get(key) ?? [];
      const earliest = times.length >= quota.limit ? (times[times.length - quota.limit] as number) + quota.windowMs : 0;
      at = Math.max(at, earliest, times[times.length - 1] ?? 0);
    }
    for (const [key, quota] of windows) {
      const times = this.sent.get(key) ?? [];
      times.push(at);
      if (times.length > quota.limit) times.splice(0, times.length - quota.limit);
      this.sent.set(key, times);
    }
    const wait = at - clock.now();
    if (wait > 0) await clock.sleep(wait, this.options.signal);
  }
}
