/** What every command receives besides its options: where to write, the environment, and how to render. */
import type { Writable } from 'node:stream';

export interface Context {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Machine-readable output was asked for with --json. */
  json: boolean;
  /** Colour is on: stdout is a TTY and NO_COLOR is unset. */
  color: boolean;
  /** `--quiet`: no progress, notes or waiting notices on stderr. */
  quiet?: boolean;
  /** Names the CLI in a hint as the user started it (`npx products-cli`, `node bin/products-cli.js`); as is by default. */
  hint?: (text: string) => string;
  /** Aborted on Ctrl-C, so long commands stop cleanly. */
  signal: AbortSignal;
}

/** The context of a real process. */
export function processContext(json: boolean, signal: AbortSignal): Context {
  const env = process.env;
  const color = Boolean(process.stdout.isTTY) && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env,
    cwd: process.cwd(),
    json,
    color,
    signal,
  };
}
