// Import against the stage throttle: 3,000 products into a local stack with its default throttle (100 requests/s,
// burst 200, as the AWS stage default), then the same file again (all skips, which spend the rate as well).
// The goal is the throttle's own time, (3000 - 200) / 100 = 28 s, within 1.15x (32.2 s). Each run must exit 0
// with every row created (then skipped) and none failed or not sent; otherwise the figure is MISS, exit 1.
//
//   node scripts/bench/import-throttled.mjs [--rows N] [--json]      (needs `npm run build` first)
// The figure is a time and depends on the machine's load only where the throttle is not the bound.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finish, reason, row } from './figures.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'products-cli.js');
const THROTTLE = { rateLimit: 100, burstLimit: 200 };
const RATIO_GOAL = 1.15;

/** The local stack in its own process, with the default stage throttle. */
export function startThrottledStack() {
  const child = spawn(
    process.execPath,
    [join(root, 'build', 'local', 'serve.js'), JSON.stringify({ port: 0, quiet: true })],
    {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      if (message.type !== 'ready') return reject(new Error(message.message));
      resolve({
        url: message.url,
        stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))),
      });
    });
    child.once('exit', (code) => reject(new Error(`the local stack exited with code ${code}`)));
  });
}

/** One `import FILE --json` as a fresh process: its exit code, wall time and summary. */
export function importOnce(file, url, cwd, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', ...extraEnv };
    delete env.PRODUCTS_API_URL;
    const started = performance.now();
    const child = spawn(process.execPath, [bin, 'import', file, '--url', url, '--json'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      let summary;
      try {
        summary = JSON.parse(stdout);
      } catch {
        summary = undefined;
      }
      resolve({ code, seconds: (performance.now() - started) / 1000, summary, stderr: stderr.trim() });
    });
  });
}

/** What a run should have done; the reason it did not, or undefined. */
function miss(run, rows, expect) {
  if (run.code !== 0) return `exit ${run.code}: ${run.stderr.split('\n').at(-1)}`;
  const s = run.summary;
  if (!s) return 'no JSON summary on stdout';
  if (s.rows !== rows || s[expect] !== rows || s.failed !== 0 || (s.notSent ?? 0) !== 0) {
    return `rows ${s.rows}, created ${s.created}, skipped ${s.skipped}, failed ${s.failed}, not sent ${s.notSent}`;
  }
  return undefined;
}

export async function measureImportThrottled({ rows = 3_000, log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'products-cli-bench-throttled-'));
  const stack = await startThrottledStack();
  try {
    const file = join(dir, 'products.ndjson');
    const run = Date.now().toString(36);
    writeFileSync(
      file,
      Array.from({ length: rows }, (_, i) =>
        JSON.stringify({ id: `thr-${run}-${i}`, title: `Product ${i}`, price: (i % 1000) + 0.99 }),
      ).join('\n') + '\n',
    );
    const goal = (Math.max(0, rows - THROTTLE.burstLimit) / THROTTLE.rateLimit) * RATIO_GOAL;
    log(`import of ${rows} rows into the throttled stack…`);
    const first = await importOnce(file, stack.url, dir);
    log(`the same import again (all skips)…`);
    const again = await importOnce(file, stack.url, dir);
    const result = (name, r, expect) => {
      const why = miss(r, rows, expect);
      return {
        name,
        ok: why === undefined,
        why,
        seconds: r.seconds,
        throttled: r.summary?.throttled,
        goal,
        withinGoal: why === undefined && r.seconds <= goal,
      };
    };
    return {
      rows,
      throttle: THROTTLE,
      goalSeconds: goal,
      runs: [result('first import', first, 'created'), result('rerun (all skipped)', again, 'skipped')],
    };
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows: each run's time against the goal; a run that did not exit 0 with every row done is MISS. */
export function importThrottledRows(measured) {
  return measured.runs.map((run) =>
    row(
      `import ${measured.rows} rows, throttle 100/s burst 200: ${run.name}`,
      `${run.seconds.toFixed(1)} s (${run.throttled ?? '?'} x 429)`,
      `<= ${measured.goalSeconds.toFixed(1)} s, exit 0, all ${run.name.startsWith('rerun') ? 'skipped' : 'created'}`,
      run.withinGoal,
      run.ok ? null : run.why,
    ),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rowsFlag = process.argv.indexOf('--rows');
  const rows = rowsFlag > 0 ? Number(process.argv[rowsFlag + 1]) : 3_000;
  try {
    const measured = await measureImportThrottled({ rows, log: (line) => process.stderr.write(`${line}\n`) });
    finish('products-cli import against the stage throttle', importThrottledRows(measured), { measured });
  } catch (error) {
    finish('products-cli import against the stage throttle', [
      row(`import ${rows} rows into the throttled stack`, '', 'completes', false, reason(error)),
    ]);
  }
}
