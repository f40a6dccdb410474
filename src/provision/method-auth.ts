/** How a method's authorization differs from the description's (pure builders), and the UpdateMethod call that converges one. */
import {
  DeleteMethodCommand,
  PutMethodCommand,
  UpdateMethodCommand,
  type Method,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import { translateAwsError } from '../aws/errors.js';
import type { ProvisionContext } from './context.js';
import type { MethodAuth } from './description.js';

/** The patch operations that turn `existing` into `wanted`; empty when it already is. */
export function methodAuthPatch(
  existing: Pick<Method, 'authorizationType' | 'apiKeyRequired'>,
  wanted: MethodAuth,
): PatchOperation[] {
  const patch: PatchOperation[] = [];
  if ((existing.authorizationType ?? 'NONE') !== wanted.authorizationType)
    patch.push({ op: 'replace', path: '/authorizationType', value: wanted.authorizationType });
  if (Boolean(existing.apiKeyRequired) !== wanted.apiKeyRequired)
    patch.push({ op: 'replace', path: '/apiKeyRequired', value: String(wanted.apiKeyRequired) });
  return patch;
}

/** What differs, for status and the dry run; undefined when nothing does. */
export function methodAuthDrift(
  existing: Pick<Method, 'authorizationType' | 'apiKeyRequired'>,
  wanted: MethodAuth,
): string | undefined {
  const parts: string[] = [];
  if ((existing.authorizationType ?? 'NONE') !== wanted.authorizationType)
    parts.push(`authorization ${existing.authorizationType ?? 'NONE'}, not ${wanted.authorizationType}`);
  if (Boolean(existing.apiKeyRequired) !== wanted.apiKeyRequired)
    parts.push(`API key ${existing.apiKeyRequired ? 'required' : 'not required'}`);
  return parts.length ? parts.join(', ') : undefined;
}

/** True for an answer that says the endpoint does not implement the operation (emulators: moto answers 500 HTML). */
function notImplemented(error: unknown): boolean {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return (
    status === 501 || (status === 500 && (e.name === 'SyntaxError' || /Deserialization error/.test(e.message ?? '')))
  );
}

/**
 * Applies the authorization patch with UpdateMethod. Where the endpoint lacks UpdateMethod (moto), the method
 * is deleted and put again instead (nothing is live before the next deployment); returns true then, so the
 * caller puts its integration back.
 */
export async function updateMethodAuth(
  ctx: ProvisionContext,
  key: { restApiId: string; resourceId: string | undefined; httpMethod: string },
  patch: PatchOperation[],
  wanted: MethodAuth,
): Promise<boolean> {
  try {
    await ctx.apigateway.send(new UpdateMethodCommand({ ...key, patchOperations: patch }) as never);
    return false;
  } catch (error) {
    if (!notImplemented(error)) throw translateAwsError(error, 'apigateway:PATCH');
  }
  try {
    await ctx.apigateway.send(new DeleteMethodCommand(key) as never);
    await ctx.apigateway.send(new PutMethodCommand({ ...key, ...wanted }) as never);
  } catch (error) {
    throw translateAwsError(error, 'apigateway:PUT');
  }
  return true;
}
