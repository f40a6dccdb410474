/**
 * The whole stack as three short lists of awaited steps: set up, inspect, remove. Independent steps run
 * concurrently; each dependency is an explicit `await` of the step it needs.
 */
import { settleAll } from '../aws/retry.js';
import { ensureAlarms, inspectAlarms, removeAlarms } from './alarms.js';
import { checkNamesFree, listResources, type ForeignResource } from './adopt.js';
import { ownerOf, refuseCloudFormationStack, type CloudFormationOwner } from './cloudformation-owner.js';
import { roleArn as buildRoleArn, invokeUrl, tableArn } from './arns.js';
import { ensureApiKey, findApiKeys, findUsagePlans, removeApiKey, usagePlanPatch } from './api-key.js';
import { ensureRestApi, inspectRestApi, removeRestApi } from './api.js';
import { ensureStage } from './stage.js';
import { whereOf, type ProvisionContext, type StepResult } from './context.js';
import { ensureCors, inspectCors } from './cors-methods.js';
import { describeStack } from './description.js';
import { ensureFunction, inspectFunction, removeFunction } from './function.js';
import { ensureLogGroup, inspectLogGroup, removeLogGroup } from './log-group.js';
import { isOurs, STACK_TAG } from './names.js';
import { inspectPermission, ensurePermission, permissionName, removeUnqualifiedPermission } from './permission.js';
import { ensureLiveAlias, inspectLiveAlias } from './alias.js';
import type { Progress } from './progress.js';
import { ensureRole, ensureRolePolicy, inspectRole, removeRole } from './role.js';
import { describeTable, ensureTable, pointInTimeRecovery, removeTable, tableDrift, tableTags } from './table.js';
import { tableContext } from './stack-context.js';

export { tableContext } from './stack-context.js';

export interface SetupOutcome {
  steps: StepResult[];
  /** Resources made without products-cli that setup took over (`--adopt`). */
  adopted: ForeignResource[];
  apiId: string;
  url: string;
  apiKey?: string;
}

/**
 * Sets up (or completes, or corrects) the stack:
 * table ∥ role (→ its policy; → function) ∥ log group ∥ REST API → stage (→ usage plan and key);
 * function + API → permission. The function's read starts at once; only its creation waits for the role.
 */
