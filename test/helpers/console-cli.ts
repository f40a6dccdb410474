/** `products-cli console --json` through the real bin, running until stopped: its URL once it listens. */
import { spawn, type ChildProcess } from 'node:child_process';
import { binPath, cliEnv } from './run-cli.js';

export interface RunningConsole {
  /** The printed URL, with its token. */
  url: string;
  process: ChildProcess;
  /** What it wrote on stderr so far. */
  stderr(): string;
}

/** Starts the console with `args` (after `console … --json`) in `cwd`; rejects if it exits before it listens. */
export function startConsoleCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<RunningConsole> {
  const child = spawn(process.execPath, [binPath, 'console', ...args, '--json'], {
    cwd: options.cwd,
    env: cliEnv(options.env),
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, process: child, stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`console exited with ${code}: ${stderr}`)));
  });
}

/** The cookie the console sets for its URL's token, as a Cookie header. */
export async function consoleCookie(url: string): Promise<string> {
  const opened = await fetch(url, { redirect: 'manual' });
  return (opened.headers.get('set-cookie') as string).split(';')[0] as string;
}
