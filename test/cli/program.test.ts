// The command table as the user meets it: every command listed, only the one asked for loaded, and a bad flag
// value stopped where the flag is declared, as a one-line usage error (JSON with --json).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/registry.js';
import { EXPORT_FORMATS } from '../../src/commands/export.js';
import { EXIT } from '../../src/errors.js';
import { recordModulesPath, requireBuild, runCli } from '../helpers/run-cli.js';

let cwd: string;

beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-program-'));
});

afterAll(async () => {
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

async function helpOf(
  args: string[],
  name: string,
): Promise<{ code: number | null; stdout: string; commandModules: string[]; sdk: string[] }> {
  const file = join(cwd, `${name}.txt`);
  const run = await runCli(args, {
    cwd,
    env: { RECORD_MODULES_FILE: file },
    nodeArgs: ['--import', recordModulesPath],
  });
  const modules = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
  // A command is `commands/<name>.js`, or `commands/<name>/index.js` beside its sides (`commands/<name>/aws.js`).
  const moduleName = (module: string) => /[\\/]build[\\/]commands[\\/](.+?)(?:[\\/]index)?\.js$/.exec(module)?.[1];
  const commandModules = [...new Set(modules.map(moduleName).filter((m): m is string => m !== undefined))];
  return {
    code: run.code,
    stdout: run.stdout,
    commandModules,
    sdk: modules.filter((module) => /[\\/]node_modules[\\/]@(aws-sdk|smithy)[\\/]/.test(module)),
  };
}

describe('the command table', () => {
  it('lists every command with its arguments in --help, loading none of their modules', async () => {
    const help = await helpOf(['--help'], 'top');

    expect(help.code).toBe(EXIT.ok);
    for (const entry of COMMANDS) {
      const usage = [entry.name, '[options]', ...(entry.arguments ?? []).map((argument) => argument.name)].join(' ');
      expect(help.stdout).toContain(`  ${usage}  `);
    }
    expect(help.commandModules).toEqual([]);
  });

  it("says in export's summary every format it writes", () => {
    const summary = COMMANDS.find((entry) => entry.name === 'export')?.summary ?? '';
    for (const format of EXPORT_FORMATS) expect(summary.toLowerCase()).toContain(format);
  });

  it.each(COMMANDS.map((entry) => [entry.name]))(
    'loads only its own command module, and no AWS SDK, for `%s --help`',
    async (name) => {
      const help = await helpOf([name, '--help'], name);

      expect(help.code).toBe(EXIT.ok);
      expect(help.stdout).toMatch(/\nExamples:\n {2}\$ /);
      expect(help.commandModules).toContain(name);
      expect(
        help.commandModules.filter((module) => module !== name && COMMANDS.some((entry) => entry.name === module)),
      ).toEqual([]);
      expect(help.sdk).toEqual([]);
    },
  );
});

describe('flag values', () => {
  it('refuses a bad value where the flag is declared, naming the flag in one line', async () => {
    const run = await runCli(['list', '--limit', '0', '--url', 'http://127.0.0.1:9/prod'], { cwd });

    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe('products-cli: --limit must be a whole number from 1, not "0"\n');
    expect(run.stdout).toBe('');
  });

  it('reports it as JSON with --json, even though the command never started', async () => {
    const run = await runCli(['setup', '--json', '--memory', '64'], { cwd });

    expect(run.code).toBe(EXIT.usage);
    expect(JSON.parse(run.stderr)).toEqual({
      error: {
        name: 'UsageError',
        message: '--memory must be a whole number of MB from 128 to 10240, not "64"',
        exitCode: EXIT.usage,
      },
    });
    expect(run.stdout).toBe('');
  });
});

describe('renamed flags', () => {
  it('print the deprecation notice on stderr, even with --json, and nothing on stdout', async () => {
    // --port stops setup on AWS before any call, so the run ends right after the notice.
    const run = await runCli(['setup', '--json', '--timeout', '5', '--port', '3000'], { cwd });

    expect(run.code).toBe(EXIT.usage);
    expect(run.stdout).toBe('');
    const [notice, error] = run.stderr.split('\n');
    expect(notice).toBe('products-cli: --timeout is deprecated for setup: use --function-timeout (the same value)');
    expect(JSON.parse(error as string)).toEqual({
      error: { name: 'UsageError', message: '--port applies to setup --local only', exitCode: EXIT.usage },
    });
  });

  it.each(['setup', 'local'])('show only the new names in `%s --help`', async (name) => {
    const run = await runCli([name, '--help'], { cwd });

    expect(run.stdout).toContain('--function-timeout <seconds>');
    expect(run.stdout).toContain('--function-concurrency <n>');
    expect(run.stdout).not.toMatch(/^\s+--timeout /m);
    expect(run.stdout).not.toMatch(/^\s+--concurrency /m);
  });
});

describe('global options before the command', () => {
  it.each(COMMANDS.map((entry) => [entry.name]))(
    '`--json --debug %s` accepts both and reports the next bad flag',
    async (name) => {
      const run = await runCli(['--json', '--debug', name, '--no-such-flag'], { cwd });

      expect(run.code).toBe(EXIT.usage);
      expect(JSON.parse(run.stderr)).toEqual({
        error: { name: 'UsageError', message: "unknown option '--no-such-flag'", exitCode: EXIT.usage },
      });
    },
  );
});

describe('help that scans', () => {
  it('groups the commands under their headings, every command under exactly one', async () => {
    const run = await runCli(['--help'], { cwd });

    const { COMMAND_GROUPS } = await import('../../src/cli/registry.js');
    const headings = Object.values(COMMAND_GROUPS);
    const at = headings.map((heading) => run.stdout.indexOf(`\n${heading}\n`));
    expect(at.every((index) => index > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const entry of COMMANDS) {
      const line = run.stdout.indexOf(`\n  ${entry.name} `);
      const heading = headings.indexOf(COMMAND_GROUPS[entry.group]);
      expect(line).toBeGreaterThan(at[heading] as number);
      if (heading + 1 < at.length) expect(line).toBeLessThan(at[heading + 1] as number);
    }
  });

  it("lists a command's own flags first, then the shared ones under their heading", async () => {
    const run = await runCli(['get', '--help'], { cwd });

    expect(run.stdout.indexOf('--json')).toBeLessThan(run.stdout.indexOf('\nConnection options:\n'));
    expect(run.stdout.indexOf('\nConnection options:\n')).toBeLessThan(run.stdout.indexOf('--url <url>'));
  });

  it("splits setup's flags into both stacks', the local stack's and AWS's, each without its prefix", async () => {
    const run = await runCli(['setup', '--help'], { cwd });
    const local = run.stdout.indexOf('\nLocal stack options (with --local):\n');
    const aws = run.stdout.indexOf('\nAWS options (without --local):\n');

    expect(run.stdout.indexOf('--rate-limit')).toBeLessThan(local);
    expect(run.stdout.indexOf('--port <n>')).toBeGreaterThan(local);
    expect(run.stdout.indexOf('--memory <mb>')).toBeGreaterThan(aws);
    expect(run.stdout).not.toMatch(/ AWS: | local stack: /);
  });

  it.each([
    [['add', '--price'], '--price needs a value: --price <price>'],
    [['get'], 'get needs <id>'],
    [['get', 'a', 'b'], 'get takes at most 1 argument, not 2'],
    [['list', 'x'], 'list takes no arguments, not 1'],
  ])('words `%s` in its own terms', async (args, message) => {
    const run = await runCli(args, { cwd });

    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr.split('\n')[0]).toBe(`products-cli: ${message}`);
  });
});
