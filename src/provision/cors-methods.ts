/** CORS on AWS: each resource's OPTIONS preflight as the description has it (or none), then the gateway responses. */
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
import { ROUTES } from '../contract/routes.js';
import { getResources } from './api.js';
import type { ProvisionContext, StepResult } from './context.js';
import { PREFLIGHT_INTEGRATION, type PreflightConfig } from './cors-config.js';
import { describeCors } from './description.js';
import { ensureGatewayResponses, inspectGatewayResponses } from './gateway-responses.js';

async function getMethod(ctx: ProvisionContext, restApiId: string, resourceId: string): Promise<Method | undefined> {
  try {
    return (await ctx.apigateway.send(
      new GetMethodCommand({ restApiId, resourceId, httpMethod: 'OPTIONS' }) as never,
    )) as Method;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'apigateway:GET');
  }
}

function sameMap(a: Record<string, unknown> | undefined, b: Record<string, unknown>): boolean {
  const left = a ?? {};
  return (
    Object.keys(left).length === Object.keys(b).length && Object.entries(b).every(([key, value]) => left[key] === value)
  );
}

/** What differs between an OPTIONS method and the wanted preflight; undefined when it is as wanted. */
export function preflightDrift(method: Method, wanted: PreflightConfig): string | undefined {
  const integration = method.methodIntegration;
  if (integration?.type !== wanted.integration.type)
    return `integration ${integration?.type ?? 'missing'}, not ${wanted.integration.type}`;
  if ((method.authorizationType ?? 'NONE') !== wanted.authorizationType)
    return `authorization ${method.authorizationType}`;
  const response = integration.integrationResponses?.[wanted.statusCode];
  if (!response) return `no ${wanted.statusCode} integration response`;
  if (!sameMap(response.responseParameters, wanted.integrationResponseParameters)) return 'headers differ';
  const template = response.responseTemplates?.['application/json'] ?? '';
  if (template !== (wanted.integrationResponseTemplates['application/json'] ?? '')) return 'origin template differs';
  if (!sameMap(method.methodResponses?.[wanted.statusCode]?.responseParameters, wanted.methodResponseParameters))
    return 'declared headers differ';
  return undefined;
}

async function putPreflight(
  ctx: ProvisionContext,
  restApiId: string,
  resourceId: string,
  wanted: PreflightConfig,
): Promise<void> {
  const send = async (command: unknown, action: string) => {
    try {
      await ctx.apigateway.send(command as never);
    } catch (error) {
      throw translateAwsError(error, action);
    }
  };
  const key = { restApiId, resourceId, httpMethod: 'OPTIONS' };
  await send(
    new PutMethodCommand({
      ...key,
      authorizationType: wanted.authorizationType,
      apiKeyRequired: wanted.apiKeyRequired,
    }),
    'apigateway:PUT',
  );
  await send(new PutIntegrationCommand({ ...key, ...wanted.integration }), 'apigateway:PUT');
  await send(
    new PutMethodResponseCommand({
      ...key,
      statusCode: wanted.statusCode,
      responseParameters: wanted.methodResponseParameters,
      responseModels: wanted.responseModels,
    }),
    'apigateway:PUT',
  );
  await send(
    new PutIntegrationResponseCommand({
      ...key,
      statusCode: wanted.statusCode,
      responseParameters: wanted.integrationResponseParameters,
      ...(Object.keys(wanted.integrationResponseTemplates).length
        ? { responseTemplates: wanted.integrationResponseTemplates }
        : {}),
    }),
    'apigateway:PUT',
  );
}

export interface CorsResult {
  /** Something changed that needs a new deployment. */
  changed: boolean;
  changes: string[];
}

/** Each route's resource with its OPTIONS method as it is and as the settings want it (none without CORS). */
async function* preflightsOf(ctx: ProvisionContext, restApiId: string, known?: Resource[]) {
  const cors = describeCors(ctx.settings);
  const resources = known ?? (await getResources(ctx, restApiId));
  for (const route of ROUTES) {
    const resource = resources.find((r) => r.path === route.resource);
    if (!resource?.id) continue;
    const existing = resource.resourceMethods?.OPTIONS ? await getMethod(ctx, restApiId, resource.id) : undefined;
    yield { resource: route.resource, resourceId: resource.id, existing, wanted: cors?.preflights[route.resource] };
  }
}

