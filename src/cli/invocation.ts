/** How the user started the CLI, so that every hint names a command they can run as it is. */
import { realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';
import { COMMANDS } from './registry.js';

/** The name when the bin is on the PATH (npm link, npm install -g, the packed tarball installed). */
export const BIN_NAME = 'products-cli';

function realpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** True when `products-cli` on the PATH is this very script. */
function isOnPath(script: string, env: NodeJS.ProcessEnv): boolean {
  const self = realpath(script);
  return (
    self !== undefined &&
    (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && realpath(join(dir, BIN_NAME)) === self)
  );
}

/**
 * The invocation hints should show: `products-cli` when that name on the PATH is this script, `npx products-cli`
 * under npx (or npm exec), otherwise `node` and the script's path (relative to `cwd` when below it).
 */
export function invocationName(script: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  // npx puts the package's bin folder on the PATH for its run only, so it is asked first.
  if (env.npm_command === 'exec') return `npx ${BIN_NAME}`;
  if (!script || isOnPath(script, env)) return BIN_NAME;
  const below = relative(cwd, script);
  const path = below !== '' && !below.startsWith('..') && !isAbsolute(below) ? below : script;
  return `node ${/[^\w./-]/.test(path) ? `'${path.replace(/'/g, `'\\''`)}'` : path}`;
}

/** Rewrites each mention of a command (`products-cli setup --local`, `products-cli --help`) in text for people to use `name`. */
export function hintRewriter(name: string): (text: string) => string {
  if (name === BIN_NAME) return (text) => text;
  const commands = [...COMMANDS.map((c) => c.name), 'help'].join('|');
  // A mention starts a line or follows a space, a backquote or a bracket; `name="products-cli smoke"` is data.
  const mention = new RegExp(`(?<=^|[\\s\`(])${BIN_NAME} (?=(?:${commands})\\b|--help)`, 'gm');
  return (text) => text.replace(mention, `${name} `);
}
