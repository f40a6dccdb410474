/** The whole local stack: the engine, the table, the function and the gateway, started and stopped together. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_FUNCTION_NAME,
  DEFAULT_FUNCTION_TIMEOUT_SECONDS,
  DEFAULT_INTEGRATION_TIMEOUT_MS,
  DEFAULT_STAGE,
  DEFAULT_TABLE_NAME,
  DEFAULT_THROTTLE,
} from '../defaults.js';
import { checkStageName } from '../stack/stage-name.js';
import { CORS_ORIGINS_ENV } from '../contract/cors.js';
import { createTableIfMissing } from '../stack/table.js';
import type { AccessOptions } from './gateway-access.js';
import { startDynamoEngine, type DynamoEngine } from './dynamo-engine.js';
import { startGateway, type Gateway } from './gateway.js';
import { defaultHandlerZip, unpackHandler } from './handler-code.js';
import { createControlAnswer, createHealthAnswer, type StackSettings, type StackStats } from './health.js';
import { defaultConcurrency, startLambdaRuntime } from './lambda-runtime.js';
import { startLocalVersions, type LocalVersions } from './versions.js';
import { newStackSecret } from './stack-proof.js';
import { countItems, directorySize } from './stack-stats.js';
import {
  createMetricsRecorder,
  recordAnswer,
  recordEngineRequests,
  routedVersions,
  runtimeObserver,
  type MetricsRecorder,
} from './metrics-recorder.js';

export interface LocalStackOptions {
  /** 0 = any free port (tests); the CLI's default is 3000. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default DEFAULT_STAGE ('prod'). */
  stage?: string;
  /** Persist the embedded engine's data here; omitted = in memory. */
  dataDir?: string;
  /** Use an existing DynamoDB-compatible engine instead of the embedded one. */
  dynamodbEndpoint?: string;
  /** Default: <package root>/dist/handler.zip. */
  handlerZip?: string;
  /** Integration timeout, default DEFAULT_INTEGRATION_TIMEOUT_MS (29 s): past it the gateway answers 504. */
  timeoutMs?: number;
  /** The function's timeout, default DEFAULT_FUNCTION_TIMEOUT_SECONDS: past it the invocation fails, so 502. */
  functionTimeoutMs?: number;
  /** Default DEFAULT_THROTTLE; null = off. */
  throttle?: { rateLimit: number; burstLimit: number } | null;
  /** The most execution environments running the function at once; default the number of CPUs. */
  concurrency?: number;
  /** What the stack proves its identity with; default a new random one (see `LocalStack.secret`). */
  secret?: string;
  /** How long a request body may take to arrive before the gateway answers 408. */
  bodyTimeoutMs?: number;
  /** The function's log lines (its request line is the log line of each request it answers) and the gateway's. */
  log?: (line: string) => void;
  /** Authorization and CORS, as `setup` configures them on AWS; absent = an open API without CORS. */
  access?: AccessOptions;
  /** Told as each part starts (`creating table product`, …), for someone waiting at a terminal. */
  onProgress?: (part: string) => void;
}

export interface LocalStack {
  /** http://127.0.0.1:PORT/prod */
  url: string;
  port: number;
  dynamodbEndpoint: string;
  /** Known to the stack and to whoever started it; kept in the 0600 state file and the data lock. */
  secret: string;
  startedAt: string;
  /** Its figures, as the health answer gives them to a caller who proves the secret. */
  stats(): Promise<StackStats>;
  /** What its gateway, function and engine did, minute by minute, for `metrics --local`. */
  metrics: MetricsRecorder;
  /** The function's versions: deploy loads a bundle as a new one and moves live to it; rollback moves it back. */
  versions: Pick<LocalVersions, 'list' | 'live' | 'deploy' | 'rollback'>;
  /** Refuses new connections, answers the requests in flight (waiting at most `drainMs`), then stops everything. */
  stop(drainMs?: number): Promise<void>;
}

export const DEFAULT_LOCAL_PORT = 3000;

/** Credentials and region for talking to a local engine: the caller's when set, dummies otherwise. */
export function localAwsEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const values: Record<string, string> = {
    AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SESSION_TOKEN) values.AWS_SESSION_TOKEN = env.AWS_SESSION_TOKEN;
  return values;
}

function dynamoClient(endpoint: string, awsEnv: Record<string, string>): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: awsEnv.AWS_REGION,
    credentials: {
      accessKeyId: awsEnv.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY as string,
      ...(awsEnv.AWS_SESSION_TOKEN ? { sessionToken: awsEnv.AWS_SESSION_TOKEN } : {}),
    },
    maxAttempts: 2,
  });
}

async function createTable(endpoint: string, awsEnv: Record<string, string>): Promise<void> {
  const dynamodb = dynamoClient(endpoint, awsEnv);
  try {
    await createTableIfMissing({ dynamodb, tableName: DEFAULT_TABLE_NAME, maxWaitSeconds: 30 });
  } catch (error) {
    const reason = (error as Error).message || (error as Error).name;
    throw new Error(`could not create the table ${DEFAULT_TABLE_NAME} at ${endpoint}: ${reason}`, { cause: error });
  } finally {
    dynamodb.destroy();
  }
}

/** The settings the stack reports at its health path. */
function reportedSettings(
  options: LocalStackOptions,
  throttle: StackSettings['throttle'],
  integrationTimeoutMs: number,
  functionTimeoutMs: number,
): StackSettings {
  return {
    throttle,
    auth: options.access?.auth ?? { mode: 'none', privateReads: false },
    corsOrigins: [...(options.access?.corsOrigins ?? [])],
    integrationTimeoutMs,
    functionTimeoutMs,
    concurrency: Math.max(1, Math.floor(options.concurrency ?? defaultConcurrency())),
    ...(options.dynamodbEndpoint ? { dynamodbEndpoint: options.dynamodbEndpoint } : {}),
  };
}

