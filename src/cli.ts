/** The command line: the only module that knows commander. Each command's module is loaded only when it runs. */
import { Command, CommanderError, Option } from 'commander';
import { processContext, type Context } from './context.js';
import { AppError, EXIT, exitCodeOf } from './errors.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a check failed, or an unexpected error
  2  usage error: bad flags, arguments or input
  3  product not found
  4  conflict: the id exists, or the version changed (If-Match)
  5  API or network error
  6  AWS refused or failed a provisioning call
  130 interrupted (Ctrl-C)`;

type Action<O> = (opts: O, ctx: Context) => Promise<void>;

/** Runs the CLI with argv and returns the exit code; only the entry point exits. */
export async function main(argv: string[]): Promise<number> {
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(EXIT.interrupted);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  let ctx: Context | undefined;
  const run = <O extends { json?: boolean }>(action: Action<O>) => async (opts: O) => {
    ctx = processContext(Boolean(opts.json), abort.signal);
    await action(opts, ctx);
  };

  const program = buildProgram(run);
  try {
    await program.parseAsync(argv);
    return abort.signal.aborted ? EXIT.interrupted : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const context = ctx ?? processContext(false, abort.signal);
    reportError(error, context);
    return abort.signal.aborted && !(error instanceof AppError) ? EXIT.interrupted : exitCodeOf(error);
  } finally {
    process.off('SIGINT', onSigint);
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

function buildProgram(run: <O extends { json?: boolean }>(action: Action<O>) => (opts: O) => Promise<void>): Command {
  const program = new Command('products-cli')
    .description('Stand up, exercise and tear down a serverless product-catalogue REST API (DynamoDB, Lambda, API Gateway), on AWS or offline.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .addHelpText('after', EXIT_CODES_HELP);

  // Commands are registered below, one block each, each loading its module lazily.
  void run;
  void Option;
  return program;
}
