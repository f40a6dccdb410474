/** The REST API: REGIONAL, `/product` and `/product/{id}`, Lambda proxy integrations, a stage with throttling. */
import {
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteRestApiCommand,
  GetIntegrationCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UpdateRestApiCommand,
  type Integration,
  type Method,
  type Resource,
  type RestApi,
  type Stage,
} from '@aws-sdk/client-api-gateway';
import { errorName, isNotFound, isUnreadableDenial, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import { functionArn, integrationUri, restApiArn, type Where } from './arns.js';
import { whereOf, type ProvisionContext, type StepResult } from './context.js';
import { apigw } from './apigw.js';
import { describeStack, type MethodSpec } from './description.js';
import { methodAuthDrift, methodAuthPatch, updateMethodAuth } from './method-auth.js';
import { isOurs, STACK_TAG } from './names.js';
import { getStage, stageThrottle } from './stage.js';
import { readOnce } from './read-once.js';

/** The PutIntegration input of one method: its Lambda proxy integration, with the function's invocation URI. */
export function proxyIntegration(where: Where, integration: MethodSpec['integration']) {
  return {
    type: integration.type,
    integrationHttpMethod: integration.httpMethod,
    uri: integrationUri(where.region, `${functionArn(where, integration.function)}:${integration.qualifier}`),
  };
}

/** The REST APIs named like ours: this stack's (tagged) and others'. */
export function findRestApis(ctx: ProvisionContext): Promise<{ ours: RestApi[]; others: RestApi[] }> {
  return readOnce(ctx.firstReads, 'REST API', () => readRestApis(ctx));
}

async function readRestApis(ctx: ProvisionContext): Promise<{ ours: RestApi[]; others: RestApi[] }> {
  const stack = describeStack(ctx);
  const recorded = ctx.recorded.apiId;
  if (recorded) {
    try {
      const api = (await ctx.apigateway.send(new GetRestApiCommand({ restApiId: recorded }))) as RestApi;
      if (api.name === stack.api.name && (isOurs(api.tags, stack) || ctx.recorded.apiAdopted === recorded))
        return { ours: [api], others: [] };
    } catch (error) {
      if (!isNotFound(error)) throw translateAwsError(error, 'apigateway:GET');
    }
  }
  const ours: RestApi[] = [];
  const others: RestApi[] = [];
  let position: string | undefined;
  do {
    const page = await apigw<{ items?: RestApi[]; position?: string }>(
      ctx,
      new GetRestApisCommand({ limit: 500, position }),
      'apigateway:GET',
    );
    for (const api of page.items ?? []) {
      if (api.name !== stack.api.name) continue;
      (isOurs(api.tags, stack) ? ours : others).push(api);
    }
    position = page.position;
  } while (position);
  return { ours, others };
}

export async function getResources(ctx: ProvisionContext, restApiId: string): Promise<Resource[]> {
  const resources: Resource[] = [];
  let position: string | undefined;
  do {
    const page = await apigw<{ items?: Resource[]; position?: string }>(
      ctx,
      new GetResourcesCommand({ restApiId, limit: 500, embed: ['methods'], position }),
      'apigateway:GET',
    );
    resources.push(...(page.items ?? []));
    position = page.position;
  } while (position);
  return resources;
}

async function integrationOf(
  ctx: ProvisionContext,
  restApiId: string,
  resource: Resource,
  method: string,
): Promise<Integration | undefined> {
  const embedded = resource.resourceMethods?.[method] as Method | undefined;
  if (embedded?.methodIntegration) return embedded.methodIntegration;
  try {
    return (await ctx.apigateway.send(
      new GetIntegrationCommand({ restApiId, resourceId: resource.id, httpMethod: method }),
    )) as Integration;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'apigateway:GET');
  }
}

export interface ApiResult extends StepResult {
  apiId: string;
  /** Something changed that needs a new deployment to take effect. */
  changed: boolean;
}

/** When a live integration is switched: `found` learns the API's id, and `beforeSwitch` resolves once the new target may be invoked. */
export interface IntegrationGate {
  found(apiId: string): void;
  beforeSwitch(): Promise<unknown>;
}

/**
 * Creates the REST API and its resources, methods and proxy integrations, or completes and corrects ours.
 * The function need not exist yet: its ARN is known from its name, and API Gateway checks it only on invoke.
 * An existing integration that targets something else is switched only after `gate.beforeSwitch()`, so that
 * requests never meet a target that may not be invoked yet.
 */
