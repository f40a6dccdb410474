/** Everything an AWS command needs, built once from its flags, the state file and injectable dependencies. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Context } from '../context.js';
import { DEFAULT_AUTH } from '../contract/auth.js';
import { DEFAULT_STAGE, DEFAULT_FUNCTION_TIMEOUT_SECONDS, DEFAULT_THROTTLE } from '../defaults.js';
import { AppError, AwsError, EXIT, UsageError } from '../errors.js';
import { ApiGatewayPacer } from '../aws/apigateway-pacer.js';
import { createAwsClients, destroyAwsClients, resolveRegion, type AwsClients } from '../aws/clients.js';
import { systemClock, type Clock } from '../aws/clock.js';
import { isRejectedCredentials, OPT_IN_REGIONS, translateAwsError } from '../aws/errors.js';
import type { AwsState } from '../state/state-file.js';
import { DEFAULT_ALARM_THRESHOLDS } from './alarm-spec.js';
import { DEFAULT_WAITS, type ProvisionContext, type ProvisionSettings, type WaitSettings } from './context.js';
import { DEFAULT_STACK, resourceNames, stackTags } from './names.js';
import { trackProgress, type Progress } from './progress.js';
import { fileStateStore, type StateStore } from './state-store.js';

/** The Lambda bundle, found relative to this module (the package root), not to the working directory. */
export const HANDLER_ZIP = fileURLToPath(new URL('../../dist/handler.zip', import.meta.url));

/** What tests and the bench replace. */
export interface AwsDeps {
  clients: AwsClients;
  clock: Clock;
  fetch: typeof fetch;
  store: StateStore;
  readCode: () => Promise<Uint8Array>;
  waits: WaitSettings;
}

export interface SessionOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  stack?: string;
  stage?: string;
  force?: boolean;
  settings?: Partial<ProvisionSettings>;
}

/** The account, region, endpoint and names a command's flags point at: the flags that were given, and no others. */
export function awsTarget(opts: {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  stack?: string;
  stage?: string;
}): SessionOptions {
  const target: SessionOptions = {};
  for (const key of ['region', 'profile', 'endpointUrl', 'stack', 'stage'] as const) {
    const value = opts[key];
    if (value) target[key] = value;
  }
  return target;
}

export const DEFAULT_SETTINGS: ProvisionSettings = {
  runtime: 'nodejs24.x',
  architecture: 'arm64',
  memoryMb: 256,
  timeoutSeconds: DEFAULT_FUNCTION_TIMEOUT_SECONDS,
  logRetentionDays: 14,
  throttle: { ...DEFAULT_THROTTLE },
  apiKey: false,
  pitr: true,
  adopt: false,
  auth: { ...DEFAULT_AUTH },
  corsOrigins: [],
  alarms: { emails: [], thresholds: { ...DEFAULT_ALARM_THRESHOLDS } },
};

export interface Session {
  pctx: ProvisionContext;
  progress: Progress;
  store: StateStore;
  deps: AwsDeps;
  /** The state recorded by an earlier run for this stack and region, if any. */
  previous: AwsState | undefined;
  close(): void;
}

async function readBundle(): Promise<Uint8Array> {
  try {
    return await readFile(HANDLER_ZIP);
  } catch (error) {
    throw new AppError(`the Lambda bundle ${HANDLER_ZIP} is missing; run npm run build`, undefined, { cause: error });
  }
}

/** A bundle given by `--zip FILE`, or a usage error naming the file. */
export async function readZipFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new UsageError(
      `--zip ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); give a zip such as dist/handler.zip`,
      { cause: error },
    );
  }
}

/** An emulator accepts any key pair, but the SDK signs every call and so needs one: say which variables to set. */
async function requireEmulatorCredentials(clients: AwsClients, endpointUrl: string): Promise<void> {
  try {
    await clients.sts.config.credentials();
  } catch (error) {
    throw new AppError(
      `no AWS credentials found for the emulator at ${endpointUrl}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any value, such as test, for an emulator), or AWS_PROFILE`,
      EXIT.aws,
      { cause: error },
    );
  }
}

/** Where AWS calls go: to the emulator the state records, unless the flag names another, which is refused. */
function endpointOf(flag: string | undefined, recorded: AwsState | undefined): string | undefined {
  const normal = (url: string | undefined) => url?.replace(/\/+$/, '');
  if (!recorded || Object.values(recorded.resources).every((id) => id === undefined)) return normal(flag);
  const kept = normal(recorded.endpointUrl);
  if (flag !== undefined && normal(flag) !== kept) {
    const where = kept ? `in the emulator at ${kept}` : 'on AWS itself';
    const fix = kept ? `pass --endpoint-url ${kept} or none` : 'leave out --endpoint-url';
    throw new UsageError(
      `--endpoint-url ${flag} contradicts the recorded stack ${recorded.stack ?? DEFAULT_STACK}, which is ${where}; ${fix}, or tear it down first`,
    );
  }
  return kept;
}

