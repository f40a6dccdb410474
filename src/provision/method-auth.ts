/** Each method's authorization as setup wants it (pure), and the UpdateMethod patch that converges one. */
import type { Method, PatchOperation } from '@aws-sdk/client-api-gateway';
import { isProtected, type AuthSettings } from '../contract/auth.js';

export interface MethodAuth {
  authorizationType: 'AWS_IAM' | 'NONE';
  apiKeyRequired: boolean;
}

/** AWS_IAM on the protected methods with --auth iam, the API key on them with --auth api-key, NONE otherwise. */
export function methodAuth(auth: AuthSettings, method: string): MethodAuth {
  const protectedMethod = isProtected(auth, method);
  return {
    authorizationType: protectedMethod && auth.mode === 'iam' ? 'AWS_IAM' : 'NONE',
    apiKeyRequired: protectedMethod && auth.mode === 'api-key',
  };
}

/** The patch operations that turn `existing` into `wanted`; empty when it already is. */
export function methodAuthPatch(existing: Pick<Method, 'authorizationType' | 'apiKeyRequired'>, wanted: MethodAuth): PatchOperation[] {
  const patch: PatchOperation[] = [];
  if ((existing.authorizationType ?? 'NONE') !== wanted.authorizationType) patch.push({ op: 'replace', path: '/authorizationType', value: wanted.authorizationType });
  if (Boolean(existing.apiKeyRequired) !== wanted.apiKeyRequired) patch.push({ op: 'replace', path: '/apiKeyRequired', value: String(wanted.apiKeyRequired) });
  return patch;
}

/** What differs, for status and the dry run; undefined when nothing does. */
export function methodAuthDrift(existing: Pick<Method, 'authorizationType' | 'apiKeyRequired'>, wanted: MethodAuth): string | undefined {
  const parts: string[] = [];
  if ((existing.authorizationType ?? 'NONE') !== wanted.authorizationType) parts.push(`authorization ${existing.authorizationType ?? 'NONE'}, not ${wanted.authorizationType}`);
  if (Boolean(existing.apiKeyRequired) !== wanted.apiKeyRequired) parts.push(`API key ${existing.apiKeyRequired ? 'required' : 'not required'}`);
  return parts.length ? parts.join(', ') : undefined;
}
