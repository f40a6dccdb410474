/** The function's resource policy: API Gateway may invoke it, from this API's stage and routes only. */
import { AddPermissionCommand, GetPolicyCommand, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { ROUTES } from '../contract/routes.js';
import { errorName, translateAwsError } from '../aws/errors.js';
import { executeApiArn, type Where } from './arns.js';
import { whereOf, type ProvisionContext, type StepResult } from './context.js';

export interface PermissionStatement {
  StatementId: string;
  SourceArn: string;
}

/** One statement per route: `{apiId}/{stage}/*\/product` and `{apiId}/{stage}/*\/product/*`. */
export function permissionStatements(where: Where, apiId: string, stage: string): PermissionStatement[] {
  return ROUTES.map((route) => ({
    StatementId: `apigateway-${stage}-${route.resource.replace(/^\//, '').replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '-')}`,
    SourceArn: executeApiArn(where, apiId, stage, '*', route.resource),
  }));
}

/** The function policy's statements: Sid → SourceArn (empty when the function has no policy). */
export async function currentStatements(ctx: ProvisionContext): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>();
  let text: string | undefined;
  try {
    text = (await ctx.clients.lambda.send(new GetPolicyCommand({ FunctionName: ctx.names.function }))).Policy;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return found;
    throw translateAwsError(error, 'lambda:GetPolicy');
  }
  const policy = JSON.parse(text ?? '{}') as { Statement?: Array<{ Sid?: string; Condition?: { ArnLike?: Record<string, string> } }> };
  for (const statement of policy.Statement ?? []) {
    if (statement.Sid) found.set(statement.Sid, statement.Condition?.ArnLike?.['AWS:SourceArn']);
  }
  return found;
}

/** Compares the function's policy with what setup makes. */
export async function inspectPermission(ctx: ProvisionContext, apiId: string): Promise<StepResult> {
  const base = { resource: 'permission', name: `${ctx.names.function} ← ${ctx.names.api}` };
  const current = await currentStatements(ctx);
  const wanted = permissionStatements(await whereOf(ctx), apiId, ctx.names.stage);
  const missing = wanted.filter((w) => !current.has(w.StatementId));
  const differing = wanted.filter((w) => current.has(w.StatementId) && current.get(w.StatementId) !== w.SourceArn);
  if (missing.length === wanted.length) return { ...base, outcome: 'missing' };
  const drift = [...missing.map((w) => `${w.StatementId} missing`), ...differing.map((w) => `${w.StatementId} has another SourceArn`)];
  return { ...base, outcome: drift.length ? 'drifted' : 'present', ...(drift.length ? { detail: drift.join('; ') } : {}) };
}

/** Adds the missing statements and replaces those whose SourceArn differs (one at a time: one policy). */
export async function ensurePermission(ctx: ProvisionContext, apiId: string): Promise<StepResult> {
  const base = { resource: 'permission', name: `${ctx.names.function} ← ${ctx.names.api}` };
  const current = await currentStatements(ctx);
  const wanted = permissionStatements(await whereOf(ctx), apiId, ctx.names.stage);
  let added = 0;
  let replaced = 0;
  for (const statement of wanted) {
    if (current.get(statement.StatementId) === statement.SourceArn) continue;
    try {
      if (current.has(statement.StatementId)) {
        await ctx.clients.lambda.send(new RemovePermissionCommand({ FunctionName: ctx.names.function, StatementId: statement.StatementId }));
        replaced += 1;
      } else {
        added += 1;
      }
      await ctx.clients.lambda.send(
        new AddPermissionCommand({
          FunctionName: ctx.names.function,
          StatementId: statement.StatementId,
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: statement.SourceArn,
        }),
      );
    } catch (error) {
      // A concurrent run added the same statement: it is there, which is all we need.
      if (errorName(error) === 'ResourceConflictException') continue;
      throw translateAwsError(error, 'lambda:AddPermission');
    }
  }
  const outcome = added === wanted.length ? 'created' : added + replaced > 0 ? 'updated' : 'unchanged';
  return { ...base, outcome, ...(outcome === 'updated' ? { detail: `${added} added, ${replaced} replaced` } : {}) };
}
