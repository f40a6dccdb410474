/** `--api-key`: a usage plan on the stage (with the stage's throttling) and one key in it. */
import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  UpdateUsagePlanCommand,
  type ApiKey,
  type UsagePlan,
} from '@aws-sdk/client-api-gateway';
import { errorName, isNotFound, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import type { ProvisionContext, StepResult } from './context.js';
import { apigw } from './apigw.js';
import { describeStack, type Throttle } from './description.js';
import { isOurs, STACK_TAG } from './names.js';

/** Usage plans with our plan's name. */
export async function findUsagePlans(ctx: ProvisionContext): Promise<UsagePlan[]> {
  const { name } = describeStack(ctx).usagePlan;
  const plans: UsagePlan[] = [];
  let position: string | undefined;
  do {
    const page = await apigw<{ items?: UsagePlan[]; position?: string }>(
      ctx,
      new GetUsagePlansCommand({ limit: 500, position }),
      'apigateway:GET',
    );
    plans.push(...(page.items ?? []).filter((plan) => plan.name === name));
    position = page.position;
  } while (position);
  return plans;
}

/** API keys with our key's name, values included. */
export async function findApiKeys(ctx: ProvisionContext): Promise<ApiKey[]> {
  const { name } = describeStack(ctx).usagePlan.key;
  const keys: ApiKey[] = [];
  let position: string | undefined;
  do {
    const page = await apigw<{ items?: ApiKey[]; position?: string }>(
      ctx,
      new GetApiKeysCommand({ nameQuery: name, includeValues: true, limit: 500, position }),
      'apigateway:GET',
    );
    keys.push(...(page.items ?? []).filter((key) => key.name === name));
    position = page.position;
  } while (position);
  return keys;
}

/**
 * The patch that brings a usage plan to this stage and throttle. Setup sets the plan's throttle at creation;
 * without this, a later `--rate-limit` or `--burst-limit` would change the stage but not the plan, whose
 * limits apply to each key.
 */
export function usagePlanPatch(
  plan: UsagePlan,
  restApiId: string,
  stage: string,
  throttle: Throttle,
): Array<{ op: 'add' | 'replace'; path: string; value: string }> {
  const patch: Array<{ op: 'add' | 'replace'; path: string; value: string }> = [];
  if (!plan.apiStages?.some((s) => s.apiId === restApiId && s.stage === stage))
    patch.push({ op: 'add', path: '/apiStages', value: `${restApiId}:${stage}` });
  if (plan.throttle?.rateLimit !== throttle.rateLimit)
    patch.push({ op: 'replace', path: '/throttle/rateLimit', value: String(throttle.rateLimit) });
  if (plan.throttle?.burstLimit !== throttle.burstLimit)
    patch.push({ op: 'replace', path: '/throttle/burstLimit', value: String(throttle.burstLimit) });
  return patch;
}

/** Creates the usage plan on the stage and the key in it, or completes ours; returns the key's value. */
export async function ensureApiKey(ctx: ProvisionContext, restApiId: string): Promise<StepResult & { value: string }> {
  const stack = describeStack(ctx);
  const { usagePlan } = stack;
  const stageName = stack.stage.name;
  const base = { resource: 'API key', name: usagePlan.key.name };
  let created = false;
  const changes: string[] = [];
  const plans = await findUsagePlans(ctx);
  let plan = plans.find((p) => isOurs(p.tags, stack));
  if (!plan && plans.length > 0) {
    throw new AwsError(
      `a usage plan named ${usagePlan.name} exists and is not this stack's (no ${STACK_TAG}=${stack.stack} tag); pick other names with --stack NAME`,
    );
  }
  const stageRef = { apiId: restApiId, stage: stageName };
  if (!plan) {
    plan = await apigw<UsagePlan>(
      ctx,
      new CreateUsagePlanCommand({
        name: usagePlan.name,
        description: usagePlan.description,
        apiStages: [stageRef],
        throttle: { ...usagePlan.throttle },
        tags: stack.tags,
      }),
      'apigateway:POST',
    );
    created = true;
  } else {
    const patch = usagePlanPatch(plan, restApiId, stageName, usagePlan.throttle);
    // UpdateUsagePlan is limited to one call per 20 s per account: every change goes in one call.
    if (patch.length > 0) {
      await apigw(
        ctx,
        new UpdateUsagePlanCommand({ usagePlanId: plan.id, patchOperations: patch }),
        'apigateway:PATCH',
      );
      changes.push(
        ...patch.map((op) =>
          op.path === '/apiStages' ? `stage ${stageName}` : `${op.path.slice('/throttle/'.length)} ${op.value}`,
        ),
      );
    }
  }
  if (!plan.id) throw new AwsError('API Gateway did not return the usage plan id; run setup again');
  await ctx.record('usagePlanId', plan.id);
  const keys = await findApiKeys(ctx);
  let key = keys.find((k) => isOurs(k.tags, stack));
  if (!key) {
    key = await apigw<ApiKey>(ctx, new CreateApiKeyCommand({ ...usagePlan.key, tags: stack.tags }), 'apigateway:POST');
    created = true;
  }
  if (!key.id || !key.value) throw new AwsError('API Gateway did not return the API key; run setup again');
  await ctx.record('apiKeyId', key.id);
  const members = await apigw<{ items?: Array<{ id?: string }> }>(
    ctx,
    new GetUsagePlanKeysCommand({ usagePlanId: plan.id, limit: 500 }),
    'apigateway:GET',
  );
  if (!members.items?.some((m) => m.id === key.id)) {
    try {
      await ctx.apigateway.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
      );
    } catch (error) {
      if (errorName(error) !== 'ConflictException') throw translateAwsError(error, 'apigateway:POST');
    }
  }
  const outcome = created ? 'created' : changes.length ? 'updated' : 'unchanged';
  return {
    ...base,
    outcome,
    id: key.id,
    value: key.value,
    ...(changes.length && !created ? { detail: `usage plan ${changes.join(', ')}` } : {}),
  };
}

