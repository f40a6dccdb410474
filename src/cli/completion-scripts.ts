/**
 * Shell completion scripts for bash, zsh and fish, generated from the command table: every command, and each
 * command's options as its definition declares them (product ids are not completed). Pure functions of that table.
 */

export interface CompletionCommand {
  name: string;
  summary: string;
  /** Long options, such as `--url`; `takesValue` for those followed by a value. */
  options: { flag: string; takesValue: boolean; description: string }[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const GLOBALS = ['--json', '--quiet', '--no-color', '--debug', '--help'];

/** `--port <n>` → `{ flag: '--port', takesValue: true }`; the long name only. */
export function parseFlags(flags: string): { flag: string; takesValue: boolean } | undefined {
  const match = /(--[a-z0-9-]+)(\s+[<[])?/i.exec(flags);
  return match ? { flag: match[1] as string, takesValue: match[2] !== undefined } : undefined;
}

const words = (command: CompletionCommand) =>
  [...new Set([...command.options.map((option) => option.flag), ...GLOBALS])].join(' ');

function bash(commands: CompletionCommand[]): string {
  const cases = commands.map((command) => `    ${command.name}) opts="${words(command)}" ;;`).join('\n');
  return `# products-cli completion for bash: add to ~/.bashrc
#   source <(products-cli completion bash)
_products_cli() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" opts="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [[ -z "$cmd" && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "${commands.map((command) => command.name).join(' ')}" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) opts="${GLOBALS.join(' ')}" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  fi
}
complete -o default -o bashdefault -F _products_cli products-cli
`;
}

const zshQuote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

function zsh(commands: CompletionCommand[]): string {
  const described = commands
    .map((command) => `    ${zshQuote(`${command.name}:${command.summary.replace(/:/g, '\\:')}`)}`)
    .join('\n');
  const cases = commands.map((command) => `    ${command.name}) compadd -- ${words(command)} ;;`).join('\n');
  return `#compdef products-cli
# products-cli completion for zsh: save as _products-cli in a directory on $fpath, such as
#   products-cli completion zsh > "\${fpath[1]}/_products-cli"   (then start a new shell)
_products_cli() {
  local -a commands
  commands=(
${described}
  )
  local cmd="" i
  for ((i = 2; i < CURRENT; i++)); do
    [[ "\${words[i]}" != -* ]] && { cmd="\${words[i]}"; break; }
  done
  if [[ -z "$cmd" && "\${words[CURRENT]}" != -* ]]; then
    _describe 'command' commands
    return
  fi
  if [[ "\${words[CURRENT]}" != -* ]]; then
    _files
    return
  fi
  case "$cmd" in
${cases}
    *) compadd -- ${GLOBALS.join(' ')} ;;
  esac
}
compdef _products_cli products-cli
`;
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(commands: CompletionCommand[]): string {
  const lines = [
    '# products-cli completion for fish:',
    '#   products-cli completion fish > ~/.config/fish/completions/products-cli.fish',
    `complete -c products-cli -n __fish_use_subcommand -l json -d 'machine-readable output'`,
    `complete -c products-cli -n __fish_use_subcommand -l quiet -d 'results and errors only'`,
    `complete -c products-cli -n __fish_use_subcommand -l no-color -d 'no colour'`,
    `complete -c products-cli -n __fish_use_subcommand -l debug -d 'trace HTTP requests'`,
  ];
  for (const command of commands) {
    lines.push(
      `complete -c products-cli -f -n __fish_use_subcommand -a ${command.name} -d ${fishQuote(command.summary)}`,
    );
    for (const option of command.options) {
      const value = option.takesValue ? ' -r' : '';
      lines.push(
        `complete -c products-cli -n '__fish_seen_subcommand_from ${command.name}' -l ${option.flag.slice(2)}${value} -d ${fishQuote(option.description)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell, commands: CompletionCommand[]): string {
  return { bash, zsh, fish }[shell](commands);
}
