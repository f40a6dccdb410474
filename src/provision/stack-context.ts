/** The table step's context, built from the provisioning context (the table module also serves the local stack). */
import type { ProvisionContext } from './context.js';
import { describeStack } from './description.js';
import type { TableContext } from './table.js';

/** The table step's context, from the provisioning context. */
export function tableContext(ctx: ProvisionContext): TableContext {
  const stack = describeStack(ctx);
  return {
    dynamodb: ctx.clients.dynamodb,
    tableName: stack.table.name,
    tags: stack.tags,
    stack: stack.stack,
    force: ctx.force,
    clock: ctx.clock,
    maxWaitSeconds: Math.round(ctx.waits.tableActiveMs / 1000),
    pollMs: ctx.waits.tablePollMs,
    pitr: stack.table.pointInTimeRecovery,
    adopt: ctx.settings.adopt,
    ...(ctx.firstReads ? { firstReads: ctx.firstReads } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}
