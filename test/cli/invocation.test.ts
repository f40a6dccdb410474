import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hintRewriter, invocationName } from '../../src/cli/invocation.js';
import { packageRoot } from '../helpers/artifact.js';
import { binPath, runCli } from '../helpers/run-cli.js';

describe('invocationName', () => {
  const linked = mkdtempSync(join(tmpdir(), 'products-cli-path-'));
  symlinkSync(binPath, join(linked, 'products-cli'));

  it.each([
    ['the bin on the PATH (npm link)', { PATH: `/nowhere:${linked}` }, packageRoot, 'products-cli'],
    ['npx', { PATH: linked, npm_command: 'exec' }, packageRoot, 'npx products-cli'],
    ['node and a path below the directory', { PATH: '/nowhere' }, packageRoot, 'node bin/products-cli.js'],
    // A folder of its own: the package itself may sit below the temporary folder.
    [
      'node and the whole path from elsewhere',
      { PATH: '/nowhere' },
      mkdtempSync(join(tmpdir(), 'elsewhere-')),
      `node ${binPath}`,
    ],
  ])('names %s', (_case, env, cwd, expected) => {
    expect(invocationName(binPath, env, cwd)).toBe(expected);
  });

  it('rewrites mentions of commands only', () => {
    const hint = hintRewriter('npx products-cli');
    expect(
      hint('Try: products-cli add --id 1 && products-cli list; see `products-cli --help`; the products-cli stack'),
    ).toBe(
      'Try: npx products-cli add --id 1 && npx products-cli list; see `npx products-cli --help`; the products-cli stack',
    );
  });
});

describe('the hints of a CLI started with node', () => {
  it('name `node bin/products-cli.js` in help examples and in errors', async () => {
    const env = {
      PATH: process.env.PATH?.split(':')
        .filter((dir) => !dir.includes('node_modules'))
        .join(':'),
      npm_command: undefined,
    };
    const help = await runCli(['setup', '--help'], { cwd: packageRoot, env });
    const error = await runCli(['status', '--local'], { cwd: mkdtempSync(join(tmpdir(), 'products-cli-hint-')), env });

    expect(help.stdout).toContain('$ node bin/products-cli.js setup --local ');
    expect(error.stderr).toContain(`start it with node ${binPath} setup --local`);
  });
});
