/**
 * Options that belong to the whole run rather than to one command: they may come before the command
 * (`products-cli --json get 1`) as well as after it. `--json` and `--debug` are moved after the command, which
 * declares them or is given them by the program; `--no-color` and `--quiet` are taken out, as no command declares them.
 */

export interface GlobalFlags {
  /** `--no-color`: no colour even on a terminal (as NO_COLOR=1). */
  noColor: boolean;
  /** `--quiet`: no progress, notes or waiting notices on stderr; results and errors only. */
  quiet: boolean;
}

/** Moved after the command, which declares them or is given them by the program. */
export const MOVED_GLOBAL_FLAGS = ['--json', '--debug'] as const;
const MOVED = new Set<string>(MOVED_GLOBAL_FLAGS);
const TAKEN = new Set(['--no-color', '--quiet']);

export const GLOBAL_OPTIONS_HELP = `
Global options (before or after the command):
  --json      machine-readable output, and errors as {"error":{"name","message","exitCode"}} on stderr
  --quiet     no progress, notes or waiting notices on stderr; only results and errors
  --no-color  no colour, even on a terminal (as NO_COLOR=1)
  --debug     print each HTTP request and answer on stderr, secrets masked (as PRODUCTS_CLI_DEBUG=1)`;

/** argv with the global options where the program expects them, and the flags taken out. */
export function hoistGlobalOptions(argv: string[]): { argv: string[]; flags: GlobalFlags } {
  const [node = 'node', script = 'products-cli', ...rest] = argv;
  const end = rest.indexOf('--');
  const args = end >= 0 ? rest.slice(0, end) : rest;
  const after = end >= 0 ? rest.slice(end) : [];
  const flags: GlobalFlags = { noColor: args.includes('--no-color'), quiet: args.includes('--quiet') };
  const kept = args.filter((arg) => !TAKEN.has(arg));
  const command = kept.findIndex((arg) => !arg.startsWith('-'));
  if (command <= 0) return { argv: [node, script, ...kept, ...after], flags };
  const before = kept.slice(0, command);
  const moved = before.filter((arg) => MOVED.has(arg));
  const stay = before.filter((arg) => !MOVED.has(arg));
  return {
    argv: [node, script, ...stay, kept[command] as string, ...moved, ...kept.slice(command + 1), ...after],
    flags,
  };
}

/** The command named in argv, for the hint after a usage error. */
export function commandIn(argv: string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}
