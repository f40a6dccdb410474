/** The Lambda function: created from dist/handler.zip once the role can be assumed, updated when it differs. */
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListTagsCommand,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
  type GetFunctionCommandOutput,
} from '@aws-sdk/client-lambda';
import { errorName, isNotFound, translateAwsError } from '../aws/errors.js';
import { waitFor } from '../aws/retry.js';
import { AwsError } from '../errors.js';
import { functionArn } from './arns.js';
import { whereOf, type ProvisionContext, type StepResult } from './context.js';
import { describeStack, type StackInput } from './description.js';
import { isOurs, notOursDetail, STACK_TAG } from './names.js';
import { CORS_ORIGINS_ENV } from '../contract/cors.js';
import { readOnce } from './read-once.js';
import { codeSha256 } from './version-description.js';

export { codeSha256 };

/** The configuration setup gives the function. */
export function wantedConfiguration(input: StackInput, roleArn: string) {
  const fn = describeStack(input).function;
  return {
    FunctionName: fn.name,
    Runtime: fn.runtime,
    Handler: fn.handler,
    Role: roleArn,
    MemorySize: fn.memoryMb,
    Timeout: fn.timeoutSeconds,
    Environment: { Variables: { ...fn.environment } },
    LoggingConfig: { LogFormat: fn.logging.format, LogGroup: fn.logging.logGroup },
  };
}

/** The fields of the function's configuration that differ from what setup makes. */
export function configurationDrift(
  config: FunctionConfiguration,
  wanted: ReturnType<typeof wantedConfiguration>,
): string[] {
  const drift: string[] = [];
  if (config.Runtime !== wanted.Runtime) drift.push(`runtime ${config.Runtime}`);
  if (config.Handler !== wanted.Handler) drift.push(`handler ${config.Handler}`);
  if (config.Role !== wanted.Role) drift.push('role');
  if (config.MemorySize !== wanted.MemorySize) drift.push(`memory ${config.MemorySize} MB`);
  if (config.Timeout !== wanted.Timeout) drift.push(`timeout ${config.Timeout} s`);
  if (config.Environment?.Variables?.TABLE_NAME !== wanted.Environment.Variables.TABLE_NAME) drift.push('TABLE_NAME');
  if (
    (config.Environment?.Variables?.[CORS_ORIGINS_ENV] ?? '') !== (wanted.Environment.Variables[CORS_ORIGINS_ENV] ?? '')
  )
    drift.push(CORS_ORIGINS_ENV);
  // Emulators may not report LoggingConfig; only a reported, different value is drift.
  if (
    config.LoggingConfig &&
    (config.LoggingConfig.LogFormat !== wanted.LoggingConfig.LogFormat ||
      (config.LoggingConfig.LogGroup && config.LoggingConfig.LogGroup !== wanted.LoggingConfig.LogGroup))
  ) {
    drift.push('logging config');
  }
  return drift;
}

/**
 * The function with its tags, or undefined when there is none. GetFunction returns the tags only to a caller
 * allowed lambda:ListTags, and a TagsError instead otherwise: then the tags are read with ListTags, and a
 * refusal names that action, rather than taking our own function for a foreign one.
 */
export function getFunction(ctx: ProvisionContext): Promise<GetFunctionCommandOutput | undefined> {
  return readOnce(ctx.firstReads, 'function', () => readFunction(ctx));
}

async function readFunction(ctx: ProvisionContext): Promise<GetFunctionCommandOutput | undefined> {
  let out: GetFunctionCommandOutput;
  try {
    out = await ctx.clients.lambda.send(new GetFunctionCommand({ FunctionName: describeStack(ctx).function.name }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'lambda:GetFunction');
  }
  if (out.Tags !== undefined || !out.TagsError || !out.Configuration?.FunctionArn) return out;
  try {
    const listed = await ctx.clients.lambda.send(new ListTagsCommand({ Resource: out.Configuration.FunctionArn }));
    return { ...out, Tags: listed.Tags ?? {} };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'lambda:ListTags');
  }
}

