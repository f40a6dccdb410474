/**
 * The local stack as a process of its own: `node build/local/serve.js '<options as JSON>'`, started in the
 * background by `setup --local`. It reports `{type:'ready',...}` or `{type:'error',...}` over the IPC channel
 * when there is one, writes the function's and the gateway's log lines to stdout, and stops cleanly on
 * SIGTERM or SIGINT.
 */
import { PortInUseError } from './gateway.js';
import { startLocalStack, type LocalStackOptions } from './stack.js';

export type ServeOptions = Omit<LocalStackOptions, 'log'> & { quiet?: boolean };

export type ServeMessage =
  | { type: 'ready'; url: string; port: number; dynamodbEndpoint: string; pid: number }
  | { type: 'error'; code: 'port-in-use' | 'failed'; message: string };

function tell(message: ServeMessage): void {
  if (process.send) process.send(message);
  else process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function serve(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
  const { quiet, ...stackOptions } = options;
  let stack;
  try {
    stack = await startLocalStack({
      ...stackOptions,
      log: quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    const code = error instanceof PortInUseError ? 'port-in-use' : 'failed';
    tell({ type: 'error', code, message: (error as Error).message });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  const running = stack;
  const stop = () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    running.stop().then(
      () => {
        process.stdout.write(`stopped\n`);
      },
      (error: Error) => {
        process.stderr.write(`stopping failed: ${error.message}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`listening on ${running.url} (engine ${running.dynamodbEndpoint})\n`);
  tell({ type: 'ready', url: running.url, port: running.port, dynamodbEndpoint: running.dynamodbEndpoint, pid: process.pid });
  process.disconnect?.();
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await serve();
