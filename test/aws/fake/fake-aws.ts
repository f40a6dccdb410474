/**
 * A stateful fake of the six services products-cli provisions with, as harsh as AWS: every call takes a
 * varied, seeded time; a table is CREATING then ACTIVE (and DELETING before it goes); a new role cannot be
 * assumed by Lambda for a while, and CreateFunction is sometimes throttled meanwhile; a function is Pending
 * after create and InProgress after each update, refusing other updates (and AddPermission, TagResource)
 * with ResourceConflictException; overlapping changes to one REST API get 409 concurrent modification; API
 * Gateway enforces its control-plane quotas with 429 + retryAfterSeconds; log events become visible only
 * after an ingestion delay. Every error is the SDK's own class with the SDK's own name. Real SDK clients are
 * used; only `send` is replaced.
 */
import {
  BadRequestException,
  ConflictException as ApiConflictException,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import {
  InvalidParameterValueException as CloudWatchInvalidValue,
  LimitExceededFault,
  ResourceNotFound as AlarmNotFound,
} from '@aws-sdk/client-cloudwatch';
import {
  InvalidParameterException as SnsInvalidParameter,
  NotFoundException as SnsNotFound,
} from '@aws-sdk/client-sns';
import { createHash } from 'node:crypto';
import { dynamodbHandlers } from './dynamodb.js';
import { iamHandlers } from './iam.js';
import { functionPolicy, lambdaHandlers, type PolicyStatement } from './lambda.js';
import { logsHandlers, putLogEvent } from './logs.js';
import { stsHandlers } from './sts.js';
import { FakeCore, meta, type ServiceName, type Services } from './core.js';

export { CrashError, type LatencyModel } from './core.js';

export interface ApiRecord {
  api: Record<string, any>;
  resources: Map<string, any>;
  stages: Map<string, any>;
  deployments: number;
  gatewayResponses?: Map<string, any>;
}
export type UsagePlanRecord = Record<string, any>;
export type ApiKeyRecord = Record<string, any>;
export type AlarmRecord = Record<string, any>;
export interface MetricPoint {
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  at: number;
  value: number;
}
export interface TopicRecord {
  arn: string;
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  subscriptions: Array<{ arn?: string; protocol: string; endpoint: string }>;
}

/** The handlers not yet in a file of their own, found by their method names `${service}_${op}`. */
function methodsOf(fake: FakeAws, service: ServiceName): Record<string, (input: object) => unknown> {
  return new Proxy(
    {},
    {
      get: (_target, op) => {
        const method = (fake as unknown as Record<string, ((input: object) => unknown) | undefined>)[
          `${service}_${String(op)}`
        ];
        return method?.bind(fake);
      },
    },
  );
}

export class FakeAws extends FakeCore {
  readonly dynamodb = dynamodbHandlers(this);
  readonly iam = iamHandlers(this);
  readonly lambda = lambdaHandlers(this);
  readonly logs = logsHandlers(this);
  readonly sts = stsHandlers(this);
  protected readonly services = {
    ...Object.fromEntries(['cloudwatch', 'apigateway', 'sns'].map((s) => [s, methodsOf(this, s as ServiceName)])),
    dynamodb: this.dynamodb,
    iam: this.iam,
    lambda: this.lambda,
    logs: this.logs,
    sts: this.sts,
  } as unknown as Services;

  /** The statements of a function's policy, or of one alias's or version's (empty when there is none). */
  policy(fn: string, qualifier?: string): Map<string, PolicyStatement> {
    return functionPolicy(this, fn, qualifier);
  }

  /**
   * Why a request to a deployed route of this stage would fail now: its integration's function or alias is
   * missing, or no statement of that alias's (or the unqualified function's) policy lets this stage invoke it.
   */
  invokeProblems(apiId: string, stageName: string): string[] {
    const stage = this.apis.get(apiId)?.stages.get(stageName) as
      | { deployed?: Array<{ route: string; uri?: string }> }
      | undefined;
    const problems: string[] = [];
    for (const { route, uri } of stage?.deployed ?? []) {
      const match = /functions\/arn:aws:lambda:[^:]+:\d+:function:([^:/]+)(?::([^/]+))?\/invocations$/.exec(uri ?? '');
      if (!match) continue; // a mock integration (OPTIONS)
      const [, name, qualifier] = match as unknown as [string, string, string | undefined];
      const fn = this.functions.get(name);
      if (!fn || (qualifier && !fn.aliases?.has(qualifier) && !fn.versions?.some((v) => v.version === qualifier))) {
        problems.push(`${route}: ${name}${qualifier ? `:${qualifier}` : ''} does not exist`);
        continue;
      }
      const path = route
        .split(' ')[1]
        ?.replace(/^\//, '')
        .replace(/\{[^}]+\}/g, '*');
      const wanted = new RegExp(
        `:${apiId}/(\\*|${stageName})/(\\*|${route.split(' ')[0]})/${(path ?? '').replace(/\*/g, '\\*')}$`,
      );
      const allowed = [...this.policy(name, qualifier).values()].some((st) =>
        wanted.test(st.Condition?.ArnLike?.['AWS:SourceArn'] ?? ''),
      );
      if (!allowed) problems.push(`${route}: API Gateway may not invoke ${name}${qualifier ? `:${qualifier}` : ''}`);
    }
    return problems;
  }

  /** Writes a log event stamped `timestamp` that FilterLogEvents returns from `timestamp + delayMs` on. */
  putLogEvent(group: string, message: string, timestamp: number, delayMs = this.model.logIngestionMs): void {
    putLogEvent(this, group, message, timestamp, delayMs);
  }

  // ---- CloudWatch metrics
  cloudwatch_PutMetricData(input: any) {
    for (const datum of input.MetricData ?? []) {
      const dimensions = Object.fromEntries((datum.Dimensions ?? []).map((d: any) => [d.Name, d.Value]));
      const at = datum.Timestamp ? new Date(datum.Timestamp).getTime() : this.clock.now();
      this.metricPoints.push({
        namespace: input.Namespace,
        metric: datum.MetricName,
        dimensions,
        at,
        value: datum.Value ?? 0,
      });
    }
  }

  /**
   * GetMetricData for MetricStat queries: the points of exactly that namespace, name and set of dimensions (as
   * CloudWatch matches them), from StartTime (inclusive) to EndTime (exclusive), in periods from StartTime.
   */
  cloudwatch_GetMetricData(input: any) {
    const start = new Date(input.StartTime).getTime();
    const end = new Date(input.EndTime).getTime();
    const results = (input.MetricDataQueries ?? []).map((query: any) => {
      const { Metric, Period, Stat } = query.MetricStat;
      const wanted = Object.fromEntries((Metric.Dimensions ?? []).map((d: any) => [d.Name, d.Value]));
      const same = (dims: Record<string, string>) =>
        JSON.stringify(Object.entries(dims).sort()) === JSON.stringify(Object.entries(wanted).sort());
      const buckets = new Map<number, number[]>();
      for (const p of this.metricPoints) {
        if (
          p.namespace !== Metric.Namespace ||
          p.metric !== Metric.MetricName ||
          !same(p.dimensions) ||
          p.at < start ||
          p.at >= end
        )
          continue;
        const bucket = start + Math.floor((p.at - start) / (Period * 1000)) * Period * 1000;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), p.value]);
      }
      const sorted = [...buckets].sort(([a], [b]) => a - b);
      const stat = (values: number[]) =>
        Stat === 'Sum'
          ? values.reduce((a, b) => a + b, 0)
          : Stat === 'Maximum'
            ? Math.max(...values)
            : values.reduce((a, b) => a + b, 0) / values.length;
      return {
        Id: query.Id,
        Label: query.Label ?? query.Id,
        StatusCode: 'Complete',
        Timestamps: sorted.map(([at]) => new Date(at)),
        Values: sorted.map(([, values]) => stat(values)),
      };
    });
    return { MetricDataResults: results };
  }

  // ---- CloudWatch alarms (PutMetricAlarm's rules as the API reference states them)
  cloudwatch_PutMetricAlarm(input: any) {
    const invalid = (message: string) => new CloudWatchInvalidValue({ message, ...meta });
    const metrics: any[] | undefined = input.Metrics;
    if (
      metrics &&
      (input.MetricName ||
        input.Namespace ||
        input.Dimensions ||
        input.Period ||
        input.Statistic ||
        input.ExtendedStatistic)
    ) {
      throw invalid(
        'Metrics cannot be combined with MetricName, Namespace, Dimensions, Period, Statistic or ExtendedStatistic',
      );
    }
    if (!metrics && !input.MetricName) throw invalid('Either MetricName or Metrics must be given');
    const periodOk = (p: number) => [10, 20, 30].includes(p) || (p >= 60 && p % 60 === 0);
    if (metrics) {
      if (metrics.length > 20) throw invalid('At most 20 items in Metrics');
      const stats = metrics.filter((m) => m.MetricStat);
      const expressions = metrics.filter((m) => m.Expression);
      if (stats.length > 10 || expressions.length > 10)
        throw invalid('At most 10 MetricStat and 10 Expression items in Metrics');
      if (metrics.some((m) => Boolean(m.MetricStat) === Boolean(m.Expression)))
        throw invalid('Each item of Metrics has either MetricStat or Expression');
      const returning = metrics.filter((m) => m.ReturnData !== false);
      if (returning.length !== 1) throw invalid('Exactly one element of the metrics list should return data.');
      if (metrics.some((m) => !/^[a-z][a-zA-Z0-9_]*$/.test(m.Id)))
        throw invalid('Metric ids start with a lower-case letter');
      const ids = new Set(metrics.map((m) => m.Id));
      for (const e of expressions) {
        const used =
          String(e.Expression)
            .match(/\b[a-z][a-zA-Z0-9_]*\b/g)
            ?.filter((w) => !/^(fill|if|max|min|sum|avg)$/i.test(w)) ?? [];
        if (used.some((id) => !ids.has(id)))
          throw invalid(`Expression ${e.Expression} uses an id that is not in Metrics`);
      }
      for (const m of stats) {
        if (!periodOk(m.MetricStat.Period)) throw invalid('The period must be 10, 20, 30 or a multiple of 60 seconds');
        if (m.MetricStat.Period * input.EvaluationPeriods > 86_400)
          throw invalid(
            'Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400)',
          );
      }
    } else if (!periodOk(input.Period)) throw invalid('The period must be 10, 20, 30 or a multiple of 60 seconds');
    if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods)
      throw invalid('DatapointsToAlarm must be at most EvaluationPeriods');
    const existing = this.alarms.get(input.AlarmName);
    if (!existing && this.alarms.size >= this.alarmQuota)
      throw new LimitExceededFault({
        message: 'The maximum number of alarms for this account has been reached',
        ...meta,
      });
    const { Tags, ...config } = input;
    const alarmArn = `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${input.AlarmName}`;
    // An update overwrites the whole configuration but keeps the state, and ignores the tags.
    this.alarms.set(input.AlarmName, {
      ...config,
      AlarmArn: alarmArn,
      StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
      Tags: existing?.Tags ?? [...(Tags ?? [])],
    });
  }

  cloudwatch_DescribeAlarms(input: any) {
    const names: string[] | undefined = input.AlarmNames;
    if (names && names.length > 100) throw new CloudWatchInvalidValue({ message: 'At most 100 alarm names', ...meta });
    const alarms = [...this.alarms.values()].filter((a) => !names || names.includes(a.AlarmName));
    return { MetricAlarms: alarms.map(({ Tags: _tags, ...a }) => a), CompositeAlarms: [] };
  }

  cloudwatch_ListTagsForResource(input: any) {
    const alarm = [...this.alarms.values()].find((a) => a.AlarmArn === input.ResourceARN);
    if (!alarm) throw new AlarmNotFound({ message: `Alarm ${input.ResourceARN} does not exist`, ...meta });
    return { Tags: alarm.Tags };
  }

  cloudwatch_DeleteAlarms(input: any) {
    // One unknown name fails the whole call and deletes nothing.
    const missing = (input.AlarmNames as string[]).filter((n) => !this.alarms.has(n));
    if (missing.length) throw new AlarmNotFound({ message: `${missing.join(', ')} not found`, ...meta });
    for (const name of input.AlarmNames) this.alarms.delete(name);
  }

  /** Moves an alarm to a state, as CloudWatch does when it evaluates (SetAlarmState does the same). */
  setAlarmState(name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', reason: string): void {
    const alarm = this.alarms.get(name);
    if (!alarm) throw new Error(`no alarm ${name}`);
    Object.assign(alarm, { StateValue: state, StateReason: reason });
  }

  // ---- API Gateway
  private apiOrThrow(id: string): ApiRecord {
    const api = this.apis.get(id);
    if (!api) throw new NotFoundException({ message: 'Invalid API identifier specified', ...meta });
    return api;
  }

  apigateway_CreateRestApi(input: any) {
    const id = this.newId();
    const rootId = this.newId();
    const api = {
      id,
      name: input.name,
      description: input.description,
      endpointConfiguration: input.endpointConfiguration ?? { types: ['EDGE'] },
      apiKeySource: input.apiKeySource ?? 'HEADER',
      tags: { ...(input.tags ?? {}) },
      rootResourceId: rootId,
      createdDate: new Date(this.clock.now()),
    };
    this.apis.set(id, {
      api,
      resources: new Map([[rootId, { id: rootId, path: '/' }]]),
      stages: new Map(),
      deployments: 0,
    });
    return api;
  }

  apigateway_GetRestApi(input: any) {
    return this.apiOrThrow(input.restApiId).api;
  }

  apigateway_GetRestApis() {
    return { items: [...this.apis.values()].map((a) => a.api) };
  }

  apigateway_UpdateRestApi(input: any) {
    const { api } = this.apiOrThrow(input.restApiId);
    for (const op of input.patchOperations) {
      const match = /^\/endpointConfiguration\/types\/(EDGE|REGIONAL|PRIVATE)$/.exec(op.path);
      if (!match || op.op !== 'replace')
        throw new BadRequestException({ message: `Invalid patch path ${op.path}`, ...meta });
      api.endpointConfiguration = {
        types: api.endpointConfiguration.types.map((t: string) => (t === match[1] ? op.value : t)),
      };
    }
    return api;
  }

  apigateway_TagResource(input: any) {
    const id = /\/restapis\/([^/]+)$/.exec(String(input.resourceArn))?.[1] ?? '';
    Object.assign(this.apiOrThrow(id).api.tags, input.tags);
  }

  apigateway_DeleteRestApi(input: any) {
    this.apiOrThrow(input.restApiId);
    this.apis.delete(input.restApiId);
  }

  apigateway_GetResources(input: any) {
    const api = this.apiOrThrow(input.restApiId);
    const embed = (input.embed ?? []).includes('methods');
    return {
      items: [...api.resources.values()].map((r) => {
        if (!r.resourceMethods) return r;
        const methods = Object.fromEntries(
          Object.entries(r.resourceMethods as Record<string, any>).map(([m, v]) => [m, embed ? v : {}]),
        );
        return { ...r, resourceMethods: methods };
      }),
    };
  }

  apigateway_CreateResource(input: any) {
    const api = this.apiOrThrow(input.restApiId);
    const parent = api.resources.get(input.parentId);
    if (!parent) throw new NotFoundException({ message: 'Invalid Resource identifier specified', ...meta });
    const path = `${parent.path === '/' ? '' : parent.path}/${input.pathPart}`;
    if ([...api.resources.values()].some((r) => r.path === path))
      throw new ApiConflictException({
        message: 'Another resource with the same parent already has this name',
        ...meta,
      });
    const resource = { id: this.newId(), parentId: parent.id, pathPart: input.pathPart, path };
    api.resources.set(resource.id, resource);
    return resource;
  }

  private resourceOrThrow(input: any) {
    const resource = this.apiOrThrow(input.restApiId).resources.get(input.resourceId);
    if (!resource) throw new NotFoundException({ message: 'Invalid Resource identifier specified', ...meta });
    return resource;
  }

  apigateway_PutMethod(input: any) {
    const resource = this.resourceOrThrow(input);
    resource.resourceMethods ??= {};
    if (resource.resourceMethods[input.httpMethod])
      throw new ApiConflictException({ message: 'Method already exists for this resource', ...meta });
    const method = {
      httpMethod: input.httpMethod,
      authorizationType: input.authorizationType,
      apiKeyRequired: Boolean(input.apiKeyRequired),
    };
    resource.resourceMethods[input.httpMethod] = method;
    return method;
  }

  apigateway_UpdateMethod(input: any) {
    const method = this.resourceOrThrow(input).resourceMethods?.[input.httpMethod];
    if (!method) throw new NotFoundException({ message: 'Invalid Method identifier specified', ...meta });
    for (const op of input.patchOperations) {
      if (op.path === '/apiKeyRequired') method.apiKeyRequired = op.value === 'true';
      else if (op.path === '/authorizationType') method.authorizationType = op.value;
    }
    return method;
  }

  apigateway_PutIntegration(input: any) {
    const method = this.resourceOrThrow(input).resourceMethods?.[input.httpMethod];
    if (!method) throw new NotFoundException({ message: 'Invalid Method identifier specified', ...meta });
    method.methodIntegration = {
      type: input.type,
      httpMethod: input.integrationHttpMethod,
      uri: input.uri,
      ...(input.requestTemplates
        ? { requestTemplates: input.requestTemplates, passthroughBehavior: input.passthroughBehavior }
        : {}),
    };
    return method.methodIntegration;
  }

  apigateway_GetIntegration(input: any) {
    const integration = this.resourceOrThrow(input).resourceMethods?.[input.httpMethod]?.methodIntegration;
    if (!integration) throw new NotFoundException({ message: 'Invalid Integration identifier specified', ...meta });
    return integration;
  }

  apigateway_CreateDeployment(input: any) {
    const api = this.apiOrThrow(input.restApiId);
    const hasMethods = [...api.resources.values()].some(
      (r) => r.resourceMethods && Object.keys(r.resourceMethods).length > 0,
    );
    if (!hasMethods) throw new BadRequestException({ message: "The REST API doesn't contain any methods", ...meta });
    api.deployments += 1;
    const deploymentId = this.newId();
    if (input.stageName) {
      const stage = api.stages.get(input.stageName) ?? { stageName: input.stageName, methodSettings: {} };
      stage.deploymentId = deploymentId;
      // A deployment freezes the integrations: the stage invokes these until the next one.
      Object.defineProperty(stage, 'deployed', {
        value: [...api.resources.values()].flatMap((r) =>
          Object.entries(r.resourceMethods ?? {}).map(([m, def]: [string, any]) => ({
            route: `${m} ${r.path}`,
            uri: def.methodIntegration?.uri as string | undefined,
          })),
        ),
        enumerable: false,
        configurable: true,
      });
      api.stages.set(input.stageName, stage);
    }
    return { id: deploymentId };
  }

  apigateway_GetStage(input: any) {
    const stage = this.apiOrThrow(input.restApiId).stages.get(input.stageName);
    if (!stage) throw new NotFoundException({ message: 'Invalid Stage identifier specified', ...meta });
    return stage;
  }

  apigateway_UpdateStage(input: any) {
    const stage = this.apigateway_GetStage(input);
    for (const op of input.patchOperations) {
      const match = /^\/\*\/\*\/throttling\/(rateLimit|burstLimit)$/.exec(op.path);
      if (!match) throw new BadRequestException({ message: `Invalid patch path ${op.path}`, ...meta });
      stage.methodSettings['*/*'] ??= {};
      stage.methodSettings['*/*'][match[1] === 'rateLimit' ? 'throttlingRateLimit' : 'throttlingBurstLimit'] = Number(
        op.value,
      );
    }
    return stage;
  }

  apigateway_CreateUsagePlan(input: any) {
    for (const s of input.apiStages ?? []) {
      if (!this.apis.get(s.apiId)?.stages.has(s.stage))
        throw new BadRequestException({ message: `Invalid stage identifier specified`, ...meta });
    }
    const plan = {
      id: this.newId(),
      name: input.name,
      apiStages: input.apiStages ?? [],
      throttle: input.throttle,
      tags: { ...(input.tags ?? {}) },
    };
    this.usagePlans.set(plan.id, plan);
    return plan;
  }

  apigateway_GetUsagePlans() {
    return { items: [...this.usagePlans.values()] };
  }

  apigateway_UpdateUsagePlan(input: any) {
    const plan = this.usagePlans.get(input.usagePlanId);
    if (!plan) throw new NotFoundException({ message: 'Invalid Usage Plan ID specified', ...meta });
    for (const op of input.patchOperations) {
      const throttle = /^\/throttle\/(rateLimit|burstLimit)$/.exec(op.path);
      if (throttle) {
        plan.throttle = { ...plan.throttle, [throttle[1] as string]: Number(op.value) };
        continue;
      }
      const [apiId, stage] = String(op.value).split(':');
      if (op.op === 'remove')
        plan.apiStages = plan.apiStages.filter((s: any) => !(s.apiId === apiId && s.stage === stage));
      if (op.op === 'add') plan.apiStages.push({ apiId, stage });
    }
    return plan;
  }

  apigateway_DeleteUsagePlan(input: any) {
    const plan = this.usagePlans.get(input.usagePlanId);
    if (!plan) throw new NotFoundException({ message: 'Invalid Usage Plan ID specified', ...meta });
    // Only stages of APIs that still exist count.
    const live = plan.apiStages.filter((s: any) => this.apis.has(s.apiId));
    if (live.length > 0)
      throw new BadRequestException({
        message: `Cannot delete Usage Plan ${plan.id} because there are API Stages associated with it, including ${live[0].apiId}:${live[0].stage}`,
        ...meta,
      });
    this.usagePlans.delete(input.usagePlanId);
    this.planKeys.delete(input.usagePlanId);
  }

  apigateway_CreateApiKey(input: any) {
    const key = {
      id: this.newId(),
      name: input.name,
      enabled: input.enabled,
      value: createHash('sha256').update(`${this.idCount}`).digest('hex').slice(0, 40),
      tags: { ...(input.tags ?? {}) },
    };
    this.apiKeys.set(key.id, key);
    return key;
  }

  apigateway_GetApiKeys(input: any) {
    return {
      items: [...this.apiKeys.values()]
        .filter((k) => !input.nameQuery || k.name.startsWith(input.nameQuery))
        .map((k) => (input.includeValues ? k : { ...k, value: undefined })),
    };
  }

  apigateway_DeleteApiKey(input: any) {
    if (!this.apiKeys.delete(input.apiKey))
      throw new NotFoundException({ message: 'Invalid API Key identifier specified', ...meta });
    for (const keys of this.planKeys.values()) keys.delete(input.apiKey);
  }

  apigateway_CreateUsagePlanKey(input: any) {
    const keys = this.planKeys.get(input.usagePlanId) ?? new Set();
    if (keys.has(input.keyId))
      throw new ApiConflictException({ message: 'Usage Plan already contains the key', ...meta });
    keys.add(input.keyId);
    this.planKeys.set(input.usagePlanId, keys);
    return { id: input.keyId, type: 'API_KEY' };
  }

  apigateway_GetUsagePlanKeys(input: any) {
    return { items: [...(this.planKeys.get(input.usagePlanId) ?? [])].map((id) => ({ id, type: 'API_KEY' })) };
  }

  // ---- API Gateway: method responses, integration responses and gateway responses (CORS)
  private methodOrThrow(input: any) {
    const method = this.resourceOrThrow(input).resourceMethods?.[input.httpMethod];
    if (!method) throw new NotFoundException({ message: 'Invalid Method identifier specified', ...meta });
    return method;
  }

  apigateway_GetMethod(input: any) {
    return this.methodOrThrow(input);
  }

  apigateway_DeleteMethod(input: any) {
    this.methodOrThrow(input);
    delete this.resourceOrThrow(input).resourceMethods[input.httpMethod];
  }

  apigateway_PutMethodResponse(input: any) {
    const method = this.methodOrThrow(input);
    method.methodResponses ??= {};
    if (method.methodResponses[input.statusCode])
      throw new ApiConflictException({ message: 'Response already exists for this resource', ...meta });
    method.methodResponses[input.statusCode] = {
      statusCode: input.statusCode,
      responseParameters: input.responseParameters,
      responseModels: input.responseModels,
    };
    return method.methodResponses[input.statusCode];
  }

  apigateway_PutIntegrationResponse(input: any) {
    const method = this.methodOrThrow(input);
    if (!method.methodIntegration)
      throw new NotFoundException({ message: 'Invalid Integration identifier specified', ...meta });
    const declared = method.methodResponses?.[input.statusCode];
    if (!declared) throw new NotFoundException({ message: 'Invalid Response status code specified', ...meta });
    // API Gateway refuses a mapping to a header the method response does not declare.
    for (const name of Object.keys(input.responseParameters ?? {})) {
      if (!(name in (declared.responseParameters ?? {})))
        throw new BadRequestException({
          message: `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${name}]`,
          ...meta,
        });
    }
    method.methodIntegration.integrationResponses ??= {};
    method.methodIntegration.integrationResponses[input.statusCode] = {
      statusCode: input.statusCode,
      responseParameters: input.responseParameters,
      responseTemplates: input.responseTemplates,
    };
    return method.methodIntegration.integrationResponses[input.statusCode];
  }

  apigateway_PutGatewayResponse(input: any) {
    const api = this.apiOrThrow(input.restApiId);
    api.gatewayResponses ??= new Map();
    const response = {
      responseType: input.responseType,
      statusCode: input.statusCode,
      responseParameters: input.responseParameters ?? {},
      responseTemplates: input.responseTemplates ?? {},
      defaultResponse: false,
    };
    api.gatewayResponses.set(input.responseType, response);
    return response;
  }

  apigateway_GetGatewayResponse(input: any) {
    const api = this.apiOrThrow(input.restApiId);
    // As AWS does, an uncustomised type answers with its default rather than NotFound.
    return (
      api.gatewayResponses?.get(input.responseType) ?? {
        responseType: input.responseType,
        responseParameters: {},
        responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
        defaultResponse: true,
      }
    );
  }

  apigateway_GetGatewayResponses(input: any) {
    return { items: [...(this.apiOrThrow(input.restApiId).gatewayResponses?.values() ?? [])] };
  }

  apigateway_DeleteGatewayResponse(input: any) {
    const api = this.apiOrThrow(input.restApiId);
    if (!api.gatewayResponses?.delete(input.responseType))
      throw new NotFoundException({ message: 'Invalid Gateway Response identifier specified', ...meta });
  }

  // ---- SNS
  private topicOrThrow(arn: string) {
    const topic = [...this.topics.values()].find((t) => t.arn === arn);
    if (!topic) throw new SnsNotFound({ message: 'Topic does not exist', ...meta });
    return topic;
  }

  sns_CreateTopic(input: any) {
    const existing = this.topics.get(input.Name);
    const tags = Object.fromEntries((input.Tags ?? []).map((t: any) => [t.Key, t.Value]));
    if (existing) {
      // CreateTopic is idempotent for the same name, but not with other tags.
      if (input.Tags && JSON.stringify(existing.tags) !== JSON.stringify(tags))
        throw new SnsInvalidParameter({
          message: 'Invalid parameter: Tags Reason: Topic already exists with different tags',
          ...meta,
        });
      return { TopicArn: existing.arn };
    }
    const arn = `arn:aws:sns:${this.region}:${this.accountId}:${input.Name}`;
    this.topics.set(input.Name, {
      arn,
      name: input.Name,
      attributes: { ...(input.Attributes ?? {}) },
      tags,
      subscriptions: [],
    });
    return { TopicArn: arn };
  }

  sns_GetTopicAttributes(input: any) {
    const topic = this.topicOrThrow(input.TopicArn);
    return {
      Attributes: {
        ...topic.attributes,
        TopicArn: topic.arn,
        SubscriptionsConfirmed: String(topic.subscriptions.filter((s) => s.arn).length),
        SubscriptionsPending: String(topic.subscriptions.filter((s) => !s.arn).length),
      },
    };
  }

  sns_ListTagsForResource(input: any) {
    return { Tags: Object.entries(this.topicOrThrow(input.ResourceArn).tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  sns_Subscribe(input: any) {
    const topic = this.topicOrThrow(input.TopicArn);
    let sub = topic.subscriptions.find((s) => s.protocol === input.Protocol && s.endpoint === input.Endpoint);
    if (!sub) {
      sub = { protocol: input.Protocol, endpoint: input.Endpoint };
      topic.subscriptions.push(sub);
    }
    // An email subscription has no ARN until the address confirms it (SubscribeResponse in the API reference).
    if (sub.arn) return { SubscriptionArn: sub.arn };
    return {
      SubscriptionArn: input.ReturnSubscriptionArn
        ? `${topic.arn}:pending-${topic.subscriptions.indexOf(sub)}`
        : 'pending confirmation',
    };
  }

  /** What the person's click on the link in AWS's email does. */
  confirmSubscription(email: string): void {
    for (const topic of this.topics.values()) {
      for (const sub of topic.subscriptions)
        if (sub.endpoint === email && !sub.arn)
          sub.arn = `${topic.arn}:${createHash('sha256').update(email).digest('hex').slice(0, 8)}`;
    }
  }

  sns_ListSubscriptionsByTopic(input: any) {
    const topic = this.topicOrThrow(input.TopicArn);
    return {
      Subscriptions: topic.subscriptions.map((s) => ({
        SubscriptionArn: s.arn ?? 'PendingConfirmation',
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        TopicArn: topic.arn,
        Owner: this.accountId,
      })),
    };
  }

  sns_Unsubscribe(input: any) {
    for (const topic of this.topics.values()) {
      const index = topic.subscriptions.findIndex((s) => s.arn === input.SubscriptionArn);
      if (index >= 0) {
        topic.subscriptions.splice(index, 1);
        return;
      }
    }
    throw new SnsNotFound({ message: 'Subscription does not exist', ...meta });
  }

  sns_DeleteTopic(input: any) {
    // Deleting a topic that does not exist succeeds; its subscriptions go with it.
    const topic = [...this.topics.values()].find((t) => t.arn === input.TopicArn);
    if (topic) this.topics.delete(topic.name);
  }
}