/** Compares the function with what setup makes, code included. */
export async function inspectFunction(ctx: ProvisionContext, roleArn: string): Promise<StepResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'function', name: stack.function.name };
  const fn = await getFunction(ctx);
  if (!fn?.Configuration) return { ...base, outcome: 'missing' };
  const drift: string[] = [];
  if (!isOurs(fn.Tags, stack)) drift.push(`not tagged ${STACK_TAG}=${stack.stack}`);
  drift.push(...configurationDrift(fn.Configuration, wantedConfiguration(ctx, roleArn)));
  if (!fn.Configuration.Architectures?.includes(stack.function.architecture))
    drift.push(`architecture ${fn.Configuration.Architectures?.join(',')}`);
  if (fn.Configuration.CodeSha256 !== codeSha256(await ctx.code()))
    drift.push('code differs from dist/handler.zip (run deploy)');
  // Inactive is an idle function whose resources Lambda reclaimed; the next invoke wakes it, and setup accepts it.
  if (fn.Configuration.State && fn.Configuration.State !== 'Active' && fn.Configuration.State !== 'Inactive')
    drift.push(`state ${fn.Configuration.State}`);
  return {
    ...base,
    outcome: drift.length ? 'drifted' : 'present',
    id: fn.Configuration.FunctionArn ?? '',
    ...(drift.length ? { detail: drift.join('; ') } : {}),
  };
}

/** The error Lambda gives while a new role has not yet propagated through IAM. */
function isRoleNotReady(error: unknown): boolean {
  // AWS gives no dedicated error code for this; InvalidParameterValueException covers many mistakes, so the
  // message is the only way to tell propagation apart.
  return (
    errorName(error) === 'InvalidParameterValueException' &&
    /role defined for the function cannot be assumed/i.test((error as Error).message ?? '')
  );
}

/**
 * Creates the function, retrying while IAM propagates a new role ("waiting for IAM"), or updates an existing
 * one of ours whose configuration or code differs; then waits until it is Active and its update is done.
 */
export async function ensureFunction(ctx: ProvisionContext, role: string | Promise<string>): Promise<StepResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'function', name: stack.function.name };
  // Read the function while the role is still being made: only the creation needs the role.
  const [zip, existing] = await Promise.all([ctx.code(), getFunction(ctx)]);
  const wanted = wantedConfiguration(ctx, await role);
  let outcome: StepResult['outcome'] = 'unchanged';
  const changes: string[] = [];
  if (!existing?.Configuration) {
    await createWithRoleRetry(ctx, wanted, zip);
    outcome = 'created';
    await ctx.record('functionArn', functionArn(await whereOf(ctx), stack.function.name));
  } else {
    if (!isOurs(existing.Tags, stack) && !(ctx.settings.adopt && existing.Tags?.[STACK_TAG] === undefined)) {
      throw new AwsError(
        `a Lambda function named ${stack.function.name} already exists and is not this stack's (no ${STACK_TAG}=${stack.stack} tag); run setup --adopt to take it over, or pick other names with --stack NAME`,
      );
    }
    const config = existing.Configuration;
    // Each update waits for the one before: Lambda refuses a change while LastUpdateStatus is InProgress.
    if (Object.entries(stack.tags).some(([k, v]) => existing.Tags?.[k] !== v) && config.FunctionArn) {
      await updateFunction(
        ctx,
        new TagResourceCommand({ Resource: config.FunctionArn, Tags: stack.tags }),
        'lambda:TagResource',
      );
      changes.push('tags');
    }
    const drift = configurationDrift(config, wanted);
    if (drift.length > 0) {
      await updateFunction(ctx, new UpdateFunctionConfigurationCommand(wanted), 'lambda:UpdateFunctionConfiguration');
      changes.push(...drift);
    }
    const archDiffers = !config.Architectures?.includes(stack.function.architecture);
    if (config.CodeSha256 !== codeSha256(zip) || archDiffers) {
      await updateFunction(
        ctx,
        new UpdateFunctionCodeCommand({
          FunctionName: stack.function.name,
          ZipFile: zip,
          Architectures: [stack.function.architecture],
        }),
        'lambda:UpdateFunctionCode',
      );
      changes.push(archDiffers ? 'architecture' : 'code');
    }
    if (changes.length) outcome = 'updated';
    if (ctx.recorded.functionArn !== config.FunctionArn && config.FunctionArn)
      await ctx.record('functionArn', config.FunctionArn);
  }
  const ready = await waitForFunctionReady(ctx, outcome === 'unchanged' ? { earlierUpdateFailed: 'accept' } : {});
  return {
    ...base,
    outcome,
    id: ready.FunctionArn ?? '',
    ...(changes.length ? { detail: `updated ${changes.join(', ')}` } : {}),
  };
}