/** Starts the stack and resolves once it answers; on any failure, whatever had started is stopped again. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? DEFAULT_STAGE;
  // The rule of AWS's stage names, so that a stack that works locally sets up there with the same --stage.
  checkStageName(stage);
  const timeoutMs = options.timeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  const functionTimeoutMs = options.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS * 1000;
  const throttle = options.throttle === undefined ? { ...DEFAULT_THROTTLE } : options.throttle;
  const awsEnv = localAwsEnv();

  const secret = options.secret ?? newStackSecret();
  const startedAt = new Date().toISOString();
  const startedMs = Date.now();
  const metrics = createMetricsRecorder();

  let engine: DynamoEngine | undefined;
  let runtime: LocalVersions | undefined;
  let gateway: Gateway | undefined;
  let statsClient: DynamoDBClient | undefined;
  const stopAll = async (drainMs?: number) => {
    // The function's connections to the engine go first, so the engine closes without waiting on them.
    await gateway?.stop(drainMs);
    await runtime?.stop();
    statsClient?.destroy();
    await engine?.stop();
  };
  try {
    // The engine's thread starts while the artifact is unpacked; whichever fails, the other is stopped below.
    options.onProgress?.(
      options.dynamodbEndpoint ? 'unpacking the function' : 'starting the DynamoDB engine, unpacking the function',
    );
    const [unpacked, startedEngine] = await Promise.allSettled([
      unpackHandler(options.handlerZip ?? defaultHandlerZip()),
      options.dynamodbEndpoint
        ? undefined
        : startDynamoEngine({
            dataDir: options.dataDir,
            host: '127.0.0.1',
            onRequests: (requests) => recordEngineRequests(metrics, requests),
          }),
    ]);
    if (startedEngine.status === 'fulfilled') engine = startedEngine.value;
    if (unpacked.status === 'rejected') throw unpacked.reason;
    if (startedEngine.status === 'rejected') throw startedEngine.reason;
    const dynamodbEndpoint = options.dynamodbEndpoint ?? (engine as DynamoEngine).endpoint;
    options.onProgress?.(`creating table ${DEFAULT_TABLE_NAME}`);
    await createTable(dynamodbEndpoint, awsEnv);
    options.onProgress?.(`starting function ${DEFAULT_FUNCTION_NAME}`);
    // Each version's pool: its bundle unpacked (once per content) and run with the stack's settings.
    const startPool = async (zipPath: string, version: string) => {
      const code = await unpackHandler(zipPath);
      return startLambdaRuntime({
        entry: code.entry,
        exportName: code.exportName,
        functionName: DEFAULT_FUNCTION_NAME,
        timeoutMs: functionTimeoutMs,
        log: options.log,
        observer: runtimeObserver(metrics, version),
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        env: {
          ...awsEnv,
          TABLE_NAME: DEFAULT_TABLE_NAME,
          AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
          AWS_LAMBDA_FUNCTION_NAME: DEFAULT_FUNCTION_NAME,
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...(options.access?.corsOrigins.length ? { [CORS_ORIGINS_ENV]: options.access.corsOrigins.join(',') } : {}),
          ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
        },
      });
    };
    runtime = await startLocalVersions(options.handlerZip ?? defaultHandlerZip(), startPool, timeoutMs);
    const started = runtime;
    statsClient = dynamoClient(dynamodbEndpoint, awsEnv);
    const client = statsClient;
    let url = '';
    const stats = async (): Promise<StackStats> => {
      const { inFlight, requests, statuses } = (gateway as Gateway).stats();
      const items = await countItems(client, DEFAULT_TABLE_NAME);
      return {
        uptimeSeconds: Math.round((Date.now() - startedMs) / 1000),
        inFlight,
        requests,
        statuses,
        environments: started.environments(),
        ...(items === undefined ? {} : { items }),
        ...(options.dataDir ? { dataDir: options.dataDir, dataBytes: await directorySize(options.dataDir) } : {}),
      };
    };
    options.onProgress?.('starting the API gateway');
    gateway = await startGateway({
      port: options.port ?? DEFAULT_LOCAL_PORT,
      host,
      stage,
      throttle,
      integrationTimeoutMs: timeoutMs,
      ...(options.bodyTimeoutMs ? { bodyTimeoutMs: options.bodyTimeoutMs } : {}),
      ...(options.access ? { access: options.access } : {}),
      log: options.log,
      onAnswered: (status, latencyMs, integrationMs) => recordAnswer(metrics, status, latencyMs, integrationMs),
      health: createHealthAnswer({
        secret,
        pid: process.pid,
        port: () => (gateway as Gateway).port,
        stage,
        url: () => url,
        startedAt,
        settings: reportedSettings(options, throttle, timeoutMs, functionTimeoutMs),
        stats,
        metrics: (window) => metrics.read(window, routedVersions(started)),
      }),
      control: createControlAnswer({ secret, versions: started }),
      invoke: (event, requestId) => started.invoke(event, requestId),
    });
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    url = `http://${urlHost}:${gateway.port}/${stage}`;
    await engine?.recordOwner({ port: gateway.port, url, stage, startedAt, secret, dynamodbEndpoint });
    let stopping: Promise<void> | undefined;
    return {
      url,
      port: gateway.port,
      dynamodbEndpoint,
      secret,
      startedAt,
      stats,
      metrics,
      versions: started,
      stop: (drainMs?: number) => (stopping ??= stopAll(drainMs)),
    };
  } catch (error) {
    await stopAll(0).catch(() => undefined);
    throw error;
  }
}
