/** The function's log group, created and owned by us (with a retention), so that teardown leaves no logs behind. */
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import { errorName, isNotFound, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import { logGroupArn } from './arns.js';
import { whereOf, type ProvisionContext, type StepResult } from './context.js';
import { describeStack } from './description.js';
import { isOurs, notOursDetail, STACK_TAG } from './names.js';
import { readOnce } from './read-once.js';

/** The log group, or undefined when there is none. */
export function getLogGroup(ctx: ProvisionContext): Promise<LogGroup | undefined> {
  return readOnce(ctx.firstReads, 'log group', () => readLogGroup(ctx));
}

async function readLogGroup(ctx: ProvisionContext): Promise<LogGroup | undefined> {
  const { name } = describeStack(ctx).logGroup;
  try {
    const out = await ctx.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
    return out.logGroups?.find((group) => group.logGroupName === name);
  } catch (error) {
    throw translateAwsError(error, 'logs:DescribeLogGroups');
  }
}

/** The log group's tags (empty when it has none or is gone). */
export function logGroupTags(ctx: ProvisionContext): Promise<Record<string, string>> {
  return readOnce(ctx.firstReads, 'log group tags', () => readLogGroupTags(ctx));
}

async function readLogGroupTags(ctx: ProvisionContext): Promise<Record<string, string>> {
  try {
    const out = await ctx.clients.logs.send(
      new ListTagsForResourceCommand({
        resourceArn: logGroupArn(await whereOf(ctx), describeStack(ctx).logGroup.name),
      }),
    );
    return out.tags ?? {};
  } catch (error) {
    if (isNotFound(error)) return {};
    throw translateAwsError(error, 'logs:ListTagsForResource');
  }
}

/** Compares the log group with what setup makes. */
export async function inspectLogGroup(ctx: ProvisionContext): Promise<StepResult> {
  const stack = describeStack(ctx);
  const { name, retentionDays } = stack.logGroup;
  const base = { resource: 'log group', name };
  const group = await getLogGroup(ctx);
  if (!group) return { ...base, outcome: 'missing' };
  const drift: string[] = [];
  if (!isOurs(await logGroupTags(ctx), stack)) drift.push(`not tagged ${STACK_TAG}=${stack.stack}`);
  if (group.retentionInDays !== retentionDays)
    drift.push(`retention ${group.retentionInDays ?? 'never expires'}, not ${retentionDays} days`);
  return {
    ...base,
    outcome: drift.length ? 'drifted' : 'present',
    ...(drift.length ? { detail: drift.join('; ') } : {}),
  };
}

/** Creates the log group with our tags and retention, or brings ours in line. */
export async function ensureLogGroup(ctx: ProvisionContext): Promise<StepResult> {
  const stack = describeStack(ctx);
  const { name, retentionDays } = stack.logGroup;
  const base = { resource: 'log group', name };
  const group = await getLogGroup(ctx);
  let created = false;
  const changes: string[] = [];
  if (!group) {
    try {
      await ctx.clients.logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: stack.tags }));
      created = true;
    } catch (error) {
      if (errorName(error) !== 'ResourceAlreadyExistsException') throw translateAwsError(error, 'logs:CreateLogGroup');
    }
  } else {
    const tags = await logGroupTags(ctx);
    // The console's first invocation of a hand-made function creates this group untagged; --adopt takes it.
    if (!isOurs(tags, stack) && !(ctx.settings.adopt && tags[STACK_TAG] === undefined)) {
      throw new AwsError(
        `a log group named ${name} already exists and is not this stack's (no ${STACK_TAG}=${stack.stack} tag); run setup --adopt to take it over, delete it, or pick other names with --stack NAME`,
      );
    }
    if (Object.entries(stack.tags).some(([k, v]) => tags[k] !== v)) {
      try {
        await ctx.clients.logs.send(
          new TagResourceCommand({ resourceArn: logGroupArn(await whereOf(ctx), name), tags: stack.tags }),
        );
      } catch (error) {
        throw translateAwsError(error, 'logs:TagResource');
      }
      changes.push('tags');
    }
  }
  if (created || group?.retentionInDays !== retentionDays) {
    try {
      await ctx.clients.logs.send(
        new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retentionDays }),
      );
    } catch (error) {
      throw translateAwsError(error, 'logs:PutRetentionPolicy');
    }
    if (!created) changes.push(`retention ${retentionDays} days`);
  }
  if (created) await ctx.record('logGroup', name);
  return {
    ...base,
    outcome: created ? 'created' : changes.length ? 'updated' : 'unchanged',
    ...(changes.length ? { detail: `updated ${changes.join(', ')}` } : {}),
  };
}

/** Deletes the log group (and every log in it). */
export async function removeLogGroup(ctx: ProvisionContext): Promise<StepResult> {
  const stack = describeStack(ctx);
  const { name } = stack.logGroup;
  const base = { resource: 'log group', name };
  const group = await getLogGroup(ctx);
  if (!group) return { ...base, outcome: 'absent' };
  if (!ctx.force && !isOurs(await logGroupTags(ctx), stack)) {
    return { ...base, outcome: 'kept', detail: notOursDetail(stack.stack) };
  }
  try {
    await ctx.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: name }));
  } catch (error) {
    if (isNotFound(error)) return { ...base, outcome: 'absent' };
    throw translateAwsError(error, 'logs:DeleteLogGroup');
  }
  await ctx.record('logGroup', undefined);
  return { ...base, outcome: 'removed' };
}
