/** The function's execution role: Lambda's trust policy and one inline least-privilege policy. */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { errorName, isNotFound, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import { logGroupStreamsArn, tableArn } from './arns.js';
import { whereOf, type ProvisionContext, type StepResult } from './context.js';
import { describeStack } from './description.js';
import { isOurs, notOursDetail, STACK_TAG, tagList, tagMap } from './names.js';
import { executionPolicy, parsePolicyDocument, samePolicy, type PolicyDocument } from './policies.js';
import { readOnce } from './read-once.js';

/** The role, or undefined when there is none. */
export function getRole(ctx: ProvisionContext): Promise<Role | undefined> {
  return readOnce(ctx.firstReads, 'role', () => readRole(ctx));
}

async function readRole(ctx: ProvisionContext): Promise<Role | undefined> {
  try {
    return (await ctx.clients.iam.send(new GetRoleCommand({ RoleName: describeStack(ctx).role.name }))).Role;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'iam:GetRole');
  }
}

/** The role's inline policy document, parsed, or undefined when it has none of that name. */
export async function getInlinePolicy(ctx: ProvisionContext): Promise<unknown> {
  const { role } = describeStack(ctx);
  try {
    const out = await ctx.clients.iam.send(
      new GetRolePolicyCommand({ RoleName: role.name, PolicyName: role.inlinePolicy.name }),
    );
    return parsePolicyDocument(out.PolicyDocument);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'iam:GetRolePolicy');
  }
}

/** The inline policy this stack's role should have. */
export async function wantedPolicy(ctx: ProvisionContext): Promise<PolicyDocument> {
  const stack = describeStack(ctx);
  const where = await whereOf(ctx);
  return executionPolicy(
    { table: tableArn(where, stack.table.name), logGroupStreams: logGroupStreamsArn(where, stack.logGroup.name) },
    stack.role.inlinePolicy.grants,
  );
}

/** Compares the role with what setup makes. */
export async function inspectRole(ctx: ProvisionContext): Promise<StepResult & { role?: Role }> {
  const stack = describeStack(ctx);
  const base = { resource: 'role', name: stack.role.name };
  const role = await getRole(ctx);
  if (!role) return { ...base, outcome: 'missing' };
  const drift: string[] = [];
  if (!isOurs(tagMap(role.Tags), stack)) drift.push(`not tagged ${STACK_TAG}=${stack.stack}`);
  if (!samePolicy(parsePolicyDocument(role.AssumeRolePolicyDocument), stack.role.trustPolicy))
    drift.push('trust policy differs');
  const inline = await getInlinePolicy(ctx);
  const policyName = stack.role.inlinePolicy.name;
  if (inline === undefined) drift.push(`inline policy ${policyName} missing`);
  else if (!samePolicy(inline, await wantedPolicy(ctx))) drift.push(`inline policy ${policyName} differs`);
  return {
    ...base,
    outcome: drift.length ? 'drifted' : 'present',
    role,
    ...(role.Arn ? { id: role.Arn } : {}),
    ...(drift.length ? { detail: drift.join('; ') } : {}),
  };
}

function foreignRole(name: string, stack: string): AwsError {
  return new AwsError(
    `an IAM role named ${name} already exists and is not this stack's (no ${STACK_TAG}=${stack} tag); run setup --adopt to take it over, or pick other names with --stack NAME`,
  );
}

/**
 * Creates the role with Lambda's trust policy, or brings ours in line; returns its ARN. The inline policy is
 * a separate step (ensureRolePolicy), so that the function need not wait for it.
 */
export async function ensureRole(ctx: ProvisionContext): Promise<StepResult & { arn: string; created: boolean }> {
  const stack = describeStack(ctx);
  const name = stack.role.name;
  const base = { resource: 'role', name };
  const trust = JSON.stringify(stack.role.trustPolicy);
  let role = await getRole(ctx);
  let created = false;
  const changes: string[] = [];
  if (!role) {
    try {
      role = (
        await ctx.clients.iam.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: trust,
            Description: stack.role.description,
            Path: stack.role.path,
            ...(stack.role.permissionsBoundary ? { PermissionsBoundary: stack.role.permissionsBoundary } : {}),
            Tags: tagList(stack.tags),
          }),
        )
      ).Role;
      created = true;
    } catch (error) {
      if (errorName(error) !== 'EntityAlreadyExistsException') throw translateAwsError(error, 'iam:CreateRole');
      // Another process made a role of our name since it was read: it is ours only if it carries our tag.
      role = await getRole(ctx);
      if (role && !isOurs(tagMap(role.Tags), stack)) throw foreignRole(name, stack.stack);
    }
    if (!role?.Arn) throw new AwsError(`IAM did not return the role ${name}; run setup again`);
    await ctx.record('roleArn', role.Arn);
  } else {
    if (!isOurs(tagMap(role.Tags), stack) && !(ctx.settings.adopt && tagMap(role.Tags)[STACK_TAG] === undefined)) {
      throw foreignRole(name, stack.stack);
    }
    if (!samePolicy(parsePolicyDocument(role.AssumeRolePolicyDocument), stack.role.trustPolicy)) {
      await send(
        ctx,
        new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust }),
        'iam:UpdateAssumeRolePolicy',
      );
      changes.push('trust policy');
    }
    const boundary = stack.role.permissionsBoundary;
    if (boundary && role.PermissionsBoundary?.PermissionsBoundaryArn !== boundary) {
      await send(
        ctx,
        new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: boundary }),
        'iam:PutRolePermissionsBoundary',
      );
      changes.push('permissions boundary');
    }
    const tags = tagMap(role.Tags);
    if (Object.entries(stack.tags).some(([k, v]) => tags[k] !== v)) {
      await send(ctx, new TagRoleCommand({ RoleName: name, Tags: tagList(stack.tags) }), 'iam:TagRole');
      changes.push('tags');
    }
  }
  if (!role.Arn) throw new AwsError(`IAM did not return the ARN of role ${name}; run setup again`);
  if (!created && ctx.recorded.roleArn !== role.Arn) await ctx.record('roleArn', role.Arn);
  const outcome = created ? 'created' : changes.length ? 'updated' : 'unchanged';
  return {
    ...base,
    outcome,
    arn: role.Arn,
    id: role.Arn,
    created,
    ...(changes.length ? { detail: `updated ${changes.join(', ')}` } : {}),
  };
}