/** Detaches the usage plan from its stages and deletes it, then deletes the key (both only when ours). */
export async function removeApiKey(ctx: ProvisionContext): Promise<StepResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'API key', name: stack.usagePlan.key.name };
  const plans = (await findUsagePlans(ctx)).filter((p) => ctx.force || isOurs(p.tags, stack));
  const keys = (await findApiKeys(ctx)).filter((k) => ctx.force || isOurs(k.tags, stack));
  if (plans.length === 0 && keys.length === 0) return { ...base, outcome: 'absent' };
  for (const plan of plans) {
    // DeleteUsagePlan refuses while API stages are associated; detach them first.
    for (const stage of plan.apiStages ?? []) {
      try {
        await ctx.apigateway.send(
          new UpdateUsagePlanCommand({
            usagePlanId: plan.id,
            patchOperations: [{ op: 'remove', path: '/apiStages', value: `${stage.apiId}:${stage.stage}` }],
          }),
        );
      } catch (error) {
        if (!isNotFound(error) && errorName(error) !== 'BadRequestException')
          throw translateAwsError(error, 'apigateway:PATCH');
      }
    }
    try {
      await ctx.apigateway.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id }));
    } catch (error) {
      if (!isNotFound(error)) throw translateAwsError(error, 'apigateway:DELETE');
    }
  }
  for (const key of keys) {
    try {
      await ctx.apigateway.send(new DeleteApiKeyCommand({ apiKey: key.id }));
    } catch (error) {
      if (!isNotFound(error)) throw translateAwsError(error, 'apigateway:DELETE');
    }
  }
  await ctx.record('usagePlanId', undefined);
  await ctx.record('apiKeyId', undefined);
  return { ...base, outcome: 'removed', detail: `usage plan ${stack.usagePlan.name} and key` };
}
