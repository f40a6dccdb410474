/** Turns the command table into a commander program; the only module besides main.ts that knows commander. */
import { Argument, Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { CommandDefinition, OptionSpec } from './command.js';
import { GLOBAL_OPTIONS_HELP, MOVED_GLOBAL_FLAGS } from './global-options.js';
import { hintRewriter, invocationName } from './invocation.js';
import { COMMAND_GROUPS, COMMANDS } from './registry.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a check failed, or an unexpected error
  2  usage error: bad flags, arguments or input
  3  product not found
  4  conflict: the id exists, or the version changed (If-Match)
  5  API or network error
  6  AWS refused or failed a provisioning call
  130 interrupted (Ctrl-C)
  143 stopped by SIGTERM, after cleaning up`;

/**
 * What the program calls when a command's action runs: its definition, the parsed arguments and options, and
 * one-line notices for stderr (a deprecated flag was used).
 */
export type Invoke = (
  definition: CommandDefinition,
  args: string[],
  opts: Record<string, unknown>,
  notices: string[],
) => Promise<void>;

function usageOf(argument: Argument): string {
  const name = `${argument.name()}${argument.variadic ? '...' : ''}`;
  return argument.required ? `<${name}>` : `[${name}]`;
}

/** The command named in argv (`products-cli help get` names `get`), if any. */
function requestedCommand(args: string[]): string | undefined {
  const first = args.find((arg) => !arg.startsWith('-'));
  return first === 'help' ? args[args.indexOf(first) + 1] : first;
}

/** A deprecated spelling's attribute and the one of the flag it was renamed to. */
interface Rename {
  from: Option;
  to: Option;
}

/** Moves the values given under deprecated spellings to their new names; returns a notice for each. */
function applyRenames(command: string, renames: Rename[], opts: Record<string, unknown>): string[] {
  const notices: string[] = [];
  for (const { from, to } of renames) {
    const value = opts[from.attributeName()];
    if (value === undefined) continue;
    if (opts[to.attributeName()] !== undefined)
      throw new UsageError(`${to.long} and ${from.long} are the same flag; give ${to.long} only`);
    delete opts[from.attributeName()];
    opts[to.attributeName()] = value;
    notices.push(`${from.long} is deprecated for ${command}: use ${to.long} (the same value)`);
  }
  return notices;
}

/** The sides a description can start with, and the heading their flags are listed under. */
const SIDE_GROUPS: ReadonlyArray<[prefix: string, heading: string]> = [
  ['AWS: ', 'AWS options (without --local):'],
  ['local stack: ', 'Local stack options (with --local):'],
];

/** Where a flag is listed in --help, and its description there: a side's prefix moves into the heading. */
function placeOf(spec: OptionSpec): { group?: string; description: string } {
  if (spec.group) return { group: spec.group, description: spec.description };
  const side = SIDE_GROUPS.find(([prefix]) => spec.description.startsWith(prefix));
  return side
    ? { group: side[1], description: spec.description.slice(side[0].length) }
    : { description: spec.description };
}

/** Adds a definition's options, help and action to `command`: its own flags first, then each group's. */
function attach(command: Command, definition: CommandDefinition, argumentCount: number, invoke: Invoke): void {
  const renames: Rename[] = [];
  const placed = definition.options.map((spec) => ({ spec, ...placeOf(spec) }));
  const ordered = [...placed.filter((p) => p.group === undefined), ...placed.filter((p) => p.group !== undefined)];
  for (const { spec, group, description } of ordered) {
    const option = new Option(spec.flags, description);
    if (group) option.helpGroup(group);
    if (spec.replacedBy) {
      option.hideHelp();
      renames.push({ from: option, to: new Option(spec.replacedBy) });
    }
    if (spec.repeatable) {
      const parse = spec.parse ?? ((text: string) => text);
      option.argParser((text: string, previous: unknown) => [
        ...((previous as unknown[] | undefined) ?? []),
        parse(text),
      ]);
    } else if (spec.parse) {
      const parse = spec.parse;
      option.argParser((text: string) => parse(text));
    }
    if (spec.default !== undefined)
      option.default(spec.parse ? spec.parse(spec.default) : spec.default, JSON.stringify(spec.default));
    command.addOption(option);
  }
  // The global options may come before any command; a command that has no use for one still accepts it.
  for (const flag of MOVED_GLOBAL_FLAGS) {
    if (!definition.options.some((spec) => spec.flags.split(/[ ,|]+/).includes(flag)))
      command.addOption(new Option(flag).hideHelp());
  }
  command.addHelpText('after', `\n${definition.help}`);
  command.action(async (...params: unknown[]) => {
    // Commander passes the arguments, then the options, then the command itself.
    const args = params.slice(0, argumentCount) as string[];
    const opts = params[argumentCount] as Record<string, unknown>;
    const notices = applyRenames(command.name(), renames, opts);
    await invoke(definition, args, opts, notices);
  });
}

/**
 * The program for `argv`: every command with its arguments and summary, and the requested one, loaded from its
 * module, with its options, help and action. The others stay summaries, for the top-level help and suggestions.
 */
export async function buildProgram(argv: string[], invoke: Invoke): Promise<Command> {
  // The examples in --help name the CLI as the user started it.
  const hint = hintRewriter(invocationName(argv[1], process.env, process.cwd()));
  const program = new Command('products-cli')
    .description(
      'Stand up, exercise and tear down a serverless product-catalogue REST API (DynamoDB, Lambda, API Gateway), on AWS or offline.',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .showSuggestionAfterError()
    .exitOverride()
    // Errors about argv are reported by cli.ts, in the CLI's own format (JSON with --json).
    .configureOutput({ outputError: () => undefined, writeOut: (text) => process.stdout.write(hint(text)) })
    // The commands not requested are not loaded, so their options are unknown here; every command has some.
    .configureHelp({
      subcommandTerm: (command) =>
        [
          command.name(),
          ...(command.name() === 'help' ? [] : ['[options]']),
          ...command.registeredArguments.map(usageOf),
        ].join(' '),
    })
    .addHelpText('after', `${GLOBAL_OPTIONS_HELP}\n${EXIT_CODES_HELP}`);
  const requested = requestedCommand(argv.slice(2));
  // Listed group by group, in COMMAND_GROUPS' order: commander lists the groups in the order first seen.
  const groupOrder = Object.keys(COMMAND_GROUPS);
  const listed = [...COMMANDS].sort((a, b) => groupOrder.indexOf(a.group) - groupOrder.indexOf(b.group));
  for (const entry of listed) {
    const command = program.command(entry.name).description(entry.summary).helpGroup(COMMAND_GROUPS[entry.group]);
    for (const argument of entry.arguments ?? [])
      command.addArgument(new Argument(argument.name, argument.description));
    if (entry.name === requested) attach(command, (await entry.load()).command, entry.arguments?.length ?? 0, invoke);
  }
  return program;
}