/**
 * Puts the role's inline least-privilege policy when it is missing or differs (after ensureRole), and takes
 * away every other permission: a role made from the console's "Simple microservice permissions" template
 * carries attached policies that grant every table of the account.
 */
export async function ensureRolePolicy(ctx: ProvisionContext, roleCreated = false): Promise<StepResult> {
  const { role } = describeStack(ctx);
  const base = { resource: 'role policy', name: role.inlinePolicy.name };
  const wanted = await wantedPolicy(ctx);
  const current = roleCreated ? undefined : await getInlinePolicy(ctx);
  const changes: string[] = [];
  if (!samePolicy(current, wanted)) {
    await send(
      ctx,
      new PutRolePolicyCommand({
        RoleName: role.name,
        PolicyName: role.inlinePolicy.name,
        PolicyDocument: JSON.stringify(wanted),
      }),
      'iam:PutRolePolicy',
    );
    if (current !== undefined) changes.push('updated');
  }
  if (!roleCreated) changes.push(...(await removeOtherPolicies(ctx)));
  const outcome = current === undefined ? 'created' : changes.length ? 'updated' : 'unchanged';
  const removed = changes.filter((c) => c !== 'updated');
  return { ...base, outcome, ...(removed.length ? { detail: `removed ${removed.join(', ')}` } : {}) };
}

/** Deletes the role's other inline policies and detaches the managed ones it should not have; returns what it took away. */
async function removeOtherPolicies(ctx: ProvisionContext): Promise<string[]> {
  const { role } = describeStack(ctx);
  const removed: string[] = [];
  const [inline, attached] = await Promise.all([
    ctx.clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.name })).catch((error: unknown) => {
      throw translateAwsError(error, 'iam:ListRolePolicies');
    }),
    ctx.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.name })).catch((error: unknown) => {
      throw translateAwsError(error, 'iam:ListAttachedRolePolicies');
    }),
  ]);
  for (const PolicyName of inline.PolicyNames ?? []) {
    if (PolicyName === role.inlinePolicy.name) continue;
    await ignoreMissing(
      ctx.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName })),
      'iam:DeleteRolePolicy',
    );
    removed.push(`inline policy ${PolicyName}`);
  }
  for (const policy of attached.AttachedPolicies ?? []) {
    if (policy.PolicyArn !== undefined && role.managedPolicyArns.includes(policy.PolicyArn)) continue;
    await ignoreMissing(
      ctx.clients.iam.send(new DetachRolePolicyCommand({ RoleName: role.name, PolicyArn: policy.PolicyArn })),
      'iam:DetachRolePolicy',
    );
    removed.push(`attached policy ${policy.PolicyName ?? policy.PolicyArn}`);
  }
  return removed;
}

/** Deletes the role's inline and attached policies, then the role. */
export async function removeRole(ctx: ProvisionContext): Promise<StepResult> {
  const stack = describeStack(ctx);
  const RoleName = stack.role.name;
  const base = { resource: 'role', name: RoleName };
  const role = await getRole(ctx);
  if (!role) return { ...base, outcome: 'absent' };
  if (!ctx.force && !isOurs(tagMap(role.Tags), stack)) {
    return { ...base, outcome: 'kept', detail: notOursDetail(stack.stack) };
  }
  try {
    const inline = await ctx.clients.iam.send(new ListRolePoliciesCommand({ RoleName }));
    for (const PolicyName of inline.PolicyNames ?? []) {
      await ignoreMissing(
        ctx.clients.iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })),
        'iam:DeleteRolePolicy',
      );
    }
    const attached = await ctx.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName }));
    for (const policy of attached.AttachedPolicies ?? []) {
      await ignoreMissing(
        ctx.clients.iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: policy.PolicyArn })),
        'iam:DetachRolePolicy',
      );
    }
  } catch (error) {
    if (isNotFound(error)) return { ...base, outcome: 'absent' };
    throw translateAwsError(error, 'iam:ListRolePolicies');
  }
  const gone = await ignoreMissing(ctx.clients.iam.send(new DeleteRoleCommand({ RoleName })), 'iam:DeleteRole');
  await ctx.record('roleArn', undefined);
  return { ...base, outcome: gone ? 'absent' : 'removed' };
}

async function send(ctx: ProvisionContext, command: object, action: string): Promise<void> {
  try {
    await (ctx.clients.iam.send as (c: object) => Promise<unknown>)(command);
  } catch (error) {
    throw translateAwsError(error, action);
  }
}

/** Resolves true when the thing was already gone. */
async function ignoreMissing(call: Promise<unknown>, action: string): Promise<boolean> {
  try {
    await call;
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw translateAwsError(error, action);
  }
}
