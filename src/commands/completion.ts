/** `completion bash|zsh|fish`: a shell completion script for every command and its options, from the command table. */
import { defineCommand } from '../cli/command.js';
import { completionScript, parseFlags, SHELLS, type CompletionCommand, type Shell } from '../cli/completion-scripts.js';
import { COMMANDS } from '../cli/registry.js';
import { UsageError } from '../errors.js';

/** Every command of the table with its options (each command's module is loaded for them). */
async function tableForCompletion(): Promise<CompletionCommand[]> {
  return Promise.all(
    COMMANDS.map(async (entry) => {
      const definition = (await entry.load()).command;
      // Deprecated spellings are hidden from completion as from --help.
      const options = definition.options
        .filter((spec) => !spec.replacedBy)
        .flatMap((spec) => {
          const parsed = parseFlags(spec.flags);
          return parsed ? [{ ...parsed, description: spec.description }] : [];
        });
      return { name: entry.name, summary: entry.summary, options };
    }),
  );
}

export async function completion(shell: string): Promise<string> {
  if (!(SHELLS as readonly string[]).includes(shell))
    throw new UsageError(`the shell must be one of ${SHELLS.join(', ')}, not "${shell}"`);
  return completionScript(shell as Shell, await tableForCompletion());
}

export const command = defineCommand({
  options: [],
  help: `Examples:
  $ source <(products-cli completion bash)                                  # in ~/.bashrc
  $ products-cli completion zsh > "\${fpath[1]}/_products-cli"              # then start a new shell
  $ products-cli completion fish > ~/.config/fish/completions/products-cli.fish

Completes the commands and each command's options; product ids are not completed.`,
  run: ([shell]: [string], _opts: unknown) => completion(shell),
  print: async (script: string, ctx) => void ctx.stdout.write(script),
});
