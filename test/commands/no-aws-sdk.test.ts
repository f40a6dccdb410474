// The data commands talk HTTP only: loading the AWS SDK (or anything else they do not need) would cost every
// `get` its startup time.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { recordModulesPath, requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';
import { product, productFlags } from '../helpers/product.js';

const stack = useLocalStack();

beforeAll(async () => {
  requireBuild();
});

/** Runs the CLI with every loaded module recorded, and returns the exit code and the module URLs. */
async function loadedModules(args: string[], name: string): Promise<{ code: number | null; modules: string[] }> {
  const file = join(stack.dir, `${name}.txt`);
  const run = await runCli(args, {
    cwd: stack.dir,
    env: { RECORD_MODULES_FILE: file },
    nodeArgs: ['--import', recordModulesPath],
  });
  const modules = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
  return { code: run.code, modules };
}

const isSdk = (module: string) => /[\\/]node_modules[\\/]@(aws-sdk|smithy|aws-crypto)[\\/]/.test(module);

describe('module loading', () => {
  it('sees the SDK when a command does load it (the recorder works)', async () => {
    const { code, modules } = await loadedModules(['demo', '--json'], 'demo');

    expect(code).toBe(EXIT.ok);
    expect(modules.some(isSdk)).toBe(true);
  });

  it.each([
    ['add', ['add', ...productFlags(product({ id: 'sdk-1' }))]],
    ['get', ['get', 'sdk-1']],
    ['list', ['list', '--json']],
    ['update', ['update', 'sdk-1', '--price', '800']],
    ['delete', ['delete', 'sdk-1']],
    ['get-missing', ['get', 'sdk-1']],
  ])('%s never loads the AWS SDK', async (name, args) => {
    const { code, modules } = await loadedModules([...args, '--url', stack.url], name);

    expect(code).toBe(name === 'get-missing' ? EXIT.notFound : EXIT.ok);
    expect(modules.some((module) => module.includes('/build/cli.js'))).toBe(true);
    expect(modules.filter(isSdk)).toEqual([]);
    // Colour is off (NO_COLOR, and stdout is a pipe), so chalk has nothing to do and is not loaded either.
    expect(modules.filter((module) => /[\\/]node_modules[\\/]chalk[\\/]/.test(module))).toEqual([]);
  });
});
