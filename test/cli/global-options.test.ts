// Global options before or after the command, and argv errors in the CLI's own format; through the real bin
// against the local stack with its default throttle.
import { beforeAll, describe, expect, it } from 'vitest';
import { hoistGlobalOptions } from '../../src/cli/global-options.js';
import { EXIT } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { cliName, requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';

const stack = useLocalStack();

beforeAll(async () => {
  requireBuild();
  const api = new ProductApi({ baseUrl: stack.url });
  await api.create({ id: 'g1', title: 'Global', price: 1 });
  await api.close();
});

describe('hoistGlobalOptions', () => {
  it.each([
    [['--json', 'get', '1'], ['get', '--json', '1'], { noColor: false, quiet: false }],
    [['--no-color', '--quiet', 'list', '--limit', '2'], ['list', '--limit', '2'], { noColor: true, quiet: true }],
    [['get', '1', '--no-color'], ['get', '1'], { noColor: true, quiet: false }],
    [
      ['--debug', '--json', 'get', '1', '--', '--quiet'],
      ['get', '--debug', '--json', '1', '--', '--quiet'],
      { noColor: false, quiet: false },
    ],
  ])('%j becomes %j', (given, expected, flags) => {
    expect(hoistGlobalOptions(['node', 'cli', ...given])).toEqual({ argv: ['node', 'cli', ...expected], flags });
  });
});

describe('global options on the command line', () => {
  it('may come before the command: products-cli --json get ID', async () => {
    const run = await runCli(['--json', 'get', 'g1', '--url', stack.url], { cwd: stack.dir });
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: 'g1', title: 'Global' });
  });

  it('--quiet leaves only results and errors', async () => {
    const run = await runCli(['--quiet', 'list', '--url', stack.url], { cwd: stack.dir });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('g1');
    expect(run.stderr).toBe('');
  });

  it('--no-color is accepted anywhere', async () => {
    const run = await runCli(['get', 'g1', '--no-color', '--url', stack.url], { cwd: stack.dir });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).not.toContain('\x1b[');
  });
});

describe('argv errors', () => {
  it('with --json are the documented JSON error', async () => {
    const run = await runCli(['--json', 'get'], { cwd: stack.dir });
    expect(run.code).toBe(EXIT.usage);
    expect(JSON.parse(run.stderr)).toEqual({
      error: { name: 'UsageError', message: 'get needs <id>', exitCode: EXIT.usage },
    });
  });

  it('without it, have the one prefix and say where to read more', async () => {
    const run = await runCli(['get', 'g1', '--bogus'], { cwd: stack.dir });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe(`products-cli: unknown option '--bogus'\nsee \`${cliName} get --help\`\n`);
  });

  it('an unknown command points at the top-level help', async () => {
    const run = await runCli(['lsit'], { cwd: stack.dir });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe(`products-cli: unknown command 'lsit'\n(Did you mean list?)\nsee \`${cliName} --help\`\n`);
  });
});

describe('--help', () => {
  it.each([
    [
      'import',
      [
        '--rate <r>',
        '--dry-run',
        '--timeout <seconds>',
        '--retries <n>',
        '--debug',
        'import products.csv --dry-run',
        'import products.ndjson --rate 50',
        '--timeout 30 --retries 0 --debug',
      ],
    ],
    ['export', ['--format <format>', 'export --format csv --output products.csv', 'export | head -3']],
    ['update', ['--file <path>', 'update 1 --file change.json', `${cliName} update 1 -`]],
    ['delete', ['delete 1 2 3']],
  ])('of %s shows each new flag with an example', async (command, texts) => {
    const run = await runCli([command, '--help'], { cwd: stack.dir });
    expect(run.code).toBe(EXIT.ok);
    for (const text of texts) expect(run.stdout).toContain(text);
  });
});
