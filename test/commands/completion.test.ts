// `products-cli completion`: scripts generated from the command table; the bash one is run in a real bash.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/registry.js';
import { EXIT } from '../../src/errors.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';

let cwd: string;

beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-completion-'));
});

afterAll(async () => {
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

/** What bash completes for the words typed so far (the last one being completed). */
async function bashCompletes(script: string, typed: string[]): Promise<string[]> {
  await writeFile(join(cwd, 'completion.bash'), script);
  const words = typed.map((word) => `'${word}'`).join(' ');
  const program = `source ./completion.bash; COMP_WORDS=(${words}); COMP_CWORD=${typed.length - 1}; _products_cli; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const child = spawn('bash', ['-c', program], { cwd });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await new Promise((resolve) => child.on('close', resolve));
  return out.split('\n').filter(Boolean);
}

describe('completion bash', () => {
  let script: string;

  beforeAll(async () => {
    const run = await runCli(['completion', 'bash'], { cwd });
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stderr).toBe('');
    script = run.stdout;
  });

  it('completes every command of the table', async () => {
    expect(await bashCompletes(script, ['products-cli', ''])).toEqual(COMMANDS.map((entry) => entry.name));
    expect(await bashCompletes(script, ['products-cli', 'im'])).toEqual(['import']);
  });

  it("completes a command's own options, after global options too", async () => {
    expect(await bashCompletes(script, ['products-cli', 'import', 'x.csv', '--d'])).toEqual(['--debug', '--dry-run']);
    expect(await bashCompletes(script, ['products-cli', '--json', 'export', '--fo'])).toEqual(['--format']);
    expect(await bashCompletes(script, ['products-cli', 'delete', '--if'])).toEqual(['--if-version']);
  });
});

describe.each(['zsh', 'fish'])('completion %s', (shell) => {
  it('names every command and its options', async () => {
    const run = await runCli(['completion', shell], { cwd });

    expect(run.code, run.stderr).toBe(EXIT.ok);
    for (const entry of COMMANDS) expect(run.stdout).toContain(entry.name);
    expect(run.stdout).toMatch(
      shell === 'zsh' ? /import\) compadd -- .*--dry-run/ : /__fish_seen_subcommand_from import' -l rate -r/,
    );
  });
});

it('refuses another shell as a usage error', async () => {
  const run = await runCli(['completion', 'tcsh'], { cwd });
  expect(run.code).toBe(EXIT.usage);
  expect(run.stderr).toBe('products-cli: the shell must be one of bash, zsh, fish, not "tcsh"\n');
});
