/**
 * The account's Lambda concurrency against what the stage lets through: a new account may run only a few
 * concurrent executions, far below the stage's burst, and the invocations Lambda then throttles reach callers
 * as 5xx that nothing else explains.
 */
import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import { translateAwsError } from '../aws/errors.js';
import type { ProvisionContext } from './context.js';
import { describeStack } from './description.js';

export interface ConcurrencyCheck {
  /** The account's concurrent executions (GetAccountSettings AccountLimit.ConcurrentExecutions). */
  accountLimit: number;
  /** What no function has reserved: what this one can use. */
  unreserved: number;
  /** The stage's burst: the requests it lets through at once. */
  burstLimit: number;
  /** A warning with the numbers, when the function can run fewer at once than the stage sends. */
  warning?: string;
}

/** Compares the account's unreserved concurrency with the stage's burst limit. */
export function compareConcurrency(accountLimit: number, unreserved: number, burstLimit: number): ConcurrencyCheck {
  const check = { accountLimit, unreserved, burstLimit };
  if (unreserved >= burstLimit) return check;
  return {
    ...check,
    warning: `the account's Lambda concurrency (${unreserved} unreserved of ${accountLimit}) is below the stage's burst limit ${burstLimit}: requests beyond ${unreserved} at once are throttled by Lambda and answer 5xx; ask for a higher Lambda concurrency quota or lower --burst-limit`,
  };
}

/** Reads the account's Lambda settings and compares them with the stage's throttle. */
export async function checkConcurrency(ctx: ProvisionContext): Promise<ConcurrencyCheck> {
  let limit: number | undefined;
  let unreserved: number | undefined;
  try {
    const out = await ctx.clients.lambda.send(new GetAccountSettingsCommand({}));
    limit = out.AccountLimit?.ConcurrentExecutions;
    unreserved = out.AccountLimit?.UnreservedConcurrentExecutions;
  } catch (error) {
    throw translateAwsError(error, 'lambda:GetAccountSettings');
  }
  return compareConcurrency(limit ?? 0, unreserved ?? limit ?? 0, describeStack(ctx).stage.throttle.burstLimit);
}
