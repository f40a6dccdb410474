/** The shape every command module exports: its arguments, options, help, `run`, and how its result looks. */
import type { Context } from '../context.js';
import type { Style } from '../output/style.js';

/** One flag. `parse` turns the text into the typed value and throws a UsageError naming the flag. */
export interface OptionSpec {
  /** As commander writes them: `--port <n>`, `--no-verify`, `--json`. */
  flags: string;
  description: string;
  /** The value when the flag is absent, as a user would type it (it goes through `parse` too). */
  default?: string;
  parse?: (text: string) => unknown;
  /** The flag may be given more than once; the command receives every value, in order, as an array. */
  repeatable?: boolean;
  /** The heading it is listed under in --help (`Connection options:`); a description starting `AWS: ` or
   * `local stack: ` is listed under that side's heading instead. The command's own flags come first, ungrouped. */
  group?: string;
  /** A deprecated spelling of the flag declared as this (`--function-timeout <seconds>`): hidden from --help, its value goes to that flag. */
  replacedBy?: string;
}

export interface ArgumentSpec {
  /** `<id>` (required) or `[source]` (optional). */
  name: string;
  description: string;
}

/** What `run` receives besides its arguments and options. */
export interface RunContext<E = never> extends Context {
  /** Hands one live event (a demo step, a log line, a smoke check) to the CLI as it happens. */
  emit(event: E): void;
}

/** How live events are shown: text for people (never with --json), JSON lines only if `json` says so. */
export interface LiveOutput<E> {
  /** `index` counts the events from 0. */
  render(event: E, style: Style, index: number): string;
  /** With --json, print each event as one JSON line. */
  json?: boolean;
  /** A reader that goes away (`| head`) does not end the process: the command runs on and cleans up. */
  outlivesReader?: boolean;
}

export interface CommandDefinition<A extends (string | undefined)[] = string[], O = any, D = any, E = any> {
  options: OptionSpec[];
  /** Shown after the options in --help: examples first, then notes. */
  help: string;
  /** Does the work and returns the result; never prints, never exits. `args` are the registry entry's arguments. */
  run(args: A, opts: O, ctx: RunContext<E>): Promise<D>;
  /** The result for people; with --json the result itself is printed. */
  render?(data: D, style: Style, opts: O): string;
  /** Replaces the default printing, for results that stream (pages of a list) or go elsewhere. */
  print?(data: D, ctx: Context, opts: O): Promise<void>;
  live?: LiveOutput<E>;
  /** Being stopped is this command's normal end (a foreground server): SIGTERM then exits 0, not 143. */
  runsUntilStopped?: boolean;
  /** Runs after the result is printed: throws a CheckFailedError to end with exit 1. */
  check?(data: D): void;
}

/** Declares a command; only for type inference. */
export function defineCommand<A extends (string | undefined)[], O, D, E = unknown>(
  definition: CommandDefinition<A, O, D, E>,
): CommandDefinition<A, O, D, E> {
  return definition;
}

/** What a command module exports. */
export interface CommandModule {
  command: CommandDefinition<any, any, any, any>;
}
