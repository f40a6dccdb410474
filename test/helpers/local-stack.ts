/** The real local stack for the tests of one file: started before them in a temporary folder, stopped after. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../src/local/stack.js';
import { type CliOptions, type CliRun, runCli } from './run-cli.js';

/** The running stack (url, port, secret, versions, stats…), a folder of its own, and the CLI run against it. */
export type UsedLocalStack = LocalStack & {
  /** A temporary folder, removed after the tests: the CLI's working directory. */
  readonly dir: string;
  /** Runs the real CLI in `dir` against this stack (`--url` appended). */
  cli(args: string[], options?: Omit<CliOptions, 'cwd'>): Promise<CliRun>;
};

/**
 * Registers, in the calling file or describe block, a beforeAll that makes a temporary folder and starts a local
 * stack in it (any free port, in memory unless `options` say otherwise), and an afterAll that stops the stack and
 * removes the folder. Read the handle inside tests and hooks, once the stack has started.
 */
export function useLocalStack(options: LocalStackOptions = {}): UsedLocalStack {
  let stack: LocalStack | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'products-cli-stack-'));
    stack = await startLocalStack({ port: 0, ...options });
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const cli = (args: string[], cliOptions: Omit<CliOptions, 'cwd'> = {}): Promise<CliRun> =>
    runCli([...args, '--url', started().url], { ...cliOptions, cwd: dir as string });
  const started = (): LocalStack => {
    if (!stack) throw new Error('the local stack starts in beforeAll: read it inside a test or a hook');
    return stack;
  };
  return new Proxy({} as UsedLocalStack, {
    get(_target, key) {
      if (key === 'cli') return cli;
      if (key === 'dir') return started() && dir;
      const value: unknown = Reflect.get(started(), key);
      return typeof value === 'function' ? value.bind(stack) : value;
    },
  });
}
