/**
 * The fake AWS account's core: its state, the latency every call takes, API Gateway's quotas and concurrent
 * modification conflicts, injected crashes and denials, the record of calls, and the dispatch of each SDK
 * command to its service's handler. The services' handlers live one file per service.
 */
import type * as ApiGateway from '@aws-sdk/client-api-gateway';
import { APIGatewayClient, ConflictException, TooManyRequestsException } from '@aws-sdk/client-api-gateway';
import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type * as Logs from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type * as DynamoDB from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type * as Iam from '@aws-sdk/client-iam';
import { IAMClient } from '@aws-sdk/client-iam';
import type * as Lambda from '@aws-sdk/client-lambda';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type * as Sns from '@aws-sdk/client-sns';
import { SNSClient } from '@aws-sdk/client-sns';
import type * as Sts from '@aws-sdk/client-sts';
import { STSClient } from '@aws-sdk/client-sts';
import { API_GATEWAY_QUOTAS, API_GATEWAY_TOTAL_QUOTA } from '../../../src/aws/apigateway-pacer.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { Clock } from '../../../src/aws/clock.js';
import type { AlarmRecord, MetricPoint } from './cloudwatch.js';
import type { TableRecord } from './dynamodb.js';
import type { RoleRecord } from './iam.js';
import type { FunctionRecord } from './lambda.js';
import type { LogGroupRecord } from './logs.js';
import type { TopicRecord } from './sns.js';
import type { ApiKeyRecord, ApiRecord, UsagePlanRecord } from './api-gateway.js';

/** The SDK package of each service the fake answers, by the name the fake records its calls under. */
interface Sdks {
  apigateway: typeof ApiGateway;
  cloudwatch: typeof CloudWatch;
  dynamodb: typeof DynamoDB;
  iam: typeof Iam;
  lambda: typeof Lambda;
  logs: typeof Logs;
  sns: typeof Sns;
  sts: typeof Sts;
}
export type ServiceName = keyof Sdks;

/** What every SDK command class is: constructed from its input, resolving to its output. */
type CommandClass = abstract new (
  input: never,
) => { input: object; resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: object }> };
/** A service's command classes by operation name: `CreateRole` for `CreateRoleCommand`. */
type Commands<S extends ServiceName> = {
  [K in keyof Sdks[S] as K extends `${infer Op}Command`
    ? Sdks[S][K] extends CommandClass
      ? Op
      : never
    : never]: Sdks[S][K];
};
export type CommandName<S extends ServiceName> = keyof Commands<S> & string;
type CommandOf<S extends ServiceName, N extends CommandName<S>> = Commands<S>[N] extends abstract new (
  input: never,
) => infer C
  ? C
  : never;
/** The SDK's `XxxCommandInput` of a command. */
export type CommandInput<S extends ServiceName, N extends CommandName<S>> =
  CommandOf<S, N> extends { input: infer I extends object } ? I : never;
/** The SDK's `XxxCommandOutput` of a command. */
export type CommandOutput<S extends ServiceName, N extends CommandName<S>> =
  CommandOf<S, N> extends {
    resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }>;
  }
    ? O
    : never;
/** Answers one command: its output without `$metadata` (the dispatch adds it), nothing for an empty one. */
type Handler<I, O> = (input: I) => Omit<O, '$metadata'> | undefined | void;
/** A service's handlers, keyed by the SDK command they answer. */
export type Handlers<S extends ServiceName> = {
  [N in CommandName<S>]?: Handler<CommandInput<S, N>, CommandOutput<S, N>>;
};
export type Services = { [S in ServiceName]: Handlers<S> };

export interface LatencyModel {
  /** The median time a call takes (its effect happens at the end). */
  callMs: number;
  /** Median times of the calls that take longer (a zip upload, a deployment). */
  opMs: Record<string, number>;
  /** Each call takes its median × a factor from 1 − jitter to 1 + jitter; one in 20 takes 3× as long. 0: fixed. */
  jitter: number;
  /** Seeds the latencies and the throttling, so a run can be repeated. */
  seed: number;
  tableActiveMs: number;
  tableDeleteMs: number;
  /** After ACTIVE, UpdateContinuousBackups answers ContinuousBackupsUnavailableException this long. */
  backupsUnavailableMs: number;
  roleUsableMs: number;
  /** The share of CreateFunction calls answered TooManyRequestsException while the role is not yet usable. */
  lambdaThrottleRate: number;
  functionActiveMs: number;
  functionUpdateMs: number;
  enforceQuotas: boolean;
  /** Overlapping mutations of one REST API get 409 ConflictException (concurrent modification). */
  apiConflicts: boolean;
  /** A log event becomes visible to FilterLogEvents this long after its timestamp, at most. */
  logIngestionMs: number;
  /** ListTagsOfResource answers an empty set this long after a table is created with tags or tagged. */
  tableTagsVisibleMs: number;
}

