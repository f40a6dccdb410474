/**
 * CORS preflights on AWS: an OPTIONS method on each resource, without authorization, whose MOCK integration
 * answers 200 with the Access-Control-* headers. With several origins the integration response chooses the
 * request's origin by a mapping template (`$context.responseOverride`), since a header mapping is static.
 */
import {
  DeleteMethodCommand,
  GetMethodCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  type Method,
  type Resource,
} from '@aws-sdk/client-api-gateway';
import { isNotFound, translateAwsError } from '../aws/errors.js';
import { preflightHeaders } from '../contract/cors.js';
import { ROUTES } from '../contract/routes.js';
import { getResources } from './api.js';
import type { ProvisionContext, StepResult } from './context.js';
import { ensureGatewayResponses, inspectGatewayResponses } from './gateway-responses.js';

const MOCK_REQUEST_TEMPLATE = '{"statusCode": 200}';

export interface PreflightConfig {
  /** The method response's declared headers. */
  methodResponseParameters: Record<string, boolean>;
  /** The integration response's header mappings (static values in single quotes). */
  integrationResponseParameters: Record<string, string>;
  integrationResponseTemplates: Record<string, string>;
}

/** The VTL that sets Access-Control-Allow-Origin to the request's origin when it is one of `origins`. */
export function originTemplate(origins: readonly string[]): string {
  const test = origins.map((origin) => `$origin == "${origin}"`).join(' || ');
  return [
    `#set($origin = $input.params().header.get("Origin"))`,
    `#if(!$origin) #set($origin = $input.params().header.get("origin")) #end`,
    `#if(${test})`,
    `#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)`,
    `#end`,
  ].join('\n');
}

/** The preflight's method and integration responses for a resource (pure). */
export function preflightConfig(origins: readonly string[], resource: string): PreflightConfig {
  const single = origins.length === 1;
  // Every header the preflight may carry, Allow-Origin included even when the template sets it.
  const headers = preflightHeaders(origins, origins[0], resource);
  const names = [...new Set([...Object.keys(headers), 'Access-Control-Allow-Origin', ...(origins[0] === '*' ? [] : ['Vary'])])];
  const integration: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'Access-Control-Allow-Origin' && !single) continue;
    integration[`method.response.header.${name}`] = `'${value}'`;
  }
  return {
    methodResponseParameters: Object.fromEntries(names.map((name) => [`method.response.header.${name}`, false])),
    integrationResponseParameters: integration,
    integrationResponseTemplates: single ? {} : { 'application/json': originTemplate(origins) },
  };
}

async function getMethod(ctx: ProvisionContext, restApiId: string, resourceId: string): Promise<Method | undefined> {
  try {
    return (await ctx.apigateway.send(new GetMethodCommand({ restApiId, resourceId, httpMethod: 'OPTIONS' }) as never)) as Method;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'apigateway:GET');
  }
}

function sameMap(a: Record<string, unknown> | undefined, b: Record<string, unknown>): boolean {
  const left = a ?? {};
  return Object.keys(left).length === Object.keys(b).length && Object.entries(b).every(([key, value]) => left[key] === value);
}

/** What differs between an OPTIONS method and the wanted preflight; undefined when it is as wanted. */
export function preflightDrift(method: Method, wanted: PreflightConfig): string | undefined {
  const integration = method.methodIntegration;
  if (integration?.type !== 'MOCK') return `integration ${integration?.type ?? 'missing'}, not MOCK`;
  if ((method.authorizationType ?? 'NONE') !== 'NONE') return `authorization ${method.authorizationType}`;
  const response = integration.integrationResponses?.['200'];
  if (!response) return 'no 200 integration response';
  if (!sameMap(response.responseParameters, wanted.integrationResponseParameters)) return 'headers differ';
  const template = response.responseTemplates?.['application/json'] ?? '';
  if (template !== (wanted.integrationResponseTemplates['application/json'] ?? '')) return 'origin template differs';
  if (!sameMap(method.methodResponses?.['200']?.responseParameters, wanted.methodResponseParameters)) return 'declared headers differ';
  return undefined;
}

async function putPreflight(ctx: ProvisionContext, restApiId: string, resourceId: string, wanted: PreflightConfig): Promise<void> {
  const send = async (command: unknown, action: string) => {
    try {
      await ctx.apigateway.send(command as never);
    } catch (error) {
      throw translateAwsError(error, action);
    }
  };
  const key = { restApiId, resourceId, httpMethod: 'OPTIONS' };
  // A preflight carries no credentials, so it can never be authorized.
  await send(new PutMethodCommand({ ...key, authorizationType: 'NONE', apiKeyRequired: false }), 'apigateway:PUT');
  await send(new PutIntegrationCommand({ ...key, type: 'MOCK', requestTemplates: { 'application/json': MOCK_REQUEST_TEMPLATE }, passthroughBehavior: 'WHEN_NO_MATCH' }), 'apigateway:PUT');
  await send(new PutMethodResponseCommand({ ...key, statusCode: '200', responseParameters: wanted.methodResponseParameters, responseModels: { 'application/json': 'Empty' } }), 'apigateway:PUT');
  await send(
    new PutIntegrationResponseCommand({
      ...key,
      statusCode: '200',
      responseParameters: wanted.integrationResponseParameters,
      ...(Object.keys(wanted.integrationResponseTemplates).length ? { responseTemplates: wanted.integrationResponseTemplates } : {}),
    }),
    'apigateway:PUT',
  );
}

