/** `local`: the local stack in the foreground, its log on stderr, until Ctrl-C (or SIGTERM) stops it. */
import { untilStopped } from './until-stopped.js';
import { defineCommand, type RunContext } from '../cli/command.js';
import { LOCAL_STACK_OPTIONS, OLD_SPELLINGS_HELP } from '../cli/option-sets.js';
import { jsonOption } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { note } from '../output/print.js';
import { printPolicy } from '../output/print-policy.js';
import type { Style } from '../output/style.js';
import { updateState } from '../state/state-file.js';
import type { LaunchFlags } from './local-launch.js';

export type LocalOptions = LaunchFlags;

export interface LocalRunning {
  target: 'local';
  status: 'listening';
  url: string;
  port: number;
  pid: number;
  dynamodbEndpoint: string;
  dataDir?: string;
}

export interface LocalResult {
  target: 'local';
  status: 'stopped';
  url: string;
}

/** Runs the stack until the context's signal aborts or SIGTERM arrives; records it in the state meanwhile. */
export async function local(
  opts: LocalOptions,
  ctx: Context,
  onListening: (running: LocalRunning) => void = () => {},
): Promise<LocalResult> {
  // Loaded here, so that `local --help` does not load the stack (and the AWS SDK's DynamoDB client with it).
  const [
    { launchLocalStack, startFailure },
    { localLogPath },
    { DataDirInUseError },
    { PortInUseError },
    { startLocalStack },
    { openRotatingLog },
  ] = await Promise.all([
    import('./local-launch.js'),
    import('../local/control.js'),
    import('../local/dynamo-engine.js'),
    import('../local/gateway.js'),
    import('../local/stack.js'),
    import('../local/rotating-log.js'),
  ]);
  // The log goes to stderr for people, rendered as `logs` renders it, and (unless in memory) to the stack log for `logs --local`.
  const show = printPolicy(ctx).human ? await stderrRenderer(ctx) : undefined;
  const launch = await launchLocalStack(opts, ctx, async (plan) => {
    const file = opts.inMemory ? undefined : await openRotatingLog(localLogPath(ctx.cwd));
    const log = file || show ? (line: string) => (file?.write(line), show?.(line)) : undefined;
    try {
      const stack = await startLocalStack({ ...plan.options, access: plan.access, ...(log ? { log } : {}) });
      const stop = async () => {
        // Requests in flight are answered first; new connections are refused meanwhile.
        await stack.stop();
        await file?.close();
      };
      return { ...stack, pid: process.pid, stop };
    } catch (error) {
      await file?.close();
      if (error instanceof PortInUseError) throw startFailure('port-in-use', error.message, plan.options.port, error);
      if (error instanceof DataDirInUseError)
        throw startFailure('data-in-use', error.message, plan.options.port, error);
      throw error;
    }
  });
  if (launch.kind === 'running') {
    const { record } = launch.found;
    throw new UsageError(
      `a local stack is already running at ${record.url} (pid ${record.pid}); use it, or stop it with \`products-cli teardown --local --keep-data\``,
    );
  }
  const { stack, local: recorded } = launch;
  const running: LocalRunning = {
    target: 'local',
    status: 'listening',
    url: stack.url,
    port: stack.port,
    pid: stack.pid,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    ...(recorded.dataDir ? { dataDir: recorded.dataDir } : {}),
  };
  try {
    onListening(running);
    await untilStopped(ctx);
  } finally {
    await stack.stop();
    // Forget the stack only if the state still names this process.
    await updateState(ctx.cwd, (s) => {
      if (s.local?.pid === process.pid) delete s.local;
    });
  }
  return { target: 'local', status: 'stopped', url: stack.url };
}

/** Renders each log line as `logs` does, onto stderr. */
async function stderrRenderer(ctx: Context): Promise<(line: string) => void> {
  const [{ renderLogEvent }, { parseLogLine }, { styleFor }] = await Promise.all([
    import('./log-event.js'),
    import('../local/stack-log.js'),
    import('../output/chalk-style.js'),
  ]);
  const style = styleFor(ctx);
  let previous = Date.now();
  return (line) => {
    const parsed = parseLogLine(line, previous);
    previous = parsed.timestamp;
    ctx.stderr.write(`${renderLogEvent(parsed, style)}\n`);
  };
}

/** The listening stack, for people. */
export function renderLocalRunning(running: LocalRunning, style: Style): string {
  return [
    `${style.green('Local stack listening')} at ${style.bold(running.url)}`,
    `  DynamoDB ${running.dynamodbEndpoint}${running.dataDir ? ` (data in ${running.dataDir})` : ' (data in memory or in the external engine)'}`,
    '  Ctrl-C to stop. Requests are logged below.',
  ].join('\n');
}

/** The stopped stack, for people. */
export function renderLocalStopped(result: LocalResult): string {
  return `Stopped the local stack at ${result.url}.`;
}

export const command = defineCommand({
  options: [
    ...LOCAL_STACK_OPTIONS,
    { flags: '--in-memory', description: 'keep the data in memory only, leaving .products-cli/local/ alone' },
    jsonOption('print one JSON line when listening; no request log'),
  ],
  help: `Examples:
  $ products-cli local
  $ products-cli local --port 8080 --function-timeout 5 --in-memory   # a function timeout of 5 s

It records itself as the current target while it runs, so the product commands in another terminal use it.
${OLD_SPELLINGS_HELP}`,
  runsUntilStopped: true,
  run: (_args: [], opts: LocalOptions, ctx: RunContext<LocalRunning>) => local(opts, ctx, ctx.emit),
  live: { render: renderLocalRunning, json: true },
  // The stack's log went to stderr; so does the line that it stopped.
  print: async (result, ctx) => note(ctx, renderLocalStopped(result)),
});