/**
 * The pause before the next CreateFunction while IAM propagates, from the time waited so far: every half
 * second for the first 15 s (propagation usually takes 5-10 s), then growing with the wait, up to 5 s. It
 * depends on elapsed time, not on the attempt count, because a CreateFunction carrying the zip itself takes
 * hundreds of milliseconds.
 */
export function rolePropagationDelay(elapsedMs: number): number {
  if (elapsedMs < 15_000) return 500;
  return Math.min(5_000, Math.round(500 + (elapsedMs - 15_000) / 4));
}

/** Lambda's TooManyRequestsException carries Retry-After as `retryAfterSeconds`; the wait it asks for, in ms. */
export function retryAfterMs(error: unknown, fallbackMs: number): number {
  const seconds = Number((error as { retryAfterSeconds?: string }).retryAfterSeconds);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallbackMs;
}

async function createWithRoleRetry(
  ctx: ProvisionContext,
  wanted: ReturnType<typeof wantedConfiguration>,
  zip: Uint8Array,
): Promise<void> {
  const stack = describeStack(ctx);
  const started = ctx.clock.now();
  let told = false;
  for (;;) {
    let wait: number;
    try {
      await ctx.clients.lambda.send(
        new CreateFunctionCommand({
          ...wanted,
          Code: { ZipFile: zip },
          Architectures: [stack.function.architecture],
          PackageType: stack.function.packageType,
          Description: stack.function.description,
          Tags: stack.tags,
        }),
      );
      return;
    } catch (error) {
      if (errorName(error) === 'ResourceConflictException') return; // another run created it meanwhile
      const waited = ctx.clock.now() - started;
      // Lambda throttles the control plane per account; while we are waiting for IAM anyway, that is a
      // reason to wait as long as it asks, not to give up.
      if (errorName(error) === 'TooManyRequestsException')
        wait = Math.max(retryAfterMs(error, 1_000), rolePropagationDelay(waited));
      else if (isRoleNotReady(error)) wait = rolePropagationDelay(waited);
      else throw translateAwsError(error, 'lambda:CreateFunction');
      if (waited + wait > ctx.waits.rolePropagationMs) {
        throw new AwsError(
          `Lambda still cannot assume role ${stack.role.name} after ${Math.round(waited / 1000)} s; IAM may be slow today (run setup again), or the role's trust policy was changed`,
          { cause: error },
        );
      }
      if (!told) ctx.note(`waiting for IAM to make role ${stack.role.name} usable by Lambda…`);
      told = true;
    }
    await ctx.clock.sleep(wait, ctx.signal);
  }
}

/**
 * Waits until the function is Active and no update is in progress; reports Failed states clearly. An earlier
 * update that failed does not block the next one (Lambda accepts it, keeping the last good configuration), so
 * before an update, and when nothing was changed, `earlierUpdateFailed: 'accept'` lets it pass.
 */
