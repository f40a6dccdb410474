// Bulk data at the table's speed: 100,000 generated products through the local stack with its default stage
// throttle (100 requests/s, burst 200), by the CLI as a user runs it.
//   import      <= 60 s, exit 0, every row created, none failed or not sent, peak RSS <= 160 MiB (flat)
//   rerun       <= 60 s, every row reported existing
//   kills       a second file killed (SIGKILL) at a random point three times, then run to its end: exactly N items
//   export      <= 15 s, every product once, identical to `list --json` (one request at a time) after sorting
//   delete      the batch delete of all of them (as `delete ID...` and bench's clean-up do it) <= 60 s
// Beside them: the single-request import's bound (one POST per row at the throttle) as the baseline, and the
// engine's own bulk write rate (BatchWriteItem on dynalite, scripts/bench/batch-writes.mjs) as the limit.
//
//   node scripts/bench/bulk.mjs [--rows N] [--json]      (needs `npm run build` first)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finish, reason, row } from './figures.mjs';
import { importOnce, startThrottledStack } from './import-throttled.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'products-cli.js');
const flag = (name, fallback) =>
  process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : fallback;
const ROWS = flag('rows', 100_000);
const RSS_GOAL_MIB = 160;
const log = (line) => process.stderr.write(`${line}\n`);

const ndjson = (prefix) =>
  Array.from({ length: ROWS }, (_, i) =>
    JSON.stringify({ id: `${prefix}-${i}`, title: `Product ${i}`, price: (i % 1000) + 0.99 }),
  ).join('\n') + '\n';

/** A CLI run's stdout, exit code and time. */
function cli(args, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    let stderr = '';
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        seconds: (performance.now() - started) / 1000,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: stderr.trim(),
      }),
    );
  });
}

const sortedLines = (text) => text.split('\n').filter(Boolean).sort();
const idsWith = (lines, prefix) => lines.filter((line) => JSON.parse(line).id.startsWith(`${prefix}-`)).length;