export async function ensureRestApi(ctx: ProvisionContext, gate?: IntegrationGate): Promise<ApiResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'REST API', name: stack.api.name };
  const where = await whereOf(ctx);
  const { ours, others } = await findRestApis(ctx);
  let api = ours[0];
  let created = false;
  const changes: string[] = [];
  let resources: Resource[];
  const handMade = others.length === 1 && others[0]?.tags?.[STACK_TAG] === undefined ? others[0] : undefined;
  if (!api && ctx.settings.adopt && handMade?.id) {
    // Taking over the API made by hand: tagged first, so that a rerun after a crash knows it as ours.
    await ctx.record('apiId', handMade.id);
    try {
      await ctx.apigateway.send(
        new TagResourceCommand({ resourceArn: restApiArn(ctx.region, handMade.id), tags: stack.tags }),
      );
      changes.push('tags');
    } catch (error) {
      // An emulator without TagResource for REST APIs (moto tags only stages) answers a page, not JSON; the
      // state file then marks the API as taken over, so that rerun, status and teardown know it.
      if (errorName(error) !== 'SyntaxError' || isUnreadableDenial(error))
        throw translateAwsError(error, 'apigateway:PUT');
      await ctx.record('apiAdopted', handMade.id);
      ctx.note(`this endpoint cannot tag REST API ${handMade.id}; the state file records it as this stack's`);
    }
    api = { ...handMade, tags: { ...handMade.tags, ...stack.tags } };
  }
  if (!api) {
    if (others.length > 0)
      ctx.note(`another REST API is named ${stack.api.name} but is not this stack's; creating this stack's own`);
    api = await apigw<RestApi>(
      ctx,
      new CreateRestApiCommand({
        name: stack.api.name,
        description: stack.api.description,
        endpointConfiguration: { types: [stack.api.endpointType] },
        apiKeySource: stack.api.apiKeySource,
        tags: stack.tags,
      }),
      'apigateway:POST',
    );
    if (!api.id) throw new AwsError('API Gateway did not return the new API id; run setup again');
    created = true;
    await ctx.record('apiId', api.id);
    resources = api.rootResourceId ? [{ id: api.rootResourceId, path: '/' }] : await getResources(ctx, api.id);
  } else {
    if (!api.id) throw new AwsError('API Gateway returned an API without an id; run setup again');
    if (ctx.recorded.apiId !== api.id) await ctx.record('apiId', api.id);
    const types = api.endpointConfiguration?.types ?? [];
    if (types.includes('PRIVATE')) {
      throw new AwsError(
        `REST API ${stack.api.name} (${api.id}) is PRIVATE, not ${stack.api.endpointType}; run teardown and setup again`,
      );
    }
    if (types.includes('EDGE')) {
      // API Gateway converts an edge-optimized API in place (the invoke URL stays; its DNS moves).
      await apigw(
        ctx,
        new UpdateRestApiCommand({
          restApiId: api.id,
          patchOperations: [
            { op: 'replace', path: '/endpointConfiguration/types/EDGE', value: stack.api.endpointType },
          ],
        }),
        'apigateway:PATCH',
      );
      changes.push(`endpoint EDGE → ${stack.api.endpointType}`);
    }
    resources = await getResources(ctx, api.id);
  }
  const restApiId = api.id;
  gate?.found(restApiId);
  // One change at a time: overlapping mutations of one REST API get 409 ConflictException (concurrent
  // modification). Other resources are still made meanwhile; only this API's changes queue up.
  const byPath = new Map<string, Resource>(resources.map((r) => [r.path ?? '', r]));
  for (const spec of stack.api.resources) {
    const resource = await ensureResource(ctx, restApiId, byPath, spec.path, created ? undefined : changes);
    for (const method of spec.methods)
      await ensureMethod(
        ctx,
        restApiId,
        resource,
        method,
        proxyIntegration(where, method.integration),
        created ? undefined : changes,
        gate,
      );
  }
  const changed = created || changes.length > 0;
  if (changed) await ctx.record('apiPendingDeployment', 'yes');
  return {
    ...base,
    outcome: created ? 'created' : changes.length ? 'updated' : 'unchanged',
    apiId: restApiId,
    id: restApiId,
    changed,
    ...(changes.length ? { detail: `updated ${changes.join(', ')}` } : {}),
  };
}

/** The resource at `path`, created (after its parent) when missing; `byPath` is updated with what is made. */
async function ensureResource(
  ctx: ProvisionContext,
  restApiId: string,
  byPath: Map<string, Resource>,
  path: string,
  changes: string[] | undefined,
): Promise<Resource> {
  const found = byPath.get(path);
  if (found) return found;
  const parent = await ensureResource(ctx, restApiId, byPath, path.slice(0, path.lastIndexOf('/')) || '/', changes);
  const pathPart = path.slice(path.lastIndexOf('/') + 1);
  const resource = await apigw<Resource>(
    ctx,
    new CreateResourceCommand({ restApiId, parentId: parent.id, pathPart }),
    'apigateway:POST',
  );
  byPath.set(path, resource);
  changes?.push(`resource ${path}`);
  return resource;
}