async function deletePreflight(ctx: ProvisionContext, restApiId: string, resourceId: string): Promise<void> {
  await ctx.apigateway
    .send(new DeleteMethodCommand({ restApiId, resourceId, httpMethod: 'OPTIONS' }) as never)
    .catch((error: unknown) => {
      if (!isNotFound(error)) throw translateAwsError(error, 'apigateway:DELETE');
    });
}

/**
 * Makes the OPTIONS methods match `corsOrigins`: created or replaced when they differ, deleted when CORS is off
 * (only a MOCK OPTIONS method, which is the kind setup makes).
 */
export async function ensurePreflights(
  ctx: ProvisionContext,
  restApiId: string,
  known?: Resource[],
): Promise<CorsResult> {
  const changes: string[] = [];
  // One at a time: changes to one REST API conflict with each other.
  for await (const { resource, resourceId, existing, wanted } of preflightsOf(ctx, restApiId, known)) {
    if (!wanted) {
      if (existing?.methodIntegration?.type === PREFLIGHT_INTEGRATION.type) {
        await deletePreflight(ctx, restApiId, resourceId);
        changes.push(`OPTIONS ${resource} removed`);
      }
      continue;
    }
    if (existing && !preflightDrift(existing, wanted)) continue;
    // A method's responses cannot be put over existing ones: replace the whole method.
    if (existing) await deletePreflight(ctx, restApiId, resourceId);
    await putPreflight(ctx, restApiId, resourceId, wanted);
    changes.push(`OPTIONS ${resource}`);
  }
  return { changed: changes.length > 0, changes };
}

/** The preflights' drift, for status and the dry run. */
export async function inspectPreflights(ctx: ProvisionContext, restApiId: string): Promise<string[]> {
  const drift: string[] = [];
  for await (const { resource, existing, wanted } of preflightsOf(ctx, restApiId)) {
    if (!wanted) {
      if (existing?.methodIntegration?.type === PREFLIGHT_INTEGRATION.type)
        drift.push(`OPTIONS ${resource} present without --cors-origin`);
      continue;
    }
    const why = existing ? preflightDrift(existing, wanted) : 'missing';
    if (why) drift.push(`OPTIONS ${resource} ${why}`);
  }
  return drift;
}

/** The CORS step's name: the allowed origins, or `off`. */
function corsName(ctx: ProvisionContext): string {
  return describeCors(ctx.settings)?.origins.join(', ') ?? 'off';
}

/** The CORS step of setup: the preflights, then the gateway responses; records a pending deployment on change. */
export async function ensureCors(
  ctx: ProvisionContext,
  restApiId: string,
  apiCreated = false,
): Promise<StepResult & { changed: boolean }> {
  const preflights = await ensurePreflights(ctx, restApiId);
  const responses = await ensureGatewayResponses(ctx, restApiId);
  const changes = [...preflights.changes, ...responses.changes];
  if (changes.length > 0) await ctx.record('apiPendingDeployment', 'yes');
  const name = corsName(ctx);
  const unreported = changes.length === 0 && describeCors(ctx.settings) === undefined;
  return {
    resource: 'CORS',
    name,
    outcome: changes.length ? (apiCreated ? 'created' : 'updated') : 'unchanged',
    changed: changes.length > 0,
    ...(changes.length ? { detail: changes.join(', ') } : {}),
    ...(unreported ? { unreported } : {}),
  };
}

/** The CORS configuration as it is, for status and the dry run. */
export async function inspectCors(ctx: ProvisionContext, restApiId: string): Promise<StepResult> {
  const drift = [...(await inspectPreflights(ctx, restApiId)), ...(await inspectGatewayResponses(ctx, restApiId))];
  const name = corsName(ctx);
  return {
    resource: 'CORS',
    name,
    outcome: drift.length ? 'drifted' : 'present',
    ...(drift.length ? { detail: drift.join('; ') } : {}),
  };
}
