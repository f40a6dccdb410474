/**
 * API Gateway: REST APIs with their resources, methods, integrations, deployments and stages; usage plans and
 * API keys; method, integration and gateway responses. Its quotas and its 409 on overlapping changes of one
 * API are in the core, since every call goes through them.
 */
import {
  type ApiKey,
  type ApiStage,
  BadRequestException,
  ConflictException,
  type EndpointType,
  type GatewayResponse,
  type Integration,
  type Method,
  type MethodSetting,
  NotFoundException,
  type Resource,
  type RestApi,
  type Stage,
  type UsagePlan,
} from '@aws-sdk/client-api-gateway';
import { createHash } from 'node:crypto';
import { type FakeCore, type Handlers, meta } from './core.js';
import { functionPolicy } from './lambda.js';

type ResourceRecord = Resource & { id: string; path: string };
/** A route a deployment froze, with the integration it invokes until the next deployment. */
interface DeployedRoute {
  route: string;
  uri?: string;
}
type StageRecord = Stage & {
  stageName: string;
  methodSettings: Record<string, MethodSetting>;
  deployed?: DeployedRoute[];
};
export interface ApiRecord {
  api: RestApi & { id: string; tags: Record<string, string> };
  resources: Map<string, ResourceRecord>;
  stages: Map<string, StageRecord>;
  deployments: number;
  gatewayResponses?: Map<string, GatewayResponse>;
}
export type UsagePlanRecord = UsagePlan & { id: string; apiStages: ApiStage[] };
export type ApiKeyRecord = ApiKey & { id: string };

/** The parts of an input that name a method. */
interface MethodRef {
  restApiId: string | undefined;
  resourceId: string | undefined;
  httpMethod?: string | undefined;
}

const invalid = (what: string) => new NotFoundException({ message: `Invalid ${what} specified`, ...meta });

function apiOrThrow(aws: FakeCore, id: string | undefined): ApiRecord {
  const api = aws.apis.get(id ?? '');
  if (!api) throw invalid('API identifier');
  return api;
}

function resourceOrThrow(aws: FakeCore, input: MethodRef): ResourceRecord {
  const resource = apiOrThrow(aws, input.restApiId).resources.get(input.resourceId ?? '');
  if (!resource) throw invalid('Resource identifier');
  return resource;
}

function methodOrThrow(aws: FakeCore, input: MethodRef): Method {
  const method = resourceOrThrow(aws, input).resourceMethods?.[input.httpMethod ?? ''];
  if (!method) throw invalid('Method identifier');
  return method;
}

function stageOrThrow(aws: FakeCore, input: { restApiId: string | undefined; stageName: string | undefined }) {
  const stage = apiOrThrow(aws, input.restApiId).stages.get(input.stageName ?? '');
  if (!stage) throw invalid('Stage identifier');
  return stage;
}

function planOrThrow(aws: FakeCore, id: string | undefined): UsagePlanRecord {
  const plan = aws.usagePlans.get(id ?? '');
  if (!plan) throw invalid('Usage Plan ID');
  return plan;
}

/**
 * Why a request to a deployed route of this stage would fail now: its integration's function or alias is
 * missing, or no statement of that alias's (or the unqualified function's) policy lets this stage invoke it.
 */
export function invokeProblems(aws: FakeCore, apiId: string, stageName: string): string[] {
  const stage = aws.apis.get(apiId)?.stages.get(stageName);
  const problems: string[] = [];
  for (const { route, uri } of stage?.deployed ?? []) {
    const match = /functions\/arn:aws:lambda:[^:]+:\d+:function:([^:/]+)(?::([^/]+))?\/invocations$/.exec(uri ?? '');
    if (!match) continue; // a mock integration (OPTIONS)
    const [, name, qualifier] = match as unknown as [string, string, string | undefined];
    const fn = aws.functions.get(name);
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
    const allowed = [...functionPolicy(aws, name, qualifier).values()].some((st) =>
      wanted.test(st.Condition?.ArnLike?.['AWS:SourceArn'] ?? ''),
    );
    if (!allowed) problems.push(`${route}: API Gateway may not invoke ${name}${qualifier ? `:${qualifier}` : ''}`);
  }
  return problems;
}