export async function provisionStack(ctx: ProvisionContext, progress: Progress): Promise<SetupOutcome> {
  // Every name is checked before the first change, so a clash never leaves half a stack behind.
  // A stack that CloudFormation owns is refused, from the tags the same reads give.
  let owner: CloudFormationOwner | undefined;
  // The check's answers are kept for each step's first read, so that setup reads every resource once.
  ctx.firstReads = { keeping: true, answers: new Map() };
  const adopted = await checkNamesFree(ctx, (resource, name, tags) => (owner ??= ownerOf(resource, name, tags)));
  ctx.firstReads.keeping = false;
  if (owner) await refuseCloudFormationStack(ctx, 'setup', owner);
  if (adopted.length > 0)
    ctx.note(
      `taking over ${listResources(adopted)} (made without products-cli; tagging and correcting them, keeping the table's items)`,
    );
  const account = ctx.accountId();
  const stack = describeStack(ctx);
  const table = progress.step(`table ${stack.table.name}`, async () => {
    const { outcome, table: description, detail } = await ensureTable(tableContext(ctx));
    const arn = description.TableArn ?? tableArn(await whereOf(ctx), stack.table.name);
    if (outcome !== 'unchanged' || ctx.recorded.tableArn !== arn) await ctx.record('tableArn', arn);
    // Status reads the choice back, so that a table set up with --no-pitr does not read as drifted.
    const pitr = stack.table.pointInTimeRecovery;
    if (pitr === (ctx.recorded.pitr === 'off')) await ctx.record('pitr', pitr ? undefined : 'off');
    return {
      resource: 'table',
      name: stack.table.name,
      outcome,
      id: arn,
      ...(detail ? { detail } : {}),
    } satisfies StepResult;
  });
  const role = progress.step(`role ${stack.role.name}`, () => ensureRole(ctx));
  const rolePolicy = role.then((r) =>
    progress.step(`role policy ${stack.role.inlinePolicy.name}`, () => ensureRolePolicy(ctx, r.created)),
  );
  const logGroup = progress.step(`log group ${stack.logGroup.name}`, () => ensureLogGroup(ctx));
  // The API's id reaches the permission step as soon as it is known; the API waits for that step (the
  // alias and its permission) only before it switches an existing integration to the alias.
  let found: (apiId: string) => void = () => undefined;
  let lost: (error: unknown) => void = () => undefined;
  const apiIdKnown = new Promise<string>((resolve, reject) => {
    found = resolve;
    lost = reject;
  });
  let permission: Promise<StepResult> | undefined;
  const api = progress.step(`REST API ${stack.api.name}`, () =>
    ensureRestApi(ctx, { found, beforeSwitch: () => permission as Promise<StepResult> }),
  );
  api.catch(lost);
  // The function step starts now (its read needs no role) and creates the function as soon as the role exists.
  const roleArn = role.then((r) => r.arn);
  // The function step awaits this only after its own reads; a role failure meanwhile must not go unhandled
  // (Node would end the process). The failure is reported through the role step.
  roleArn.catch(() => undefined);
  const fn = progress.step(`function ${stack.function.name}`, () => ensureFunction(ctx, roleArn));
  // What $LATEST holds goes out as a new version; the alias moves to it only once it is published.
  const alias = fn.then(() => progress.step(`alias ${stack.function.alias.name}`, () => ensureLiveAlias(ctx)));
  permission = Promise.all([alias, apiIdKnown]).then(([, id]) =>
    progress.step('invoke permission', () => ensurePermission(ctx, id)),
  );
  // CORS changes the API too, so it goes between the API and its deployment.
  const cors = api.then((a) => progress.step('CORS', () => ensureCors(ctx, a.apiId, a.outcome === 'created')));
  const stage = Promise.all([api, cors]).then(([a, c]) =>
    progress.step(`stage ${stack.stage.name}`, () => ensureStage(ctx, a.apiId, a.changed || c.changed)),
  );
  const key = stack.usagePlan.wanted
    ? Promise.all([api, stage]).then(([a]) => progress.step('API key', () => ensureApiKey(ctx, a.apiId)))
    : undefined;
  // The statements an earlier products-cli granted on the unqualified function go once the stage invokes the alias.
  const unqualified = Promise.all([api, stage, permission]).then(([a]) =>
    progress.step('unqualified invoke permission', () => removeUnqualifiedPermission(ctx, a.apiId)),
  );
  // The alarms watch metrics by the resources' names, so they need none of the resources to exist.
  const alarms = ensureAlarms(ctx, (label, run) => progress.step(label, run));
  const all: Array<Promise<StepResult>> = [
    table,
    role,
    rolePolicy,
    logGroup,
    api,
    cors,
    fn,
    alias,
    permission,
    stage,
    unqualified,
    ...(key ? [key] : []),
  ];
  await settleAll([account, alarms, ...all]);
  // Without CORS, the step is reported only when it removed an earlier configuration.
  // An unqualified permission is reported only when there was one to remove.
  const steps = [...(await settleAll(all)), ...(await alarms)].filter(
    (s) => !s.unreported && !(s.resource === 'permission' && s.outcome === 'absent'),
  );
  const { apiId } = await api;
  const url = invokeUrl(ctx.region, apiId, stack.stage.name, ctx.endpointUrl);
  return { steps, apiId, url, adopted, ...(key ? { apiKey: (await key).value } : {}) };
}