export async function waitForFunctionReady(
  ctx: ProvisionContext,
  options: { earlierUpdateFailed?: 'accept' } = {},
): Promise<FunctionConfiguration> {
  const name = describeStack(ctx).function.name;
  return waitFor(
    `function ${name} to become Active`,
    async () => {
      let config: FunctionConfiguration;
      try {
        config = await ctx.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      } catch (error) {
        throw translateAwsError(error, 'lambda:GetFunctionConfiguration');
      }
      if (config.State === 'Failed')
        throw new AwsError(`function ${name} failed to start: ${config.StateReason ?? 'no reason given'}`);
      if (config.LastUpdateStatus === 'Failed' && options.earlierUpdateFailed !== 'accept')
        throw new AwsError(
          `the last update of function ${name} failed: ${config.LastUpdateStatusReason ?? 'no reason given'}`,
        );
      const active = config.State === undefined || config.State === 'Active' || config.State === 'Inactive';
      return active && config.LastUpdateStatus !== 'InProgress' ? config : undefined;
    },
    {
      clock: ctx.clock,
      timeoutMs: ctx.waits.functionActiveMs,
      intervalMs: ctx.waits.functionPollMs,
      hint: 'check the function in the Lambda console',
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
  );
}

/** Uploads the bundle when its SHA-256 differs from the function's CodeSha256, then waits for the update. */
export async function deployCode(
  ctx: ProvisionContext,
): Promise<StepResult & { sha256: string; previousSha256?: string }> {
  const stack = describeStack(ctx);
  const base = { resource: 'function', name: stack.function.name };
  const zip = await ctx.code();
  const sha256 = codeSha256(zip);
  const fn = await getFunction(ctx);
  if (!fn?.Configuration)
    throw new AwsError(`function ${stack.function.name} does not exist; run products-cli setup first`);
  if (!isOurs(fn.Tags, stack) && !ctx.force) {
    throw new AwsError(
      `function ${stack.function.name} is not this stack's (no ${STACK_TAG}=${stack.stack} tag); --force deploys to it anyway`,
    );
  }
  const previousSha256 = fn.Configuration.CodeSha256;
  if (previousSha256 === sha256)
    return {
      ...base,
      outcome: 'unchanged',
      sha256,
      ...(previousSha256 ? { previousSha256 } : {}),
      detail: 'code is already up to date',
    };
  await updateFunction(
    ctx,
    new UpdateFunctionCodeCommand({
      FunctionName: stack.function.name,
      ZipFile: zip,
      Architectures: fn.Configuration.Architectures?.length
        ? fn.Configuration.Architectures
        : [stack.function.architecture],
    }),
    'lambda:UpdateFunctionCode',
  );
  await waitForFunctionReady(ctx);
  return { ...base, outcome: 'updated', sha256, ...(previousSha256 ? { previousSha256 } : {}) };
}

/** Deletes the function. */
export async function removeFunction(ctx: ProvisionContext): Promise<StepResult> {
  const stack = describeStack(ctx);
  const base = { resource: 'function', name: stack.function.name };
  const fn = await getFunction(ctx);
  if (!fn) return { ...base, outcome: 'absent' };
  if (!ctx.force && !isOurs(fn.Tags, stack)) {
    return { ...base, outcome: 'kept', detail: notOursDetail(stack.stack) };
  }
  try {
    await ctx.clients.lambda.send(new DeleteFunctionCommand({ FunctionName: stack.function.name }));
  } catch (error) {
    if (isNotFound(error)) return { ...base, outcome: 'absent' };
    throw translateAwsError(error, 'lambda:DeleteFunction');
  }
  await ctx.record('functionArn', undefined);
  // Without a qualifier, DeleteFunction deletes every version and alias of the function with it.
  return { ...base, outcome: 'removed', detail: `with its versions and alias ${stack.function.alias.name}` };
}

/**
 * Lambda's refusal of a change while the function is Pending or an update is InProgress. It shares the name
 * ResourceConflictException with "already exists" answers, so only the message tells them apart.
 */
export function isUpdateInProgress(error: unknown): boolean {
  return (
    errorName(error) === 'ResourceConflictException' &&
    /update is in progress|cannot be performed at this time/i.test((error as Error).message ?? '')
  );
}

/**
 * Sends one change to the function once it is ready (what the SDK's waitUntilFunctionUpdatedV2 waits for,
 * on our clock), and again while Lambda still says an update is in progress: another process, or Lambda's
 * own settling, may start one between our check and our call.
 */
export async function updateFunction<T = unknown>(ctx: ProvisionContext, command: object, action: string): Promise<T> {
  const started = ctx.clock.now();
  for (;;) {
    await waitForFunctionReady(ctx, { earlierUpdateFailed: 'accept' });
    let wait = ctx.waits.functionPollMs;
    try {
      return await (ctx.clients.lambda.send as (c: object) => Promise<T>)(command);
    } catch (error) {
      const waited = ctx.clock.now() - started;
      // A configuration that switches to a role just made meets IAM propagation, as CreateFunction does.
      if (isRoleNotReady(error) && waited < ctx.waits.rolePropagationMs) wait = rolePropagationDelay(waited);
      else if (!isUpdateInProgress(error) || waited > ctx.waits.functionActiveMs)
        throw translateAwsError(error, action);
    }
    await ctx.clock.sleep(wait, ctx.signal);
  }
}
