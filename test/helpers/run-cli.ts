/** Runs the real `bin/products-cli.js` as a child process and collects what it printed and how it ended. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './artifact.js';

export const binPath = join(packageRoot, 'bin', 'products-cli.js');
export const recordModulesPath = join(packageRoot, 'test', 'commands', 'fixtures', 'record-modules.mjs');

export interface CliRun {
  code: number | null;
  /** The signal that ended it, e.g. 'SIGKILL' when it outlived `timeoutMs`. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Added to this process's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to its stdin, which then closes (stdin is a pipe, never a terminal). */
  input?: string;
  /** Killed (SIGKILL) if still running after this long; default never. */
  timeoutMs?: number;
  /** Extra options for node itself, before the bin. */
  nodeArgs?: string[];
}

/** Fails early, with what to do, when the CLI has not been built. */
export function requireBuild(): void {
  if (!existsSync(join(packageRoot, 'build', 'cli.js'))) {
    throw new Error('build/cli.js is missing: run `npm run build` before these tests');
  }
}

/** How the CLI's hints name it when run by runCli: as started, with node and the bin's path (never npx's name). */
export const cliName = `node ${binPath}`;

/** The environment the CLI runs with: colour off, no PRODUCTS_API_URL/KEY unless given, not under npx. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    PRODUCTS_API_URL: undefined,
    PRODUCTS_API_KEY: undefined,
    npm_command: undefined,
    ...extra,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env as NodeJS.ProcessEnv;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Settles once it has ended and closed its output. */
  done: Promise<CliRun>;
}

/** Starts the CLI with `args` in `options.cwd`, with `cliEnv(options.env)`, for a test that signals or reads it live. */
export function startCli(args: string[], options: CliOptions): RunningCli {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), binPath, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
  });
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  child.stdin.end(options.input ?? '');
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

/** Runs the CLI with `args` in `options.cwd` to its end (see startCli). */
export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  return startCli(args, options).done;
}

/** The lines of NDJSON output, parsed. */
export function parseNdjson(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}