async function measure() {
  const dir = mkdtempSync(join(tmpdir(), 'products-cli-bench-bulk-'));
  const stack = await startThrottledStack();
  const rows = [];
  const run = Date.now().toString(36);
  try {
    // The baseline: one POST per row, held to the throttle after its burst.
    rows.push(
      row(
        `single-request import of ${ROWS} rows (the throttle's bound)`,
        `${((ROWS - 200) / 100).toFixed(0)} s`,
        'baseline: (rows - burst 200) / 100 per s',
        true,
      ),
    );

    const file = join(dir, 'bulk.ndjson');
    writeFileSync(file, ndjson(`b-${run}`));
    const rssFile = join(dir, 'rss');
    log(`import of ${ROWS} rows…`);
    const first = await importOnce(file, stack.url, dir, {
      NODE_OPTIONS: `--import=${join(root, 'scripts', 'bench', 'peak-rss.mjs')}`,
      PEAK_RSS_FILE: rssFile,
    });
    const s1 = first.summary;
    const firstOk = first.code === 0 && s1?.created === ROWS && s1.failed === 0 && s1.notSent === 0;
    rows.push(
      row(
        `import ${ROWS} rows`,
        `${first.seconds.toFixed(1)} s (${Math.round(ROWS / first.seconds)} rows/s)`,
        '<= 60 s, all created, 0 failed, 0 lost',
        first.seconds <= 60,
        firstOk ? null : `exit ${first.code}: ${JSON.stringify(s1 ?? first.stderr).slice(0, 160)}`,
      ),
    );
    const rssMiB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : NaN;
    rows.push(
      row(
        'import peak RSS',
        `${rssMiB.toFixed(0)} MiB`,
        `<= ${RSS_GOAL_MIB} MiB (memory flat)`,
        rssMiB <= RSS_GOAL_MIB,
        Number.isFinite(rssMiB) && firstOk ? null : 'no peak RSS recorded',
      ),
    );

    log('the same import again…');
    const again = await importOnce(file, stack.url, dir);
    const s2 = again.summary;
    const againOk = again.code === 0 && s2?.skipped === ROWS && s2.created === 0 && s2.failed === 0;
    rows.push(
      row(
        `rerun of ${ROWS} rows`,
        `${again.seconds.toFixed(1)} s`,
        '<= 60 s, all reported existing',
        again.seconds <= 60,
        againOk ? null : `exit ${again.code}: ${JSON.stringify(s2 ?? again.stderr).slice(0, 160)}`,
      ),
    );

    log('export, and list --json to compare…');
    const exported = await cli(['export', '--url', stack.url], dir);
    const listed = await cli(['list', '--json', '--url', stack.url], dir);
    const exportLines = sortedLines(exported.stdout);
    const listLines = sortedLines(listed.stdout);
    const unique = new Set(exportLines.map((line) => JSON.parse(line).id)).size;
    const same = exportLines.length === listLines.length && exportLines.every((line, i) => line === listLines[i]);
    rows.push(
      row(
        `export of ${exportLines.length} products`,
        `${exported.seconds.toFixed(1)} s`,
        '<= 15 s, each once, = list --json sorted',
        exported.seconds <= 15 && unique === exportLines.length && same,
        exported.code === 0 && listed.code === 0 && exportLines.length >= ROWS
          ? null
          : `export exit ${exported.code}, list exit ${listed.code}, ${exportLines.length} lines`,
      ),
    );

    log('batch delete of them all…');
    const { ProductApi } = await import(join(root, 'build', 'http', 'api-client.js'));
    const { deleteMany } = await import(join(root, 'build', 'transfer', 'delete-many.js'));
    const api = new ProductApi({ baseUrl: stack.url, retryThrottled: false });
    const ids = exportLines.map((line) => JSON.parse(line).id);
    const deleteStarted = performance.now();
    const deleted = await deleteMany(api, ids, { concurrency: 4 });
    const deleteSeconds = (performance.now() - deleteStarted) / 1000;
    await api.close();
    rows.push(
      row(
        `batch delete of ${ids.length} products`,
        `${deleteSeconds.toFixed(1)} s`,
        '<= 60 s, every one deleted',
        deleteSeconds <= 60,
        deleted?.deleted.length === ids.length
          ? null
          : `deleted ${deleted?.deleted.length ?? 'none (no batch route)'} of ${ids.length}`,
      ),
    );
    log('an import killed three times, then run to its end…');
    const killed = join(dir, 'killed.ndjson');
    writeFileSync(killed, ndjson(`k-${run}`));
    const started = performance.now();
    for (let kill = 0; kill < 3; kill++) {
      const child = spawn(process.execPath, [bin, 'import', killed, '--url', stack.url, '--json'], {
        cwd: dir,
        stdio: 'ignore',
      });
      const closed = new Promise((resolve) => child.on('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 1_000 + Math.random() * 4_000));
      child.kill('SIGKILL');
      await closed;
    }
    const last = await importOnce(killed, stack.url, dir);
    const killedSeconds = (performance.now() - started) / 1000;

    const counted = await cli(['export', '--url', stack.url], dir);
    const killedCount = idsWith(sortedLines(counted.stdout), `k-${run}`);
    const lastOk =
      last.code === 0 &&
      last.summary?.failed === 0 &&
      last.summary.created + last.summary.skipped === ROWS &&
      counted.code === 0;
    rows.push(
      row(
        `killed 3 times, then rerun: items of the file`,
        `${killedCount} (${last.summary?.alreadyDone ?? '?'} from the checkpoint, ${killedSeconds.toFixed(0)} s)`,
        `exactly ${ROWS}`,
        killedCount === ROWS,
        lastOk ? null : `exit ${last.code}: ${JSON.stringify(last.summary ?? last.stderr).slice(0, 160)}`,
      ),
    );
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  log("the engine's bulk write rate…");
  const engine = await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(root, 'scripts', 'bench', 'batch-writes.mjs'), '--items', '3000', '--rounds', '1', '--json'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    child.on('close', () => resolve(out));
  });
  const batchRow = (() => {
    try {
      return JSON.parse(engine.trim().split('\n').at(-1)).rows.find((r) => r.name.startsWith('BatchWriteItem'));
    } catch {
      return undefined;
    }
  })();
  rows.push(
    row(
      "the engine's bulk write rate (BatchWriteItem, dynalite)",
      batchRow?.value ?? '',
      'the limit',
      true,
      batchRow && batchRow.value !== 'MISS' ? null : 'not measured',
    ),
  );
  return rows;
}

try {
  finish(`bulk data: ${ROWS.toLocaleString('en-US')} products, local stack, default throttle`, await measure());
} catch (error) {
  finish('bulk data', [row(`bulk data with ${ROWS} products`, '', 'completes', false, reason(error))]);
}
