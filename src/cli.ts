/** The command line: argv in, exit code out; owns signals, the JSON/text choice and the exit codes (the command table is in cli/). */
import { CommanderError } from 'commander';
import { processContext, type Context } from './context.js';
import { AppError, EXIT, exitCodeOf } from './errors.js';
import { runCommand } from './cli/run-command.js';
import { buildProgram } from './cli/program.js';

/** Runs the CLI with argv and returns the exit code; only the entry point exits. */
export async function main(argv: string[]): Promise<number> {
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(EXIT.interrupted);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  // SIGTERM (kill, a service manager, a CI timeout, teardown --local) stops a command as Ctrl-C does, so it cleans
  // up the same way; a command that then ends without an error has done what was asked, so it exits 0.
  let terminated = false;
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
    const program = await buildProgram(argv, async (definition, args, opts) => {
      ctx = processContext(Boolean(opts.json), abort.signal);
      await runCommand(definition, args, opts, ctx);
    });
    await program.parseAsync(argv);
    return abort.signal.aborted && !terminated ? EXIT.interrupted : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // A flag's parser can fail before the command starts: --json on the line still asks for a JSON error.
    const context = ctx ?? processContext(argv.slice(2).includes('--json'), abort.signal);
    reportError(error, context);
    return abort.signal.aborted && !(error instanceof AppError) ? EXIT.interrupted : exitCodeOf(error);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

function reportError(error: unknown, ctx: Context): void {
  const message = error instanceof AppError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
  if (ctx.json) {
    const name = error instanceof AppError ? error.name : 'Error';
    ctx.stderr.write(`${JSON.stringify({ error: { name, message, exitCode: exitCodeOf(error) } })}\n`);
  } else {
    ctx.stderr.write(`products-cli: ${message}\n`);
  }
  if (process.env.PRODUCTS_CLI_DEBUG && error instanceof Error) ctx.stderr.write(`${error.stack}\n`);
}
