/**
 * API Gateway's own answers (DEFAULT_4XX: 403, 429, …; DEFAULT_5XX: 502, 504) with the CORS headers, so that a
 * browser can read a throttle or an auth error instead of seeing a CORS failure.
 */
import {
  DeleteGatewayResponseCommand,
  GetGatewayResponseCommand,
  PutGatewayResponseCommand,
  type GatewayResponse,
} from '@aws-sdk/client-api-gateway';
import { isNotFound, translateAwsError } from '../aws/errors.js';
import type { ProvisionContext } from './context.js';
import { CORS_RESPONSE_TYPES } from './cors-config.js';
import { describeCors } from './description.js';

async function getResponse(
  ctx: ProvisionContext,
  restApiId: string,
  responseType: string,
): Promise<GatewayResponse | undefined> {
  try {
    return (await ctx.apigateway.send(
      new GetGatewayResponseCommand({ restApiId, responseType: responseType as never }) as never,
    )) as GatewayResponse;
  } catch (error) {
    // AWS answers an uncustomised type with its default; emulators may answer NotFound instead.
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'apigateway:GET');
  }
}

function isOurs(response: GatewayResponse | undefined): boolean {
  return Boolean(
    response &&
      !response.defaultResponse &&
      response.responseParameters?.['gatewayresponse.header.Access-Control-Allow-Origin'],
  );
}

function differs(response: GatewayResponse | undefined, wanted: Record<string, string>): boolean {
  const current = response?.responseParameters ?? {};
  return (
    Object.keys(current).length !== Object.keys(wanted).length ||
    Object.entries(wanted).some(([key, value]) => current[key] !== value)
  );
}

/** Puts the CORS headers on DEFAULT_4XX and DEFAULT_5XX, or resets ours to the defaults when CORS is off. */
export async function ensureGatewayResponses(
  ctx: ProvisionContext,
  restApiId: string,
): Promise<{ changed: boolean; changes: string[] }> {
  const cors = describeCors(ctx.settings);
  const changes: string[] = [];
  for (const responseType of CORS_RESPONSE_TYPES) {
    const current = await getResponse(ctx, restApiId, responseType);
    const wanted = cors?.gatewayResponses.find((r) => r.responseType === responseType);
    if (!wanted) {
      if (!isOurs(current)) continue;
      try {
        await ctx.apigateway.send(new DeleteGatewayResponseCommand({ restApiId, responseType }) as never);
      } catch (error) {
        if (!isNotFound(error)) throw translateAwsError(error, 'apigateway:DELETE');
      }
      changes.push(`${responseType} reset`);
      continue;
    }
    if (!differs(current, wanted.responseParameters)) continue;
    try {
      await ctx.apigateway.send(new PutGatewayResponseCommand({ restApiId, ...wanted }) as never);
    } catch (error) {
      throw translateAwsError(error, 'apigateway:PUT');
    }
    changes.push(responseType);
  }
  return { changed: changes.length > 0, changes };
}

/** The gateway responses' drift, for status and the dry run. */
export async function inspectGatewayResponses(ctx: ProvisionContext, restApiId: string): Promise<string[]> {
  const cors = describeCors(ctx.settings);
  const drift: string[] = [];
  for (const responseType of CORS_RESPONSE_TYPES) {
    const current = await getResponse(ctx, restApiId, responseType);
    const wanted = cors?.gatewayResponses.find((r) => r.responseType === responseType);
    if (!wanted) {
      if (isOurs(current)) drift.push(`${responseType} has CORS headers without --cors-origin`);
    } else if (differs(current, wanted.responseParameters)) drift.push(`${responseType} lacks the CORS headers`);
  }
  return drift;
}
