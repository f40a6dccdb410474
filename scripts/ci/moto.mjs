// A python with moto's server extras for the AWS emulator suite: $PYTHON (default python3) when it has them,
// else a virtual environment under the cache, made with pip when its index answers within a few seconds.
//   node scripts/ci/moto.mjs   prints that python's path, or says on stderr why there is none (exit 1)
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheRoot } from './cache.mjs';

export const MOTO_VERSION = '5.2.1';
export const MOTO_INSTALL = `pip install "moto[server]==${MOTO_VERSION}"`;
const PROBE = 'import moto, flask, flask_cors; print(moto.__version__)';

/** Where the suite's own moto goes: $PRODUCTS_CLI_MOTO_VENV, by default `<cache>/moto-5.2.1`. */
export function motoVenv(env = process.env) {
  return env.PRODUCTS_CLI_MOTO_VENV || join(cacheRoot(env), `moto-${MOTO_VERSION}`);
}

function lastLine(text) {
  return (
    String(text ?? '')
      .trim()
      .split('\n')
      .pop() ?? ''
  );
}

function probe(python, env) {
  const result = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', env, timeout: 60_000 });
  if (result.error)
    return { ok: false, reason: result.error.code === 'ENOENT' ? `${python} was not found` : result.error.message };
  if (result.status !== 0) return { ok: false, reason: `${python} has no moto (${lastLine(result.stderr)})` };
  return { ok: true };
}

function makeVenv(python, venv, env) {
  const partial = `${venv}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    const created = spawnSync(python, ['-m', 'venv', partial], { encoding: 'utf8', env, timeout: 120_000 });
    if (created.status !== 0)
      return { ok: false, reason: `${python} -m venv failed (${lastLine(created.stderr) || created.error?.message})` };
    // A short socket timeout and no retries: where no index is reachable this fails in seconds.
    const pip = spawnSync(
      join(partial, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--no-input',
        '--timeout',
        '5',
        '--retries',
        '0',
        `moto[server]==${MOTO_VERSION}`,
      ],
      { encoding: 'utf8', env, timeout: 600_000 },
    );
    if (pip.status !== 0)
      return { ok: false, reason: `pip could not install it (${lastLine(pip.stderr) || pip.error?.message})` };
    renameSync(partial, venv);
    return { ok: true };
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/** `{ python }` that has moto, or `{ missing }` saying why there is none; makes the cached venv if it can. */
export function locateMoto({ env = process.env } = {}) {
  const python = env.PYTHON || 'python3';
  const system = probe(python, env);
  if (system.ok) return { python };
  const venvPython = join(motoVenv(env), 'bin', 'python');
  if (existsSync(venvPython) && probe(venvPython, env).ok) return { python: venvPython };
  if (system.reason.endsWith('was not found')) return { missing: system.reason };
  rmSync(motoVenv(env), { recursive: true, force: true });
  const made = makeVenv(python, motoVenv(env), env);
  if (made.ok && probe(venvPython, env).ok) return { python: venvPython };
  return { missing: `${system.reason}, and ${made.ok ? 'the new virtual environment has none either' : made.reason}` };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const found = locateMoto();
  if (found.python) console.log(found.python);
  else {
    console.error(`moto: ${found.missing}; install it with: ${MOTO_INSTALL}`);
    process.exit(1);
  }
}
