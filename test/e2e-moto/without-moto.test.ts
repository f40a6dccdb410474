// What a run does on a machine without moto: the suite is skipped with one line that says how to enable it,
// and the run passes; under CI=true the run fails instead. A python without moto is made by running the real
// interpreter with -S (no site-packages), and the suite's own virtual environment is pointed at a fresh folder.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locateMoto, MOTO_INSTALL } from '../../scripts/ci/moto.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

function pythonWithoutMoto(dir: string): string {
  const real =
    spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim() ||
    '/nonexistent/python3';
  const shim = join(dir, 'python-without-moto');
  writeFileSync(shim, `#!/bin/sh\nexec ${real} -S "$@"\n`);
  chmodSync(shim, 0o755);
  return shim;
}

function vitest(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
      cwd: root,
      env,
    });
    let output = '';
    child.stdout.on('data', (c) => (output += String(c)));
    child.stderr.on('data', (c) => (output += String(c)));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** This process's environment as a fresh run would see it: no moto URL, no vitest worker variables. */
function freshEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('VITEST') && key !== 'PRODUCTS_CLI_MOTO_URL' && key !== 'CI',
    ),
  );
  return { ...env, NO_COLOR: '1', ...extra };
}

describe('without moto', () => {
  it('tries to make its own virtual environment, and says why it could not, leaving no half-made one behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'products-no-moto-'));
    const venv = join(dir, 'cache', 'moto');
    mkdirSync(join(dir, 'cache'));

    const found = locateMoto({ env: { ...process.env, PYTHON: pythonWithoutMoto(dir), PRODUCTS_CLI_MOTO_VENV: venv } });

    expect(found.python).toBeUndefined();
    expect(found.missing).toMatch(/has no moto \(.*\), and (pip could not install it|.* -m venv failed)/);
    expect(readdirSync(join(dir, 'cache'))).toEqual([]);
  }, 120_000);

  it('uses the virtual environment in the cache when the system python has no moto', () => {
    // Prepare: stand-in interpreters that answer the import probe as a python without and one with moto would
    const dir = mkdtempSync(join(tmpdir(), 'products-no-moto-'));
    const venv = join(dir, 'moto');
    mkdirSync(join(venv, 'bin'), { recursive: true });
    const script = (path: string, body: string) => (
      writeFileSync(path, `#!/bin/sh\n${body}\n`), chmodSync(path, 0o755), path
    );
    const without = script(join(dir, 'python3'), `echo "ModuleNotFoundError: No module named 'moto'" >&2; exit 1`);
    script(join(venv, 'bin', 'python'), 'echo 5.2.1');

    // Act
    const found = locateMoto({ env: { ...process.env, PYTHON: without, PRODUCTS_CLI_MOTO_VENV: venv } });

    // Assess
    expect(found).toEqual({ python: join(venv, 'bin', 'python') });
  });

  it('skips every file of the emulator suite, saying so in one line with the command that enables it, and the run passes', async () => {
    const env = freshEnv({
      PYTHON: '/nonexistent/python3',
      PRODUCTS_CLI_MOTO_VENV: join(mkdtempSync(join(tmpdir(), 'products-no-moto-')), 'moto'),
    });

    const run = await vitest(['test/e2e-moto', '--exclude', '**/without-moto.test.ts'], env);

    expect(run.code).toBe(0);
    const lines = run.output.split('\n').filter((line) => line.startsWith('skipped: the AWS emulator suite'));
    expect(lines).toEqual([
      `skipped: the AWS emulator suite (test/e2e-moto): /nonexistent/python3 was not found; enable it with: ${MOTO_INSTALL}`,
    ]);
    expect(run.output).toMatch(/Test Files\s+\d+ skipped \(\d+\)/);
    expect(run.output).not.toMatch(/passed|failed/);
  }, 120_000);

  it('fails the run under CI=true rather than skip the suite', async () => {
    const env = freshEnv({
      CI: 'true',
      PYTHON: '/nonexistent/python3',
      PRODUCTS_CLI_MOTO_VENV: join(mkdtempSync(join(tmpdir(), 'products-no-moto-')), 'moto'),
    });

    const run = await vitest(['test/e2e-moto/cli.test.ts'], env);

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      'CI runs the AWS emulator suite (test/e2e-moto), but /nonexistent/python3 was not found',
    );
    expect(run.output).not.toMatch(/^skipped:/m);
  }, 120_000);
});
