/**
 * A stateful fake of the services products-cli provisions with, as harsh as AWS: every call takes a
 * varied, seeded time; a table is CREATING then ACTIVE (and DELETING before it goes); a new role cannot be
 * assumed by Lambda for a while, and CreateFunction is sometimes throttled meanwhile; a function is Pending
 * after create and InProgress after each update, refusing other updates (and AddPermission, TagResource)
 * with ResourceConflictException; overlapping changes to one REST API get 409 concurrent modification; API
 * Gateway enforces its control-plane quotas with 429 + retryAfterSeconds; log events become visible only
 * after an ingestion delay. Every error is the SDK's own class with the SDK's own name. Real SDK clients are
 * used; only `send` is replaced.
 *
 * The machinery is in core.ts, each service's handlers in a file of its own. A test calls a handler directly,
 * without latency or recording, as `fake.lambda.UpdateAlias({ ... })`.
 */
import { apiGatewayHandlers, invokeProblems } from './api-gateway.js';
import { cloudwatchHandlers, setAlarmState } from './cloudwatch.js';
import { FakeCore, type Services } from './core.js';
import { dynamodbHandlers } from './dynamodb.js';
import { iamHandlers } from './iam.js';
import { functionPolicy, lambdaHandlers, type PolicyStatement } from './lambda.js';
import { logsHandlers, putLogEvent } from './logs.js';
import { confirmSubscription, snsHandlers } from './sns.js';
import { stsHandlers } from './sts.js';

export { CrashError, type LatencyModel } from './core.js';

export class FakeAws extends FakeCore {
  readonly apigateway = apiGatewayHandlers(this);
  readonly cloudwatch = cloudwatchHandlers(this);
  readonly dynamodb = dynamodbHandlers(this);
  readonly iam = iamHandlers(this);
  readonly lambda = lambdaHandlers(this);
  readonly logs = logsHandlers(this);
  readonly sns = snsHandlers(this);
  readonly sts = stsHandlers(this);
  protected readonly services: Services = this;

  /** The statements of a function's policy, or of one alias's or version's (empty when there is none). */
  policy(fn: string, qualifier?: string): Map<string, PolicyStatement> {
    return functionPolicy(this, fn, qualifier);
  }

  /** Why a request to a deployed route of this stage would fail now (see api-gateway.ts). */
  invokeProblems(apiId: string, stageName: string): string[] {
    return invokeProblems(this, apiId, stageName);
  }

  /** Writes a log event stamped `timestamp` that FilterLogEvents returns from `timestamp + delayMs` on. */
  putLogEvent(group: string, message: string, timestamp: number, delayMs = this.model.logIngestionMs): void {
    putLogEvent(this, group, message, timestamp, delayMs);
  }

  /** Moves an alarm to a state, as CloudWatch does when it evaluates (SetAlarmState does the same). */
  setAlarmState(name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', reason: string): void {
    setAlarmState(this, name, state, reason);
  }

  /** What the person's click on the link in AWS's email does. */
  confirmSubscription(email: string): void {
    confirmSubscription(this, email);
  }
}