export const DEFAULT_MODEL: LatencyModel = {
  callMs: 80,
  // A CreateFunction carrying a 1 MB zip takes hundreds of ms; so do deployments and new APIs.
  opMs: {
    CreateFunction: 600,
    UpdateFunctionCode: 500,
    CreateRestApi: 300,
    CreateDeployment: 400,
    CreateTable: 150,
    CreateRole: 200,
    PutRolePolicy: 150,
  },
  jitter: 0.5,
  seed: 1,
  tableActiveMs: 8_000,
  tableDeleteMs: 2_000,
  backupsUnavailableMs: 500,
  roleUsableMs: 7_000,
  lambdaThrottleRate: 0.2,
  functionActiveMs: 2_000,
  functionUpdateMs: 1_000,
  enforceQuotas: true,
  apiConflicts: true,
  logIngestionMs: 0,
  tableTagsVisibleMs: 0,
};

/** A small seeded PRNG (mulberry32): the same seed gives the same latencies. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Call {
  service: string;
  op: string;
  input: Record<string, unknown>;
  /** When the call was answered. */
  at: number;
  /** When the call was sent. */
  startedAt: number;
  error?: string;
}

/** What a crashed process does: nothing more. Thrown by every call after the injected crash point. */
export class CrashError extends Error {
  constructor() {
    super('injected crash');
    this.name = 'CrashError';
  }
}

/** The `$metadata` of a client error, spread into the SDK's exception constructors. */
export const meta = { $metadata: { httpStatusCode: 400 } };

