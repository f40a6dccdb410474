/** The `live` alias's resource policy: API Gateway may invoke it, from this API's stage and routes only. */
import { AddPermissionCommand, GetPolicyCommand, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { errorName, isNotFound, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import { executeApiArn, type Where } from './arns.js';
import { whereOf, type ProvisionContext, type StepResult } from './context.js';
import { describeStack, invokeSources, type StackDescription } from './description.js';
import { updateFunction, waitForFunctionReady } from './function.js';
import { statementId } from '../stack/stage-name.js';

export interface PermissionStatement {
  StatementId: string;
  SourceArn: string;
}

/**
 * One statement per route and stage: `{apiId}/{stage}/*\/product` and `{apiId}/{stage}/*\/product/*`, for the
 * stage and for the console's `test-invoke-stage` (as SAM does), each pinned to this API's id.
 */
export function permissionStatements(where: Where, apiId: string, stage: string): PermissionStatement[] {
  return invokeSources(stage).map((source) => ({
    StatementId: statementId(source.stage, source.resource),
    SourceArn: executeApiArn(where, apiId, source.stage, '*', source.resource),
  }));
}

/** The permission step's name: the function and the API that may invoke it. */
export function permissionName(stack: StackDescription): string {
  return `${stack.function.name} ← ${stack.api.name}`;
}

/**
 * The statements of the alias's policy (or, with `qualifier` null, of the unqualified function's, where an
 * earlier products-cli granted them): Sid → SourceArn, empty when there is no policy.
 */
export async function currentStatements(
  ctx: ProvisionContext,
  qualifier: string | null = describeStack(ctx).permission.qualifier,
): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>();
  let text: string | undefined;
  try {
    text = (
      await ctx.clients.lambda.send(
        new GetPolicyCommand({
          FunctionName: describeStack(ctx).permission.function,
          ...(qualifier ? { Qualifier: qualifier } : {}),
        }),
      )
    ).Policy;
  } catch (error) {
    if (isNotFound(error)) return found;
    throw translateAwsError(error, 'lambda:GetPolicy');
  }
  const policy = JSON.parse(text ?? '{}') as {
    Statement?: Array<{ Sid?: string; Resource?: string; Condition?: { ArnLike?: Record<string, string> } }>;
  };
  for (const statement of policy.Statement ?? []) {
    // An emulator (moto) may answer the alias's statements for the unqualified function; their Resource says whose they are.
    if (qualifier === null && statement.Resource?.endsWith(`:${describeStack(ctx).permission.qualifier}`)) continue;
    if (statement.Sid) found.set(statement.Sid, statement.Condition?.ArnLike?.['AWS:SourceArn']);
  }
  return found;
}

/** Compares the function's policy with what setup makes. */
export async function inspectPermission(ctx: ProvisionContext, apiId: string): Promise<StepResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'permission', name: permissionName(stack) };
  const current = await currentStatements(ctx);
  const wanted = permissionStatements(await whereOf(ctx), apiId, stack.stage.name);
  const missing = wanted.filter((w) => !current.has(w.StatementId));
  const differing = wanted.filter((w) => current.has(w.StatementId) && current.get(w.StatementId) !== w.SourceArn);
  if (missing.length === wanted.length) return { ...base, outcome: 'missing' };
  const drift = [
    ...missing.map((w) => `${w.StatementId} missing`),
    ...differing.map((w) => `${w.StatementId} has another SourceArn`),
  ];
  return {
    ...base,
    outcome: drift.length ? 'drifted' : 'present',
    ...(drift.length ? { detail: drift.join('; ') } : {}),
  };
}

/** Adds the missing statements and replaces those whose SourceArn differs (one at a time: one policy). */
export async function ensurePermission(ctx: ProvisionContext, apiId: string): Promise<StepResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'permission', name: permissionName(stack) };
  const current = await currentStatements(ctx);
  const wanted = permissionStatements(await whereOf(ctx), apiId, stack.stage.name);
  let added = 0;
  let replaced = 0;
  for (const statement of wanted) {
    if (current.get(statement.StatementId) === statement.SourceArn) continue;
    if (current.has(statement.StatementId)) {
      await removeStatement(ctx, statement.StatementId);
      replaced += 1;
    } else {
      added += 1;
    }
    await addStatement(ctx, statement);
  }
  const outcome = added === wanted.length ? 'created' : added + replaced > 0 ? 'updated' : 'unchanged';
  return { ...base, outcome, ...(outcome === 'updated' ? { detail: `${added} added, ${replaced} replaced` } : {}) };
}

/**
 * Removes the statements an earlier products-cli granted on the unqualified function, once the API invokes
 * the alias and its stage is deployed (until then requests still reach the function through them).
 */
export async function removeUnqualifiedPermission(ctx: ProvisionContext, apiId: string): Promise<StepResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'permission', name: `${stack.permission.function} (unqualified) ← ${stack.api.name}` };
  const current = await currentStatements(ctx, null);
  const ours = permissionStatements(await whereOf(ctx), apiId, stack.stage.name).filter((w) =>
    current.has(w.StatementId),
  );
  for (const statement of ours) await removeStatement(ctx, statement.StatementId, null);
  return {
    ...base,
    outcome: ours.length ? 'removed' : 'absent',
    ...(ours.length
      ? { detail: `${ours.length} statements; the API invokes alias ${stack.permission.qualifier}` }
      : {}),
  };
}

async function removeStatement(
  ctx: ProvisionContext,
  StatementId: string,
  qualifier: string | null = describeStack(ctx).permission.qualifier,
): Promise<void> {
  try {
    await updateFunction(
      ctx,
      new RemovePermissionCommand({
        FunctionName: describeStack(ctx).permission.function,
        StatementId,
        ...(qualifier ? { Qualifier: qualifier } : {}),
      }),
      'lambda:RemovePermission',
    );
  } catch (error) {
    if (!isNotFound((error as { cause?: unknown }).cause ?? error)) throw error;
  }
}

/**
 * Adds one statement. AddPermission answers ResourceConflictException both when the statement id exists
 * (a concurrent run added it) and while an update of the function is in progress, so on that error the
 * policy is read again: the statement is there (done), or it is not (wait for the function, try again).
 */
async function addStatement(ctx: ProvisionContext, statement: PermissionStatement): Promise<void> {
  const { permission } = describeStack(ctx);
  const started = ctx.clock.now();
  for (;;) {
    try {
      await ctx.clients.lambda.send(
        new AddPermissionCommand({
          FunctionName: permission.function,
          Qualifier: permission.qualifier,
          StatementId: statement.StatementId,
          Action: permission.action,
          Principal: permission.principal,
          SourceArn: statement.SourceArn,
        }),
      );
      return;
    } catch (error) {
      if (errorName(error) !== 'ResourceConflictException') throw translateAwsError(error, 'lambda:AddPermission');
      const now = await currentStatements(ctx);
      if (now.get(statement.StatementId) === statement.SourceArn) return;
      if (now.has(statement.StatementId)) {
        throw new AwsError(
          `another process changed the permission ${statement.StatementId} of function ${permission.function} meanwhile; run setup again`,
          { cause: error },
        );
      }
      if (ctx.clock.now() - started > ctx.waits.functionActiveMs)
        throw translateAwsError(error, 'lambda:AddPermission');
    }
    await ctx.clock.sleep(ctx.waits.functionPollMs, ctx.signal);
    await waitForFunctionReady(ctx);
  }
}
