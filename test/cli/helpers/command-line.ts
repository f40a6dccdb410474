/** A command line parsed in-process by the real program: what the command's run receives, and the notices for stderr. */
import { buildProgram } from '../../../src/cli/program.js';

export interface ParsedCommandLine {
  opts: Record<string, unknown>;
  notices: string[];
}

/** `{ memory: '64', local: true }` as `--memory 64 --local`; an array repeats the flag. */
export function flagsToArgv(flags: Record<string, string | boolean | string[]>): string[] {
  return Object.entries(flags).flatMap(([key, value]) => {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (value === true) return [flag];
    if (value === false) return [`--no-${flag.slice(2)}`];
    return (Array.isArray(value) ? value : [value]).flatMap((v) => [flag, v]);
  });
}

/** Parses `products-cli <command> <args...>`; rejects with the UsageError a flag's parser throws. */
export async function parseCommandLine(command: string, args: string[]): Promise<ParsedCommandLine> {
  const argv = ['node', 'products-cli', command, ...args];
  let parsed: ParsedCommandLine | undefined;
  const program = await buildProgram(argv, async (_definition, _args, opts, notices) => {
    parsed = { opts, notices };
  });
  await program.parseAsync(argv);
  if (!parsed) throw new Error(`${command} did not run`);
  return parsed;
}

/** The options `command` receives for `flags` given on its command line. */
export async function cliOptions(
  command: string,
  flags: Record<string, string | boolean | string[]>,
): Promise<Record<string, unknown>> {
  return (await parseCommandLine(command, flagsToArgv(flags))).opts;
}