export interface CorsResult {
  /** Something changed that needs a new deployment. */
  changed: boolean;
  changes: string[];
}

/**
 * Makes the OPTIONS methods match `corsOrigins`: created or replaced when they differ, deleted when CORS is off
 * (only a MOCK OPTIONS method, which is the kind setup makes).
 */
export async function ensurePreflights(ctx: ProvisionContext, restApiId: string, known?: Resource[]): Promise<CorsResult> {
  const resources = known ?? (await getResources(ctx, restApiId));
  const changes: string[] = [];
  // One at a time: changes to one REST API conflict with each other.
  for (const route of ROUTES) {
    const resource = resources.find((r) => r.path === route.resource);
    if (!resource?.id) continue;
    const existing = resource.resourceMethods?.OPTIONS ? await getMethod(ctx, restApiId, resource.id) : undefined;
    if (ctx.settings.corsOrigins.length === 0) {
      if (existing?.methodIntegration?.type === 'MOCK') {
        await ctx.apigateway.send(new DeleteMethodCommand({ restApiId, resourceId: resource.id, httpMethod: 'OPTIONS' }) as never).catch((error: unknown) => {
          if (!isNotFound(error)) throw translateAwsError(error, 'apigateway:DELETE');
        });
        changes.push(`OPTIONS ${route.resource} removed`);
      }
      continue;
    }
    const wanted = preflightConfig(ctx.settings.corsOrigins, route.resource);
    if (existing && !preflightDrift(existing, wanted)) continue;
    // A method's responses cannot be put over existing ones: replace the whole method.
    if (existing) await ctx.apigateway.send(new DeleteMethodCommand({ restApiId, resourceId: resource.id, httpMethod: 'OPTIONS' }) as never).catch((error: unknown) => {
      if (!isNotFound(error)) throw translateAwsError(error, 'apigateway:DELETE');
    });
    await putPreflight(ctx, restApiId, resource.id, wanted);
    changes.push(`OPTIONS ${route.resource}`);
  }
  return { changed: changes.length > 0, changes };
}

/** The preflights' drift, for status and the dry run. */
export async function inspectPreflights(ctx: ProvisionContext, restApiId: string): Promise<string[]> {
  const resources = await getResources(ctx, restApiId);
  const drift: string[] = [];
  for (const route of ROUTES) {
    const resource = resources.find((r) => r.path === route.resource);
    if (!resource?.id) continue;
    const existing = resource.resourceMethods?.OPTIONS ? await getMethod(ctx, restApiId, resource.id) : undefined;
    if (ctx.settings.corsOrigins.length === 0) {
      if (existing?.methodIntegration?.type === 'MOCK') drift.push(`OPTIONS ${route.resource} present without --cors-origin`);
      continue;
    }
    const why = existing ? preflightDrift(existing, preflightConfig(ctx.settings.corsOrigins, route.resource)) : 'missing';
    if (why) drift.push(`OPTIONS ${route.resource} ${why}`);
  }
  return drift;
}

/** The CORS step of setup: the preflights, then the gateway responses; records a pending deployment on change. */
export async function ensureCors(ctx: ProvisionContext, restApiId: string, apiCreated = false): Promise<StepResult & { changed: boolean }> {
  const preflights = await ensurePreflights(ctx, restApiId);
  const responses = await ensureGatewayResponses(ctx, restApiId);
  const changes = [...preflights.changes, ...responses.changes];
  if (changes.length > 0) await ctx.record('apiPendingDeployment', 'yes');
  const name = ctx.settings.corsOrigins.length ? ctx.settings.corsOrigins.join(', ') : 'off';
  return { resource: 'CORS', name, outcome: changes.length ? (apiCreated ? 'created' : 'updated') : 'unchanged', changed: changes.length > 0, ...(changes.length ? { detail: changes.join(', ') } : {}) };
}

/** The CORS configuration as it is, for status and the dry run. */
export async function inspectCors(ctx: ProvisionContext, restApiId: string): Promise<StepResult> {
  const drift = [...(await inspectPreflights(ctx, restApiId)), ...(await inspectGatewayResponses(ctx, restApiId))];
  const name = ctx.settings.corsOrigins.length ? ctx.settings.corsOrigins.join(', ') : 'off';
  return { resource: 'CORS', name, outcome: drift.length ? 'drifted' : 'present', ...(drift.length ? { detail: drift.join('; ') } : {}) };
}
