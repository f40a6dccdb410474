/**
 * The local stack as a process of its own: `node build/local/serve.js '<options as JSON>'`, started in the
 * background by `setup --local`. It reports `{type:'ready',...}` or `{type:'error',...}` over the IPC channel
 * when there is one, writes its log (one JSON line per request) to `logFile` (size-capped and rotated) or to
 * stdout, and on SIGTERM or SIGINT answers the requests in flight, refuses new connections and exits within
 * a bounded time.
 */
import { PortInUseError } from './gateway.js';
import { takeLocalSecrets } from './stack-secrets.js';
import { openRotatingLog, type RotatingLog } from './rotating-log.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from './stack.js';

export type ServeOptions = Omit<LocalStackOptions, 'log' | 'secret'> & {
  quiet?: boolean;
  /** Append the log here (rotated) rather than to stdout. */
  logFile?: string;
  /** How long stopping waits for requests in flight; default the gateway's. */
  drainMs?: number;
};

export type ServeMessage =
  | {
      type: 'ready';
      url: string;
      port: number;
      dynamodbEndpoint: string;
      pid: number;
      secret: string;
      startedAt: string;
    }
  | { type: 'error'; code: 'port-in-use' | 'data-in-use' | 'failed'; message: string };

/** Past the drain, the time stopping the function and the engine may take before the process exits anyway. */
const EXIT_GRACE_MS = 5_000;

function tell(message: ServeMessage): void {
  // The secret travels only over the private IPC channel, never on argv or stdout.
  if (process.send) process.send(message);
  else
    process.stdout.write(`${JSON.stringify(message.type === 'ready' ? { ...message, secret: undefined } : message)}\n`);
}

async function serve(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
  const { quiet, logFile, drainMs, ...stackOptions } = options;
  // The key pair arrives in the environment, which other users cannot read, unlike argv.
  const secrets = takeLocalSecrets(process.env);
  if (stackOptions.access) {
    stackOptions.access = {
      ...stackOptions.access,
      ...(secrets.credentials ? { credentials: [secrets.credentials] } : {}),
      ...(secrets.apiKey ? { apiKey: secrets.apiKey } : {}),
    };
  }
  let log: RotatingLog | undefined;
  let write: ((line: string) => void) | undefined;
  if (!quiet) {
    log = logFile ? await openRotatingLog(logFile) : undefined;
    write = log ? (line) => log?.write(line) : (line) => process.stdout.write(`${line}\n`);
  }
  process.on('uncaughtException', (error) => {
    write?.(
      JSON.stringify({
        timestamp: new Date().toISOString(),
        level: 'ERROR',
        message: `the local stack failed: ${error.stack ?? error.message}`,
      }),
    );
    void (log?.close() ?? Promise.resolve()).finally(() => process.exit(1));
  });
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ ...stackOptions, ...(write ? { log: write } : {}) });
  } catch (error) {
    const name = (error as Error).name;
    const code =
      error instanceof PortInUseError ? 'port-in-use' : name === 'DataDirInUseError' ? 'data-in-use' : 'failed';
    tell({ type: 'error', code, message: (error as Error).message });
    await log?.close();
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  const running = stack;
  const stop = (signal: string) => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    write?.(JSON.stringify({ timestamp: new Date().toISOString(), level: 'INFO', message: `stopping on ${signal}` }));
    const deadline = setTimeout(() => process.exit(1), (drainMs ?? 10_000) + EXIT_GRACE_MS);
    deadline.unref();
    running.stop(drainMs).then(
      async () => {
        write?.(JSON.stringify({ timestamp: new Date().toISOString(), level: 'INFO', message: 'stopped' }));
        await log?.close();
        process.exit(0);
      },
      async (error: Error) => {
        write?.(
          JSON.stringify({
            timestamp: new Date().toISOString(),
            level: 'ERROR',
            message: `stopping failed: ${error.message}`,
          }),
        );
        await log?.close();
        process.exit(1);
      },
    );
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  write?.(
    JSON.stringify({
      timestamp: running.startedAt,
      level: 'INFO',
      message: `listening on ${running.url}`,
      pid: process.pid,
    }),
  );
  tell({
    type: 'ready',
    url: running.url,
    port: running.port,
    dynamodbEndpoint: running.dynamodbEndpoint,
    pid: process.pid,
    secret: running.secret,
    startedAt: running.startedAt,
  });
  process.disconnect?.();
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await serve();
