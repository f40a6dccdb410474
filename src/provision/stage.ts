/** The REST API's stage: a deployment when the API changed, then throttling of every method. */
import { CreateDeploymentCommand, GetStageCommand, UpdateStageCommand, type Stage } from '@aws-sdk/client-api-gateway';
import { isNotFound, translateAwsError } from '../aws/errors.js';
import type { ProvisionContext, StepResult } from './context.js';
import { apigw } from './apigw.js';
import { describeStack, type Throttle } from './description.js';

/** The stage's patch operations for throttling every method (`/*\/*` is API Gateway's "all methods" key). */
export function throttlePatch(throttle: Throttle) {
  return [
    { op: 'replace' as const, path: '/*/*/throttling/rateLimit', value: String(throttle.rateLimit) },
    { op: 'replace' as const, path: '/*/*/throttling/burstLimit', value: String(throttle.burstLimit) },
  ];
}

/** The stage, or undefined when it does not exist. */
export async function getStage(ctx: ProvisionContext, restApiId: string): Promise<Stage | undefined> {
  try {
    return (await ctx.apigateway.send(
      new GetStageCommand({ restApiId, stageName: describeStack(ctx).stage.name }),
    )) as Stage;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'apigateway:GET');
  }
}

/** The stage's throttling of all methods, as API Gateway reports it. */
export function stageThrottle(stage: Stage): { rateLimit?: number; burstLimit?: number } {
  const all = stage.methodSettings?.['*/*'];
  return {
    ...(all?.throttlingRateLimit !== undefined ? { rateLimit: all.throttlingRateLimit } : {}),
    ...(all?.throttlingBurstLimit !== undefined ? { burstLimit: all.throttlingBurstLimit } : {}),
  };
}

/** Deploys the API to the stage when it changed (or has no stage yet), then sets the stage's throttling. */
export async function ensureStage(ctx: ProvisionContext, restApiId: string, apiChanged: boolean): Promise<StepResult> {
  const { name, throttle: wanted, deploymentDescription } = describeStack(ctx).stage;
  const base = { resource: 'stage', name };
  let stage = await getStage(ctx, restApiId);
  let outcome: StepResult['outcome'] = 'unchanged';
  const changes: string[] = [];
  if (!stage || apiChanged || ctx.recorded.apiPendingDeployment) {
    await apigw(
      ctx,
      new CreateDeploymentCommand({ restApiId, stageName: name, description: deploymentDescription }),
      'apigateway:POST',
    );
    await ctx.record('apiPendingDeployment', undefined);
    outcome = stage ? 'updated' : 'created';
    if (stage) changes.push('new deployment');
    stage = undefined;
  }
  const throttle = stage ? stageThrottle(stage) : {};
  if (throttle.rateLimit !== wanted.rateLimit || throttle.burstLimit !== wanted.burstLimit) {
    await apigw(
      ctx,
      new UpdateStageCommand({ restApiId, stageName: name, patchOperations: throttlePatch(wanted) }),
      'apigateway:PATCH',
    );
    if (stage) {
      changes.push(`throttling ${wanted.rateLimit}/s, burst ${wanted.burstLimit}`);
      outcome = 'updated';
    }
  }
  return { ...base, outcome, ...(changes.length ? { detail: changes.join(', ') } : {}) };
}