/** Each resource as it is now: present, missing or drifted (read calls only; the dry run and status use it). */
export async function inspectStack(
  ctx: ProvisionContext,
): Promise<{ steps: StepResult[]; apiId?: string; url?: string }> {
  const where = await whereOf(ctx);
  const stack = describeStack(ctx);
  const tableStep = (async (): Promise<StepResult> => {
    const base = { resource: 'table', name: stack.table.name };
    const tctx = tableContext(ctx);
    const table = await describeTable(tctx);
    if (!table) return { ...base, outcome: 'missing' };
    const tags = table.TableArn ? await tableTags(tctx, table.TableArn) : {};
    const drift = tableDrift(table, tags, stack.tags);
    const problems = [...drift.fatal, ...drift.fixable];
    if (tags[STACK_TAG] !== stack.stack) problems.unshift(`not tagged ${STACK_TAG}=${stack.stack}`);
    if (table.TableStatus !== 'ACTIVE') problems.push(`status ${table.TableStatus}`);
    const pitr = table.TableStatus === 'ACTIVE' ? await pointInTimeRecovery(tctx) : undefined;
    const pitrWanted = ctx.recorded.pitr !== 'off';
    if (pitrWanted && pitr !== undefined && pitr !== 'ENABLED') problems.push('point-in-time recovery off');
    const note =
      pitr === 'ENABLED'
        ? 'point-in-time recovery on'
        : pitr && !pitrWanted
          ? 'point-in-time recovery off (--no-pitr)'
          : undefined;
    const detail = problems.length ? problems.join('; ') : note;
    return { ...base, outcome: problems.length ? 'drifted' : 'present', ...(detail ? { detail } : {}) };
  })();
  const apiStep = inspectRestApi(ctx);
  const roleStep = inspectRole(ctx);
  // The role's own ARN carries its path (a console-made role lives under /service-role/).
  const functionStep = roleStep.then((r) =>
    inspectFunction(ctx, r.role?.Arn ?? buildRoleArn(where, stack.function.role)),
  );
  const aliasStep = functionStep.then((f) =>
    f.outcome === 'missing'
      ? { resource: 'alias', name: `${stack.function.name}:${stack.function.alias.name}`, outcome: 'missing' as const }
      : inspectLiveAlias(ctx),
  );
  const [table, role, logGroup, fn, alias, api] = await Promise.all([
    tableStep,
    roleStep,
    inspectLogGroup(ctx),
    functionStep,
    aliasStep,
    apiStep,
  ]);
  const steps: StepResult[] = [table, role, logGroup, fn, alias, api];
  if (api.apiId && fn.outcome !== 'missing') steps.push(await inspectPermission(ctx, api.apiId));
  else steps.push({ resource: 'permission', name: permissionName(stack), outcome: 'missing' });
  if (api.apiId && stack.api.cors) steps.push(await inspectCors(ctx, api.apiId));
  if (stack.usagePlan.wanted || ctx.recorded.apiKeyId) {
    const [plans, keys] = await Promise.all([findUsagePlans(ctx), findApiKeys(ctx)]);
    const plan = plans.find((p) => isOurs(p.tags, stack));
    const ours = Boolean(plan) && keys.some((k) => isOurs(k.tags, stack));
    const drift = plan && api.apiId ? usagePlanPatch(plan, api.apiId, stack.stage.name, stack.usagePlan.throttle) : [];
    const detail = drift
      .map((op) =>
        op.path === '/apiStages'
          ? `usage plan not on stage ${stack.stage.name}`
          : `usage plan ${op.path.slice('/throttle/'.length)} not ${op.value}`,
      )
      .join('; ');
    steps.push({
      resource: 'API key',
      name: stack.usagePlan.key.name,
      outcome: !ours ? 'missing' : detail ? 'drifted' : 'present',
      ...(ours && detail ? { detail } : {}),
    });
  }
  steps.push(...(await inspectAlarms(ctx)));
  return {
    steps,
    ...(api.apiId
      ? { apiId: api.apiId, url: invokeUrl(ctx.region, api.apiId, stack.stage.name, ctx.endpointUrl) }
      : {}),
  };
}

/**
 * Removes the stack. Dependants go first: the usage plan before the API (it references the stage), the
 * function before its role and its log group (an invocation in between would recreate the group). The
 * table does not depend on anything and goes meanwhile.
 */
export async function removeStack(
  ctx: ProvisionContext,
  progress: Progress,
  knownTable?: Parameters<typeof removeTable>[1],
): Promise<StepResult[]> {
  const stack = describeStack(ctx);
  const key = progress.step('API key', () => removeApiKey(ctx));
  const api = key.then(() => progress.step(`REST API ${stack.api.name}`, () => removeRestApi(ctx)));
  const fn = progress.step(`function ${stack.function.name}`, () => removeFunction(ctx));
  const logGroup = fn.then(() => progress.step(`log group ${stack.logGroup.name}`, () => removeLogGroup(ctx)));
  // A function that stays keeps its role: without it, the function could no longer run.
  const role = fn.then((f) =>
    progress.step(`role ${stack.role.name}`, async () =>
      f.outcome === 'kept'
        ? ({
            resource: 'role',
            name: stack.role.name,
            outcome: 'kept',
            detail: `function ${stack.function.name} is kept and runs as this role`,
          } satisfies StepResult)
        : removeRole(ctx),
    ),
  );
  const table = progress.step(`table ${stack.table.name}`, async (): Promise<StepResult> => {
    const result = await removeTable(tableContext(ctx), knownTable);
    if (result.outcome === 'removed' || result.outcome === 'absent') await ctx.record('tableArn', undefined);
    return { resource: 'table', name: stack.table.name, ...result };
  });
  const alarms = progress.step('alarms', async () => {
    const steps = await removeAlarms(ctx);
    const removed = steps.filter((s) => s.outcome === 'removed').length;
    return {
      resource: 'alarms',
      name: stack.alarms.topic.name,
      outcome: removed ? 'removed' : 'absent',
      steps,
      unreported: steps.every((s) => s.outcome === 'absent'),
    } as const;
  });
  const [rest, alarmSteps] = await Promise.all([
    settleAll<StepResult[]>([api, fn, logGroup, role, key, table]),
    alarms.then((a) => a.steps.filter((s) => s.outcome !== 'absent')),
  ]);
  return [...rest, ...alarmSteps];
}