export function apiGatewayHandlers(aws: FakeCore) {
  return {
    CreateRestApi(input) {
      const id = aws.newId();
      const rootId = aws.newId();
      const api = {
        id,
        name: input.name,
        description: input.description,
        endpointConfiguration: input.endpointConfiguration ?? { types: ['EDGE'] },
        apiKeySource: input.apiKeySource ?? 'HEADER',
        tags: { ...(input.tags ?? {}) },
        rootResourceId: rootId,
        createdDate: new Date(aws.clock.now()),
      };
      aws.apis.set(id, {
        api,
        resources: new Map([[rootId, { id: rootId, path: '/' }]]),
        stages: new Map(),
        deployments: 0,
      });
      return api;
    },

    GetRestApi(input) {
      return apiOrThrow(aws, input.restApiId).api;
    },

    GetRestApis() {
      return { items: [...aws.apis.values()].map((a) => a.api) };
    },

    UpdateRestApi(input) {
      const { api } = apiOrThrow(aws, input.restApiId);
      for (const op of input.patchOperations ?? []) {
        const match = /^\/endpointConfiguration\/types\/(EDGE|REGIONAL|PRIVATE)$/.exec(op.path ?? '');
        if (!match || op.op !== 'replace')
          throw new BadRequestException({ message: `Invalid patch path ${op.path}`, ...meta });
        api.endpointConfiguration = {
          types: api.endpointConfiguration?.types?.map((t) => (t === match[1] ? (op.value as EndpointType) : t)),
        };
      }
      return api;
    },

    TagResource(input) {
      const id = /\/restapis\/([^/]+)$/.exec(String(input.resourceArn))?.[1] ?? '';
      Object.assign(apiOrThrow(aws, id).api.tags, input.tags);
    },

    DeleteRestApi(input) {
      aws.apis.delete(apiOrThrow(aws, input.restApiId).api.id);
    },

    GetResources(input) {
      const api = apiOrThrow(aws, input.restApiId);
      const embed = (input.embed ?? []).includes('methods');
      return {
        items: [...api.resources.values()].map((r) => {
          if (!r.resourceMethods) return r;
          const methods = Object.fromEntries(
            Object.entries(r.resourceMethods).map(([m, v]): [string, Method] => [m, embed ? v : {}]),
          );
          return { ...r, resourceMethods: methods };
        }),
      };
    },

    CreateResource(input) {
      const api = apiOrThrow(aws, input.restApiId);
      const parent = api.resources.get(input.parentId ?? '');
      if (!parent) throw invalid('Resource identifier');
      const path = `${parent.path === '/' ? '' : parent.path}/${input.pathPart}`;
      if ([...api.resources.values()].some((r) => r.path === path))
        throw new ConflictException({
          message: 'Another resource with the same parent already has this name',
          ...meta,
        });
      const resource = { id: aws.newId(), parentId: parent.id, pathPart: input.pathPart, path };
      api.resources.set(resource.id, resource);
      return resource;
    },

    PutMethod(input) {
      const resource = resourceOrThrow(aws, input);
      const methods = (resource.resourceMethods ??= {});
      const httpMethod = input.httpMethod ?? '';
      if (methods[httpMethod])
        throw new ConflictException({ message: 'Method already exists for this resource', ...meta });
      const method = {
        httpMethod,
        authorizationType: input.authorizationType,
        apiKeyRequired: Boolean(input.apiKeyRequired),
      };
      methods[httpMethod] = method;
      return method;
    },

    UpdateMethod(input) {
      const method = methodOrThrow(aws, input);
      for (const op of input.patchOperations ?? []) {
        if (op.path === '/apiKeyRequired') method.apiKeyRequired = op.value === 'true';
        else if (op.path === '/authorizationType') method.authorizationType = op.value;
      }
      return method;
    },

    PutIntegration(input) {
      const method = methodOrThrow(aws, input);
      method.methodIntegration = {
        type: input.type,
        httpMethod: input.integrationHttpMethod,
        uri: input.uri,
        ...(input.requestTemplates
          ? { requestTemplates: input.requestTemplates, passthroughBehavior: input.passthroughBehavior }
          : {}),
      };
      return method.methodIntegration;
    },

    GetIntegration(input) {
      const integration = resourceOrThrow(aws, input).resourceMethods?.[input.httpMethod ?? '']?.methodIntegration;
      if (!integration) throw invalid('Integration identifier');
      return integration;
    },

    CreateDeployment(input) {
      const api = apiOrThrow(aws, input.restApiId);
      const hasMethods = [...api.resources.values()].some(
        (r) => r.resourceMethods && Object.keys(r.resourceMethods).length > 0,
      );
      if (!hasMethods) throw new BadRequestException({ message: "The REST API doesn't contain any methods", ...meta });
      api.deployments += 1;
      const deploymentId = aws.newId();
      if (input.stageName) {
        const stage = api.stages.get(input.stageName) ?? { stageName: input.stageName, methodSettings: {} };
        stage.deploymentId = deploymentId;
        // A deployment freezes the integrations: the stage invokes these until the next one.
        const deployed: DeployedRoute[] = [...api.resources.values()].flatMap((r) =>
          Object.entries(r.resourceMethods ?? {}).map(([m, def]) => ({
            route: `${m} ${r.path}`,
            uri: def.methodIntegration?.uri,
          })),
        );
        Object.defineProperty(stage, 'deployed', { value: deployed, enumerable: false, configurable: true });
        api.stages.set(input.stageName, stage);
      }
      return { id: deploymentId };
    },

    GetStage(input) {
      return stageOrThrow(aws, input);
    },

    UpdateStage(input) {
      const stage = stageOrThrow(aws, input);
      for (const op of input.patchOperations ?? []) {
        const match = /^\/\*\/\*\/throttling\/(rateLimit|burstLimit)$/.exec(op.path ?? '');
        if (!match) throw new BadRequestException({ message: `Invalid patch path ${op.path}`, ...meta });
        const setting = (stage.methodSettings['*/*'] ??= {});
        setting[match[1] === 'rateLimit' ? 'throttlingRateLimit' : 'throttlingBurstLimit'] = Number(op.value);
      }
      return stage;
    },

    CreateUsagePlan(input) {
      for (const s of input.apiStages ?? []) {
        if (!aws.apis.get(s.apiId ?? '')?.stages.has(s.stage ?? ''))
          throw new BadRequestException({ message: `Invalid stage identifier specified`, ...meta });
      }
      const plan = {
        id: aws.newId(),
        name: input.name,
        apiStages: input.apiStages ?? [],
        throttle: input.throttle,
        tags: { ...(input.tags ?? {}) },
      };
      aws.usagePlans.set(plan.id, plan);
      return plan;
    },

    GetUsagePlans() {
      return { items: [...aws.usagePlans.values()] };
    },

    UpdateUsagePlan(input) {
      const plan = planOrThrow(aws, input.usagePlanId);
      for (const op of input.patchOperations ?? []) {
        const throttle = /^\/throttle\/(rateLimit|burstLimit)$/.exec(op.path ?? '');
        if (throttle) {
          plan.throttle = { ...plan.throttle, [throttle[1] as string]: Number(op.value) };
          continue;
        }
        const [apiId, stage] = String(op.value).split(':');
        if (op.op === 'remove')
          plan.apiStages = plan.apiStages.filter((s) => !(s.apiId === apiId && s.stage === stage));
        if (op.op === 'add') plan.apiStages.push({ apiId, stage });
      }
      return plan;
    },

    DeleteUsagePlan(input) {
      const plan = planOrThrow(aws, input.usagePlanId);
      // Only stages of APIs that still exist count.
      const live = plan.apiStages.find((s) => aws.apis.has(s.apiId ?? ''));
      if (live)
        throw new BadRequestException({
          message: `Cannot delete Usage Plan ${plan.id} because there are API Stages associated with it, including ${live.apiId}:${live.stage}`,
          ...meta,
        });
      aws.usagePlans.delete(plan.id);
      aws.planKeys.delete(plan.id);
    },

    CreateApiKey(input) {
      const id = aws.newId();
      const key = {
        id,
        name: input.name,
        enabled: input.enabled,
        value: createHash('sha256').update(`${aws.idCount}`).digest('hex').slice(0, 40),
        tags: { ...(input.tags ?? {}) },
      };
      aws.apiKeys.set(key.id, key);
      return key;
    },

    GetApiKeys(input) {
      return {
        items: [...aws.apiKeys.values()]
          .filter((k) => !input.nameQuery || k.name?.startsWith(input.nameQuery))
          .map((k) => (input.includeValues ? k : { ...k, value: undefined })),
      };
    },

    DeleteApiKey(input) {
      if (!aws.apiKeys.delete(input.apiKey ?? '')) throw invalid('API Key identifier');
      for (const keys of aws.planKeys.values()) keys.delete(input.apiKey ?? '');
    },

    CreateUsagePlanKey(input) {
      const keys = aws.planKeys.get(input.usagePlanId ?? '') ?? new Set();
      const keyId = input.keyId ?? '';
      if (keys.has(keyId)) throw new ConflictException({ message: 'Usage Plan already contains the key', ...meta });
      keys.add(keyId);
      aws.planKeys.set(input.usagePlanId ?? '', keys);
      return { id: keyId, type: 'API_KEY' };
    },

    GetUsagePlanKeys(input) {
      const keys = aws.planKeys.get(input.usagePlanId ?? '') ?? [];
      return { items: [...keys].map((id) => ({ id, type: 'API_KEY' })) };
    },

    GetMethod(input) {
      return methodOrThrow(aws, input);
    },

    DeleteMethod(input) {
      methodOrThrow(aws, input);
      delete resourceOrThrow(aws, input).resourceMethods?.[input.httpMethod ?? ''];
    },

    PutMethodResponse(input) {
      const method = methodOrThrow(aws, input);
      const responses = (method.methodResponses ??= {});
      const status = input.statusCode ?? '';
      if (responses[status])
        throw new ConflictException({ message: 'Response already exists for this resource', ...meta });
      responses[status] = {
        statusCode: status,
        responseParameters: input.responseParameters,
        responseModels: input.responseModels,
      };
      return responses[status];
    },

    PutIntegrationResponse(input) {
      const method = methodOrThrow(aws, input);
      const integration: Integration | undefined = method.methodIntegration;
      if (!integration) throw invalid('Integration identifier');
      const status = input.statusCode ?? '';
      const declared = method.methodResponses?.[status];
      if (!declared) throw invalid('Response status code');
      // API Gateway refuses a mapping to a header the method response does not declare.
      for (const name of Object.keys(input.responseParameters ?? {})) {
        if (!(name in (declared.responseParameters ?? {})))
          throw new BadRequestException({
            message: `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${name}]`,
            ...meta,
          });
      }
      const responses = (integration.integrationResponses ??= {});
      responses[status] = {
        statusCode: status,
        responseParameters: input.responseParameters,
        responseTemplates: input.responseTemplates,
      };
      return responses[status];
    },

    PutGatewayResponse(input) {
      const api = apiOrThrow(aws, input.restApiId);
      api.gatewayResponses ??= new Map();
      const response = {
        responseType: input.responseType,
        statusCode: input.statusCode,
        responseParameters: input.responseParameters ?? {},
        responseTemplates: input.responseTemplates ?? {},
        defaultResponse: false,
      };
      api.gatewayResponses.set(input.responseType ?? '', response);
      return response;
    },

    GetGatewayResponse(input) {
      const api = apiOrThrow(aws, input.restApiId);
      // As AWS does, an uncustomised type answers with its default rather than NotFound.
      return (
        api.gatewayResponses?.get(input.responseType ?? '') ?? {
          responseType: input.responseType,
          responseParameters: {},
          responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
          defaultResponse: true,
        }
      );
    },

    GetGatewayResponses(input) {
      return { items: [...(apiOrThrow(aws, input.restApiId).gatewayResponses?.values() ?? [])] };
    },

    DeleteGatewayResponse(input) {
      const api = apiOrThrow(aws, input.restApiId);
      if (!api.gatewayResponses?.delete(input.responseType ?? '')) throw invalid('Gateway Response identifier');
    },
  } satisfies Handlers<'apigateway'>;
}