/** Opens a session: clients, region, account (lazily), names, tags, pacer, progress and the state store. */
export async function openSession(
  options: SessionOptions,
  ctx: Context,
  injected: Partial<AwsDeps> = {},
): Promise<Session> {
  const clock = injected.clock ?? systemClock;
  let region = options.region;
  let accountId: string | undefined;
  let stack = options.stack;
  let stage = options.stage;
  const store =
    injected.store ??
    fileStateStore(ctx.cwd, () => ({
      region: region ?? 'unknown',
      ...(accountId ? { accountId } : {}),
      stack: resourceNames(stack).stack,
      stage: stage ?? DEFAULT_STAGE,
    }));
  const recordedState = await store.read();
  // Flags win; otherwise the stack and stage that setup recorded.
  if (recordedState) {
    stack ??= recordedState.stack && recordedState.stack !== DEFAULT_STACK ? recordedState.stack : undefined;
    stage ??= recordedState.stage;
    region ??= recordedState.region !== 'unknown' ? recordedState.region : undefined;
  }
  const endpointUrl = endpointOf(options.endpointUrl, recordedState);
  const clients =
    injected.clients ??
    createAwsClients({
      ...(region ? { region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(endpointUrl ? { endpointUrl } : {}),
    });
  region ??= await resolveRegion(clients);
  if (endpointUrl && !injected.clients) await requireEmulatorCredentials(clients, endpointUrl);
  const names = resourceNames(stack, stage ?? DEFAULT_STAGE);
  const previous =
    recordedState && recordedState.region === region && (recordedState.stack ?? DEFAULT_STACK) === names.stack
      ? recordedState
      : undefined;
  const progress = trackProgress(ctx, clock);
  let account: Promise<string> | undefined;
  const deps: AwsDeps = {
    clients,
    clock,
    fetch: injected.fetch ?? fetch,
    store,
    readCode: injected.readCode ?? readBundle,
    waits: injected.waits ?? DEFAULT_WAITS,
  };
  let code: Promise<Uint8Array> | undefined;
  const recorded: Record<string, string | undefined> = { ...(previous?.resources ?? {}) };
  const pctx: ProvisionContext = {
    clients,
    apigateway: new ApiGatewayPacer(clients.apigateway, {
      clock,
      onThrottle: (operation, ms) =>
        progress.note(
          `API Gateway throttled ${operation} (an account-wide quota); retrying in ${Math.ceil(ms / 1000)} s`,
        ),
      onConflict: (operation, ms) =>
        progress.note(
          `API Gateway refused ${operation}: another change to the REST API is under way; retrying in ${(ms / 1000).toFixed(1)} s`,
        ),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }),
    region,
    ...(endpointUrl ? { endpointUrl } : {}),
    accountId: () =>
      (account ??= clients.sts.send(new GetCallerIdentityCommand({})).then(
        (out) => {
          accountId = out.Account ?? '';
          return accountId;
        },
        (error: unknown) => {
          if (isRejectedCredentials(error) && OPT_IN_REGIONS.includes(region as string)) {
            throw new AwsError(
              `AWS refused the call in ${region}, a region each account must enable first: enable it (Account settings, AWS Regions) or pick another --region`,
              { cause: error },
            );
          }
          throw translateAwsError(error, 'sts:GetCallerIdentity');
        },
      )),
    names,
    tags: stackTags(names),
    // Commands that do not set them (status, deploy) compare against what setup recorded.
    settings: {
      ...DEFAULT_SETTINGS,
      ...(previous?.auth ? { auth: previous.auth, apiKey: previous.auth.mode === 'api-key' } : {}),
      ...(previous?.corsOrigins ? { corsOrigins: previous.corsOrigins } : {}),
      ...options.settings,
    },
    waits: deps.waits,
    clock,
    note: (text) => progress.note(text),
    force: Boolean(options.force),
    code: () => (code ??= deps.readCode()),
    record: async (key, value) => {
      if (value === undefined) delete recorded[key];
      else recorded[key] = value;
      await store.update((aws) => {
        if ((aws.stack ?? DEFAULT_STACK) !== names.stack || (aws.region !== region && aws.region !== 'unknown')) {
          // The entry describes another stack: a removal does not touch it, a creation starts a new entry.
          if (value === undefined) return;
          for (const k of Object.keys(aws.resources)) delete aws.resources[k];
          delete aws.url;
          delete aws.apiKey;
          delete aws.accountId;
        }
        aws.region = region as string;
        if (endpointUrl) aws.endpointUrl = endpointUrl;
        else delete aws.endpointUrl;
        if (accountId) aws.accountId = accountId;
        aws.stack = names.stack;
        aws.stage = names.stage;
        if (value === undefined) delete aws.resources[key];
        else aws.resources[key] = value;
      });
    },
    recorded,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  return {
    pctx,
    progress,
    store,
    deps,
    previous,
    close: () => {
      progress.close();
      if (!injected.clients) destroyAwsClients(clients);
    },
  };
}