/** A `Key`/`Value` tag list as a record. */
export function tagRecord(tags: Array<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** A record of tags as a `Key`/`Value` list. */
export function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

const TAG_ACTION_OF: Record<ServiceName, string | undefined> = {
  cloudwatch: 'cloudwatch:TagResource',
  sns: 'sns:TagResource',
  dynamodb: 'dynamodb:TagResource',
  iam: 'iam:TagRole',
  lambda: 'lambda:TagResource',
  logs: 'logs:TagResource',
  apigateway: 'apigateway:TagResource',
  sts: undefined,
};
const READ = /^(Get|Describe|List|Filter|Scan)/;

/** The account's state and the machinery every call goes through; `services` answers the calls. */
export abstract class FakeCore {
  readonly model: LatencyModel;
  readonly accountId = '123456789012';
  readonly region = 'us-east-1';
  readonly calls: Call[] = [];
  tables = new Map<string, TableRecord>();
  /** System backups DynamoDB kept of deleted tables that had point-in-time recovery on. */
  systemBackups: string[] = [];
  roles = new Map<string, RoleRecord>();
  functions = new Map<string, FunctionRecord>();
  /** The account's concurrent executions (a new account may have as few as 10). */
  lambdaConcurrency = 1_000;
  logGroups = new Map<string, LogGroupRecord>();
  /** CloudWatch's data points, as PutMetricData wrote them (a test makes a version's metrics bad this way). */
  metricPoints: MetricPoint[] = [];
  apis = new Map<string, ApiRecord>();
  usagePlans = new Map<string, UsagePlanRecord>();
  apiKeys = new Map<string, ApiKeyRecord>();
  planKeys = new Map<string, Set<string>>();
  alarms = new Map<string, AlarmRecord>();
  topics = new Map<string, TopicRecord>();
  /** CloudWatch's quota of alarms per account and region (PutMetricAlarm answers LimitExceededFault past it). */
  alarmQuota = 5000;
  private quotaLog = new Map<string, number[]>();
  /** Mutations of each REST API now in flight. */
  private apiBusy = new Map<string, number>();
  /** The seeded randomness of latencies and throttling. */
  readonly random: () => number;
  private ids = 0;
  /** After this many successful mutating calls, the "process" crashes. */
  private crashAfter: number | undefined;
  private mutations = 0;
  crashed = false;
  /** Extra failures to inject: return an error to throw it instead of handling the call. */
  intercept?: (call: Call) => Error | undefined;
  /**
   * Actions the caller's policy does not grant, as `service:Operation` (`lambda:ListTags`): such a call gets
   * AccessDeniedException, as IAM answers, and GetFunction without `lambda:ListTags` answers a TagsError.
   */
  denied = new Set<string>();
  /** GetFunction answers a TagsError although ListTags would answer (a tag read that failed on AWS's side). */
  hiddenFunctionTags = false;

  /** Each service's handlers, by the SDK command they answer. */
  protected abstract readonly services: Services;

  constructor(
    readonly clock: Clock,
    model: Partial<LatencyModel> = {},
  ) {
    this.model = { ...DEFAULT_MODEL, ...model };
    this.random = seededRandom(this.model.seed);
  }

  /** How long this call takes: its median, varied by the seeded jitter, never zero. */
  latency(op: string): number {
    const median = this.model.opMs[op] ?? this.model.callMs;
    if (this.model.jitter === 0) return median;
    const factor = 1 - this.model.jitter + 2 * this.model.jitter * this.random();
    const tail = this.random() < 0.05 ? 3 : 1;
    return Math.max(5, Math.round(median * factor * tail));
  }

  /** Crash after the nth mutating call from now (it takes effect, then every call fails). */
  crashAfterMutations(n: number | undefined): void {
    this.crashAfter = n;
    this.mutations = 0;
    this.crashed = false;
  }

  /** Number of mutating calls made so far since the last reset. */
  get mutationCount(): number {
    return this.mutations;
  }

  /** True when no resource of any kind is left. */
  isEmpty(): boolean {
    return this.summary().length === 0;
  }

  /** What is left, as readable names. */
  summary(): string[] {
    const now = this.clock.now();
    return [
      ...[...this.tables.values()]
        .filter((t) => !(t.deletedAt !== undefined && now >= t.deletedAt + this.model.tableDeleteMs))
        .map((t) => `table ${t.name}`),
      ...[...this.roles.keys()].map((r) => `role ${r}`),
      ...[...this.functions.keys()].map((f) => `function ${f}`),
      ...[...this.logGroups.keys()].map((l) => `log group ${l}`),
      ...[...this.apis.values()].map((a) => `api ${a.api.name} ${a.api.id}`),
      ...[...this.usagePlans.values()].map((p) => `usage plan ${p.name}`),
      ...[...this.apiKeys.values()].map((k) => `api key ${k.name}`),
      ...[...this.alarms.keys()].map((a) => `alarm ${a}`),
      ...[...this.topics.values()].map((t) => `topic ${t.name}`),
    ];
  }

  /** Calls of one operation (e.g. 'CreateRole'). */
  callsOf(op: string): Call[] {
    return this.calls.filter((c) => c.op === op && !c.error);
  }

  /** The inputs of the successful calls of one service's operation, typed as the SDK types them. */
  inputsOf<S extends ServiceName, N extends CommandName<S>>(service: S, op: N): Array<CommandInput<S, N>> {
    // A call recorded under this service and operation was sent as that command: its input has that type.
    return this.callsOf(op)
      .filter((c) => c.service === service)
      .map((c) => c.input as CommandInput<S, N>);
  }

  /** Real SDK clients whose `send` is answered by this fake. */
  clients(): AwsClients {
    const config = { region: this.region, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } };
    const wire = <C extends { send: unknown }>(client: C, service: ServiceName): C => {
      (client as { send: unknown }).send = (command: { input?: object }) =>
        this.dispatch(service, command.constructor.name.replace(/Command$/, ''), command.input ?? {});
      return client;
    };
    return {
      dynamodb: wire(new DynamoDBClient(config), 'dynamodb'),
      iam: wire(new IAMClient(config), 'iam'),
      lambda: wire(new LambdaClient(config), 'lambda'),
      apigateway: wire(new APIGatewayClient(config), 'apigateway'),
      logs: wire(new CloudWatchLogsClient(config), 'logs'),
      sts: wire(new STSClient(config), 'sts'),
      cloudwatch: wire(new CloudWatchClient(config), 'cloudwatch'),
      sns: wire(new SNSClient(config), 'sns'),
    };
  }

  /** One SDK call as a client sends it: after its latency, its answer or its error, recorded in `calls`. */
  handle<S extends ServiceName, N extends CommandName<S>>(
    service: S,
    op: N,
    input: CommandInput<S, N>,
  ): Promise<CommandOutput<S, N>> {
    return this.dispatch(service, op, input) as Promise<CommandOutput<S, N>>;
  }

  private async dispatch(service: ServiceName, op: string, input: object): Promise<unknown> {
    const fields = input as Record<string, unknown>;
    // A mutation of a REST API that starts while another one of the same API is in flight is refused.
    const apiId =
      service === 'apigateway' && !READ.test(op) && this.model.apiConflicts
        ? (fields.restApiId as string | undefined)
        : undefined;
    const overlapping = apiId !== undefined && (this.apiBusy.get(apiId) ?? 0) > 0;
    if (apiId !== undefined) this.apiBusy.set(apiId, (this.apiBusy.get(apiId) ?? 0) + 1);
    const startedAt = this.clock.now();
    // Quotas count a request when it arrives, before AWS works on it (the work is most of a call's time).
    let throttled: Error | undefined;
    if (service === 'apigateway' && !this.crashed) {
      try {
        this.checkQuota(op);
      } catch (error) {
        throttled = error as Error;
      }
    }
    try {
      await this.clock.sleep(this.latency(op));
    } finally {
      if (apiId !== undefined) this.apiBusy.set(apiId, (this.apiBusy.get(apiId) ?? 1) - 1);
    }
    const call: Call = { service, op, input: structuredClone(fields), at: this.clock.now(), startedAt };
    this.calls.push(call);
    if (this.crashed) {
      call.error = 'CrashError';
      throw new CrashError();
    }
    try {
      const injected = this.intercept?.(call);
      if (injected) throw injected;
      if (this.denied.has(`${service}:${op}`)) throw this.accessDenied(`${service}:${op}`);
      // A create with tags is authorised against the service's tagging action as well.
      const tagAction =
        (op.startsWith('Create') || op === 'PutMetricAlarm') && (fields.Tags ?? fields.tags) !== undefined
          ? TAG_ACTION_OF[service]
          : undefined;
      if (tagAction && this.denied.has(tagAction)) throw this.accessDenied(tagAction);
      if (throttled) throw throttled;
      if (overlapping)
        throw new ConflictException({
          message: 'Unable to complete operation due to concurrent modification. Please try again later.',
          ...meta,
          $metadata: { httpStatusCode: 409 },
        });
      // The one untyped step: the operation's name arrives as a string, from the command's class.
      const handlers = this.services[service] as Record<string, ((input: object) => unknown) | undefined>;
      const handler = handlers[op];
      if (!handler) throw new Error(`the fake does not implement ${service} ${op}`);
      const result = handler(input);
      if (!READ.test(op)) {
        this.mutations += 1;
        // The call took effect, but the process dies before it learns so.
        if (this.crashAfter !== undefined && this.mutations >= this.crashAfter) {
          this.crashed = true;
          throw new CrashError();
        }
      }
      return structuredClone({ $metadata: { httpStatusCode: 200 }, ...(result ?? {}) });
    } catch (error) {
      call.error = (error as Error).name;
      throw error;
    }
  }

  /** IAM's refusal, worded as AWS words it. */
  accessDenied(action: string): Error {
    const error = new Error(
      `User: arn:aws:iam::${this.accountId}:user/tester is not authorized to perform: ${action} on resource: * because no identity-based policy allows the ${action} action`,
    );
    error.name = action.startsWith('iam:') ? 'AccessDenied' : 'AccessDeniedException';
    return Object.assign(error, { $metadata: { httpStatusCode: 403 } });
  }

  /** A new resource id, as API Gateway and Lambda make them (short, lower-case, unique in the account). */
  newId(): string {
    this.ids += 1;
    return `${this.ids.toString(36).padStart(6, 'a')}x${(this.ids * 7919).toString(36)}`.slice(0, 10);
  }

  /** How many ids were made so far (an API key's value derives from it). */
  get idCount(): number {
    return this.ids;
  }

  private checkQuota(op: string): void {
    if (!this.model.enforceQuotas) return;
    const now = this.clock.now();
    const windows: Array<[string, { limit: number; windowMs: number }]> = [['*', API_GATEWAY_TOTAL_QUOTA]];
    const own = API_GATEWAY_QUOTAS[op];
    if (own) windows.push([op, own]);
    for (const [key, quota] of windows) {
      const recent = (this.quotaLog.get(key) ?? []).filter((t) => t > now - quota.windowMs);
      this.quotaLog.set(key, recent);
      if (recent.length >= quota.limit) {
        const retryAfter = Math.max(1, Math.ceil(((recent[0] as number) + quota.windowMs - now) / 1000));
        throw new TooManyRequestsException({
          message: 'Too Many Requests',
          retryAfterSeconds: String(retryAfter),
          ...meta,
          $metadata: { httpStatusCode: 429 },
        });
      }
    }
    for (const [key] of windows) this.quotaLog.get(key)?.push(now);
  }
}
