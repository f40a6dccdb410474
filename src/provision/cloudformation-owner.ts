/**
 * Whether CloudFormation owns the stack: after a hand-over (`template --import`, then `deploy`), its resources
 * carry CloudFormation's `aws:cloudformation:stack-name` tag or our managed-by tag saying `cloudformation`.
 * setup and teardown then refuse, since a change made beside CloudFormation is drift it would undo or trip on.
 */
import { AwsError } from '../errors.js';
import type { ProvisionContext } from './context.js';
import { describeStack } from './description.js';
import { getFunction } from './function.js';
import { getLogGroup, logGroupTags } from './log-group.js';
import { CLOUDFORMATION_MANAGER, MANAGED_BY_TAG } from './names.js';
import { tableContext } from './stack-context.js';
import { describeTable, tableTags } from './table.js';

/** The tag CloudFormation puts on every resource of a stack it manages. */
export const CLOUDFORMATION_STACK_TAG = 'aws:cloudformation:stack-name';

export interface CloudFormationOwner {
  resource: string;
  name: string;
  /** The CloudFormation stack, when the resource names it. */
  cloudFormationStack?: string;
}

/** The resource as CloudFormation's, when its tags say so. */
export function ownerOf(
  resource: string,
  name: string,
  tags: Record<string, string> | undefined,
): CloudFormationOwner | undefined {
  const stack = tags?.[CLOUDFORMATION_STACK_TAG];
  if (stack !== undefined) return { resource, name, cloudFormationStack: stack };
  return tags?.[MANAGED_BY_TAG] === CLOUDFORMATION_MANAGER ? { resource, name } : undefined;
}

/**
 * The first resource of the stack that CloudFormation owns, or undefined (read calls only, all at once). The table,
 * the function and the log group tell; every resource of the template carries the same tags.
 */
export async function findCloudFormationOwner(ctx: ProvisionContext): Promise<CloudFormationOwner | undefined> {
  const stack = describeStack(ctx);
  const tctx = tableContext(ctx);
  const found = await Promise.all([
    describeTable(tctx).then(async (t) =>
      t?.TableArn ? ownerOf('table', stack.table.name, await tableTags(tctx, t.TableArn)) : undefined,
    ),
    getFunction(ctx).then((f) => (f?.Configuration ? ownerOf('function', stack.function.name, f.Tags) : undefined)),
    getLogGroup(ctx).then(async (g) =>
      g ? ownerOf('log group', stack.logGroup.name, await logGroupTags(ctx)) : undefined,
    ),
  ]);
  return found.find((owner) => owner !== undefined);
}

/** Refuses to change a stack that CloudFormation owns, saying why and what to do instead. */
export async function refuseCloudFormationStack(
  ctx: ProvisionContext,
  command: 'setup' | 'teardown',
  owner?: CloudFormationOwner,
): Promise<void> {
  const found = owner ?? (await findCloudFormationOwner(ctx));
  if (!found) return;
  const by = found.cloudFormationStack ? `CloudFormation stack ${found.cloudFormationStack}` : 'CloudFormation';
  const instead =
    command === 'setup'
      ? 'change the template and run aws cloudformation deploy'
      : 'delete it with aws cloudformation delete-stack (the table is kept: its DeletionPolicy is Retain)';
  throw new AwsError(
    `${command} leaves stack ${ctx.names.stack} alone: its ${found.resource} ${found.name} is managed by ${by}, and a change made beside it would be drift; ${instead}`,
  );
}
