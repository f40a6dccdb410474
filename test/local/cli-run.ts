/** Running the real CLI in a directory, for the tests that drive the local stack through it. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'products-cli.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real bin in `cwd`, stdin a pipe (not a terminal). */
export function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