async function ensureMethod(
  ctx: ProvisionContext,
  restApiId: string,
  resource: Resource,
  spec: MethodSpec,
  integration: ReturnType<typeof proxyIntegration>,
  changes: string[] | undefined,
  gate: IntegrationGate | undefined,
): Promise<void> {
  const { method, authorizationType, apiKeyRequired } = spec;
  const label = `${method} ${resource.path}`;
  const existing = resource.resourceMethods?.[method] as Method | undefined;
  const wanted = { authorizationType, apiKeyRequired };
  const patch = existing ? methodAuthPatch(existing, wanted) : [];
  if (!existing) {
    await apigw(
      ctx,
      new PutMethodCommand({ restApiId, resourceId: resource.id, httpMethod: method, ...wanted }),
      'apigateway:PUT',
    );
    changes?.push(`method ${label}`);
  }
  const replaced =
    patch.length > 0 &&
    (await updateMethodAuth(ctx, { restApiId, resourceId: resource.id, httpMethod: method }, patch, wanted));
  if (patch.length > 0) changes?.push(`authorization of ${label}`);
  const current = existing && !replaced ? await integrationOf(ctx, restApiId, resource, method) : undefined;
  if (
    current?.type !== integration.type ||
    current?.uri !== integration.uri ||
    current?.httpMethod !== integration.integrationHttpMethod
  ) {
    if (current) await gate?.beforeSwitch();
    await apigw(
      ctx,
      new PutIntegrationCommand({ restApiId, resourceId: resource.id, httpMethod: method, ...integration }),
      'apigateway:PUT',
    );
    if (existing) changes?.push(`integration of ${label}`);
  }
}

/** Compares the API, its routes and stage with what setup makes (read calls only). */
export async function inspectRestApi(ctx: ProvisionContext): Promise<StepResult & { apiId?: string; stage?: Stage }> {
  const stack = describeStack(ctx);
  const base = { resource: 'REST API', name: stack.api.name };
  const { ours, others } = await findRestApis(ctx);
  const api = ours[0];
  if (!api?.id)
    return {
      ...base,
      outcome: 'missing',
      ...(others.length ? { detail: `${others.length} API(s) of that name are not this stack's` } : {}),
    };
  const where = await whereOf(ctx);
  const resources = await getResources(ctx, api.id);
  const drift: string[] = [];
  const types = api.endpointConfiguration?.types ?? ['EDGE'];
  if (!types.includes(stack.api.endpointType))
    drift.push(`endpoint ${types.join(', ')}, not ${stack.api.endpointType}`);
  for (const { path, methods } of stack.api.resources) {
    const resource = resources.find((r) => r.path === path);
    for (const spec of methods) {
      const { method } = spec;
      const found = resource?.resourceMethods?.[method] as Method | undefined;
      if (!resource || !found) {
        drift.push(`${method} ${path} missing`);
        continue;
      }
      const integration = proxyIntegration(where, spec.integration);
      const current = await integrationOf(ctx, api.id, resource, method);
      if (current?.type !== integration.type || current.uri !== integration.uri)
        drift.push(`${method} ${path} integration differs`);
      const authDrift = methodAuthDrift(found, spec);
      if (authDrift) drift.push(`${method} ${path} ${authDrift}`);
    }
  }
  const wanted = stack.stage;
  const stage = await getStage(ctx, api.id);
  if (!stage) drift.push(`stage ${wanted.name} missing`);
  else {
    const throttle = stageThrottle(stage);
    if (throttle.rateLimit !== wanted.throttle.rateLimit || throttle.burstLimit !== wanted.throttle.burstLimit) {
      drift.push(`stage throttling ${throttle.rateLimit ?? 'unset'}/s burst ${throttle.burstLimit ?? 'unset'}`);
    }
  }
  if (ours.length > 1) drift.push(`${ours.length} APIs of this stack share the name`);
  return {
    ...base,
    outcome: drift.length ? 'drifted' : 'present',
    apiId: api.id,
    id: api.id,
    ...(stage ? { stage } : {}),
    ...(drift.length ? { detail: drift.join('; ') } : {}),
  };
}

/** Deletes this stack's REST APIs (DeleteRestApi: 1 per 30 s per account; the pacer waits as AWS asks). */
export async function removeRestApi(ctx: ProvisionContext): Promise<StepResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'REST API', name: stack.api.name };
  const { ours, others } = await findRestApis(ctx);
  const targets = ctx.force ? [...ours, ...others] : ours;
  if (targets.length === 0) {
    if (others.length > 0)
      return {
        ...base,
        outcome: 'kept',
        detail: `${others.length} API(s) of that name lack ${STACK_TAG}=${stack.stack}; --force deletes them`,
      };
    return { ...base, outcome: 'absent' };
  }
  let removed = 0;
  for (const api of targets) {
    try {
      await ctx.apigateway.send(new DeleteRestApiCommand({ restApiId: api.id }));
      removed += 1;
    } catch (error) {
      if (!isNotFound(error)) throw translateAwsError(error, 'apigateway:DELETE');
    }
  }
  await ctx.record('apiId', undefined);
  if (ctx.recorded.apiAdopted) await ctx.record('apiAdopted', undefined);
  return {
    ...base,
    outcome: removed > 0 ? 'removed' : 'absent',
    ...(targets.length > 1 ? { detail: `${targets.length} APIs` } : {}),
    ...(targets[0]?.id ? { id: targets[0].id } : {}),
  };
}
