/** The command line: argv in, exit code out; owns signals, the JSON/text choice and the exit codes (the command table is in cli/). */
import { CommanderError } from 'commander';
import { processContext, type Context } from './context.js';
import { AppError, EXIT, exitCodeOf } from './errors.js';
import { escapeControl } from './output/escape.js';
import { printPolicy } from './output/print-policy.js';
import { runCommand } from './cli/run-command.js';
import { buildProgram } from './cli/program.js';
import { hintRewriter, invocationName } from './cli/invocation.js';
import { hinted } from './output/print.js';
import { commandIn, hoistGlobalOptions, type GlobalFlags } from './cli/global-options.js';

/** Runs the CLI with argv and returns the exit code; only the entry point exits. */
export async function main(given: string[]): Promise<number> {
  const { argv, flags } = hoistGlobalOptions(given);
  const contextFor = (json: boolean) => withFlags(processContext(json, abort.signal), flags);
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(EXIT.interrupted);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  // SIGTERM (kill, a service manager, a CI timeout, teardown --local) stops a command as Ctrl-C does, so it cleans
  // up the same way, and exits 143 (130 for Ctrl-C); a command whose normal end is being stopped exits 0.
  let terminated = false;
  let runsUntilStopped = false;
  const stoppedCode = () => (terminated ? EXIT.terminated : EXIT.interrupted);
  const onSigterm = () => {
    terminated = true;
    onSigint();
  };
  process.on('SIGTERM', onSigterm);
  // A reader that stops early (`products-cli list | head`) closes the pipe: that ends the output, not in error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Commands that stream their output listen for this themselves and finish in their own way.
      if (stream.listenerCount('error') > 1) return;
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? EXIT.ok);
    });
  }
  let ctx: Context | undefined;
  try {
    const program = await buildProgram(argv, async (definition, args, opts, notices) => {
      ctx = contextFor(Boolean(opts.json));
      runsUntilStopped = definition.runsUntilStopped === true;
      // Shown with --json and --quiet too: a script is what most needs to hear of a flag going away; stdout stays clean.
      for (const notice of notices) ctx.stderr.write(`products-cli: ${notice}\n`);
      await runCommand(definition, args, opts, ctx);
    });
    await program.parseAsync(argv);
    if (!abort.signal.aborted || (terminated && runsUntilStopped)) return EXIT.ok;
    return stoppedCode();
  } catch (error) {
    // A flag's parser can fail before the command starts: --json on the line still asks for a JSON error.
    const context = ctx ?? contextFor(argv.slice(2).includes('--json'));
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      // Help shown because no command was given: commander printed it; anything else is a usage error to report.
      if (error.code !== 'commander.help' && error.code !== 'commander.helpDisplayed')
        reportUsageError(error, context, commandIn(argv));
      return EXIT.usage;
    }
    reportError(error, context);
    if (abort.signal.aborted && (!(error instanceof AppError) || error.exitCode === EXIT.interrupted))
      return stoppedCode();
    return exitCodeOf(error);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** The run's global flags applied to a context. */
function withFlags(ctx: Context, flags: GlobalFlags): Context {
  const hint = hintRewriter(invocationName(process.argv[1], ctx.env, ctx.cwd));
  return { ...ctx, color: ctx.color && !flags.noColor, quiet: flags.quiet, hint };
}

/** One error on stderr: a JSON document with --json, else `products-cli: message` and an optional hint line. */
function writeError(ctx: Context, error: { name: string; message: string; exitCode: number }, hint?: string): void {
  if (printPolicy(ctx).json) {
    ctx.stderr.write(`${JSON.stringify({ error })}\n`);
    return;
  }
  // Messages carry text from the command line, files and answers (ids, problem details): shown, never obeyed, by the terminal.
  const text = `${error.message.split('\n').map(escapeControl).join('\n')}\n${hint ? `${hint}\n` : ''}`;
  ctx.stderr.write(`products-cli: ${hinted(ctx, text)}`);
}

/** Commander's complaints in the CLI's own words, where commander's read as its internals. */
const USAGE_WORDING: Record<string, (message: string, command: string) => string> = {
  // option '--price <price>' argument missing
  'commander.optionMissingArgument': (message) =>
    message.replace(/^option '(--?[\w-]+)(?:, --?[\w-]+)? (<[^>]+>)' argument missing$/, '$1 needs a value: $1 $2'),
  // missing required argument 'id'
  'commander.missingArgument': (message, command) =>
    message.replace(/^missing required argument '([^']+)'$/, `${command} needs <$1>`),
  // too many arguments for 'get'. Expected 1 argument but got 2.
  'commander.excessArguments': (message) =>
    message.replace(
      /^too many arguments for '([^']+)'\. Expected (\d+) arguments? but got (\d+)\.$/,
      (_all, name: string, expected: string, got: string) =>
        `${name} takes ${expected === '0' ? 'no' : `at most ${expected}`} argument${expected === '1' ? '' : 's'}, not ${got}`,
    ),
};

/** Commander's complaint about argv, as the CLI's other errors look: one prefix, and where to read more. */
function reportUsageError(error: CommanderError, ctx: Context, command: string | undefined): void {
  const known = command !== undefined && error.code !== 'commander.unknownCommand';
  const message = error.message.replace(/^error: /, '');
  const worded = USAGE_WORDING[error.code]?.(message, command ?? 'the command') ?? message;
  writeError(
    ctx,
    { name: 'UsageError', message: worded, exitCode: EXIT.usage },
    `see \`products-cli ${known ? `${command} ` : ''}--help\``,
  );
}

function reportError(error: unknown, ctx: Context): void {
  const message =
    error instanceof AppError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
  writeError(ctx, { name: error instanceof AppError ? error.name : 'Error', message, exitCode: exitCodeOf(error) });
  if (process.env.PRODUCTS_CLI_DEBUG && error instanceof Error) ctx.stderr.write(`${error.stack}\n`);
}
