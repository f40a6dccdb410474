/** Runs the real `bin/products-cli.js` as a child process and collects what it printed and how it ended. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const binPath = join(packageRoot, 'bin', 'products-cli.js');
export const recordModulesPath = join(packageRoot, 'test', 'commands', 'fixtures', 'record-modules.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Extra options for node itself, before the bin. */
  nodeArgs?: string[];
}

/** Fails early, with what to do, when the CLI has not been built. */
export function requireBuild(): void {
  if (!existsSync(join(packageRoot, 'build', 'cli.js'))) {
    throw new Error('build/cli.js is missing: run `npx tsc -p .` (or `npm run build`) before these tests');
  }
}

/** How the CLI's hints name it when run by runCli: as started, with node and the bin's path (never npx's name). */
export const cliName = `node ${binPath}`;

/** Runs the CLI with `args`; colour off, no PRODUCTS_API_URL unless given, not under npx whatever ran the tests. */
export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    PRODUCTS_API_URL: undefined,
    PRODUCTS_API_KEY: undefined,
    npm_command: undefined,
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), binPath, ...args], {
      cwd: options.cwd,
      env: env as NodeJS.ProcessEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The lines of NDJSON output, parsed. */
export function parseNdjson(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}
