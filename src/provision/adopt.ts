/**
 * Resources of our names that are not this stack's: found before setup creates anything, so that a name
 * clash stops setup with nothing made (or, with `--adopt`, so that setup says what it takes over).
 */
import { AwsError } from '../errors.js';
import { getTopic } from './alarm-topic.js';
import { findAlarms } from './alarms.js';
import { findApiKeys, findUsagePlans } from './api-key.js';
import { findRestApis } from './api.js';
import type { ProvisionContext } from './context.js';
import { describeStack } from './description.js';
import { getFunction } from './function.js';
import { getLogGroup, logGroupTags } from './log-group.js';
import { STACK_TAG, tagMap } from './names.js';
import { getRole } from './role.js';
import { describeTableOnce, tableTags } from './table.js';
import { tableContext } from './stack-context.js';

export interface ForeignResource {
  resource: string;
  name: string;
  /** Why `--adopt` cannot take it over (it is tagged for another stack); absent when made by hand. */
  problem?: string;
}

/** Receives the tags of each resource read, for a check that needs them too (who manages the stack). */
export type TagReader = (resource: string, name: string, tags: Record<string, string> | undefined) => void;

/** Every resource of this stack's names that lacks this stack's tag (read calls only, all at once). */
export async function findForeign(ctx: ProvisionContext, seen?: TagReader): Promise<ForeignResource[]> {
  const wanted = describeStack(ctx);
  const { stack } = wanted;
  const check = (resource: string, name: string, tags: Record<string, string> | undefined): ForeignResource[] => {
    seen?.(resource, name, tags);
    const value = tags?.[STACK_TAG];
    if (value === stack) return [];
    return [{ resource, name, ...(value !== undefined ? { problem: `it is tagged for stack ${value}` } : {}) }];
  };
  const table = (async () => {
    const tctx = tableContext(ctx);
    const found = await describeTableOnce(tctx);
    return found?.TableArn ? check('table', wanted.table.name, await tableTags(tctx, found.TableArn)) : [];
  })();
  const role = getRole(ctx).then((r) => (r ? check('role', wanted.role.name, tagMap(r.Tags)) : []));
  const fn = getFunction(ctx).then((f) => (f?.Configuration ? check('function', wanted.function.name, f.Tags) : []));
  const logGroup = getLogGroup(ctx).then(async (g) =>
    g ? check('log group', wanted.logGroup.name, await logGroupTags(ctx)) : [],
  );
  const api = findRestApis(ctx).then(({ ours, others }) => {
    if (ours.length > 0 || others.length === 0) return [];
    const found = others.flatMap((a) => check('REST API', `${wanted.api.name} (${a.id})`, a.tags));
    if (others.length > 1)
      return found.map((f) => ({
        ...f,
        problem: f.problem ?? `${others.length} REST APIs are named ${wanted.api.name}; delete all but one`,
      }));
    return found;
  });
  const usage = wanted.usagePlan.wanted
    ? Promise.all([findUsagePlans(ctx), findApiKeys(ctx)]).then(([plans, keys]) => [
        ...(plans.length && !plans.some((p) => p.tags?.[STACK_TAG] === stack)
          ? [{ resource: 'usage plan', name: wanted.usagePlan.name, problem: 'setup does not take over usage plans' }]
          : []),
        ...(keys.length && !keys.some((k) => k.tags?.[STACK_TAG] === stack)
          ? [{ resource: 'API key', name: wanted.usagePlan.key.name, problem: 'setup does not take over API keys' }]
          : []),
      ])
    : Promise.resolve([]);
  // Alarms and topics are never taken over: one of our names made by someone else stops setup.
  const notTaken = (resource: string, name: string, tags: Record<string, string>): ForeignResource[] =>
    tags[STACK_TAG] === stack
      ? []
      : [{ resource, name, problem: `setup does not take over ${resource === 'alarm' ? 'alarms' : 'topics'}` }];
  const alarms = wanted.alarms.wanted
    ? Promise.all([getTopic(ctx), findAlarms(ctx)]).then(([topic, found]) => [
        ...(topic ? notTaken('alarm topic', wanted.alarms.topic.name, topic.tags) : []),
        ...found.flatMap((a) => notTaken('alarm', a.alarm.AlarmName ?? '', a.tags)),
      ])
    : Promise.resolve([]);
  const found = await Promise.allSettled([table, role, fn, logGroup, api, usage, alarms]);
  const failed = found.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return found.flatMap((r) => (r as PromiseFulfilledResult<ForeignResource[]>).value);
}

/** How a list of resources reads in one line: `table product, role productFunctionRole`. */
export function listResources(found: ForeignResource[]): string {
  return found.map((f) => `${f.resource} ${f.name}`).join(', ');
}

/**
 * Stops setup before its first change when a name is taken by a resource that is not this stack's, naming
 * them all and the way out; with `adopt`, stops only for what cannot be taken over, and returns what will be.
 */
export async function checkNamesFree(ctx: ProvisionContext, seen?: TagReader): Promise<ForeignResource[]> {
  const found = await findForeign(ctx, seen);
  if (found.length === 0) return [];
  if (!ctx.settings.adopt) {
    // --adopt is offered only where it helps: what it cannot take over says why instead.
    const adoptable = found.some((f) => !f.problem);
    const named = found
      .map((f) => `${f.resource} ${f.name}${f.problem && !adoptable ? ` (${f.problem})` : ''}`)
      .join(', ');
    const way = adoptable
      ? `run setup --adopt to take ${found.length === 1 ? 'it' : 'them'} over (setup --adopt --dry-run shows how), or pick`
      : 'delete it or pick';
    throw new AwsError(
      `${named} already ${found.length === 1 ? 'exists' : 'exist'} and ${found.length === 1 ? 'is' : 'are'} not this stack's (no ${STACK_TAG}=${describeStack(ctx).stack} tag); ${way} other names with --stack NAME`,
    );
  }
  const blocked = found.filter((f) => f.problem);
  if (blocked.length > 0) {
    throw new AwsError(
      `setup --adopt cannot take over ${blocked.map((f) => `${f.resource} ${f.name} (${f.problem})`).join(', ')}; nothing was changed`,
    );
  }
  return found;
}
