// Bulk data at the table's speed: 100,000 generated products through the local stack with its default stage
// throttle (100 requests/s, burst 200), by the CLI as a user runs it.
//   import      <= 60 s, exit 0, every row created, none failed or not sent
//   rerun       <= 60 s, every row reported existing
//   kills       a second file killed (SIGKILL) at a random point three times, then run to its end: exactly N items
//   export      <= 15 s, every product once, identical to `list --json` (one request at a time) after sorting
//   delete      the batch delete of all of them (as `delete ID...` and bench's clean-up do it) <= 60 s
//   memory      the peak RSS of import (<= 160 MiB) and of export (<= 120 MiB) at N rows as a user runs them;
//               and flat: in a fixed heap (16 MiB old space, 1 MiB semi-space, so that V8's heap sizing, which
//               grows with the run's length, does not count), the peak at N rows within 16 MiB of that at N/10
// Beside them: the single-request import (one POST per row, as import sends to an API without the batch route)
// measured on a sample of the same rows at the same throttle and extrapolated to N, as the baseline; and the
// engine's own bulk write rate (BatchWriteItem on dynalite, scripts/bench/batch-writes.mjs) as the limit.
//
//   node scripts/bench/bulk.mjs [--rows N] [--json]      (needs `npm run build` first)
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
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
const EXPORT_RSS_GOAL_MIB = 120;
/** How much more a peak RSS at N rows may be than at N/10 rows, both in FLAT_HEAP, for memory to count as flat. */
const FLAT_MIB = 16;
const FLAT_HEAP = '--max-old-space-size=16 --max-semi-space-size=1';
const SAMPLE_ROWS = Math.min(3_000, ROWS);
const log = (line) => process.stderr.write(`${line}\n`);

const ndjson = (prefix, rows = ROWS) =>
  Array.from({ length: rows }, (_, i) =>
    JSON.stringify({ id: `${prefix}-${i}`, title: `Product ${i}`, price: (i % 1000) + 0.99 }),
  ).join('\n') + '\n';

/** A CLI run's stdout, exit code and time. */
function cli(args, cwd, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...extraEnv },
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

/** The environment that has a CLI run record its peak RSS, and the reading of it (MiB; NaN when none). */
function peakRss(dir, name, { fixedHeap = false } = {}) {
  const file = join(dir, `rss-${name}`);
  const preload = `--import=${join(root, 'scripts', 'bench', 'peak-rss.mjs')}`;
  return {
    env: { NODE_OPTIONS: fixedHeap ? `${FLAT_HEAP} ${preload}` : preload, PEAK_RSS_FILE: file },
    mib: () => (existsSync(file) ? Number(readFileSync(file, 'utf8')) / 1024 : Number.NaN),
  };
}

/**
 * A gateway in front of the stack that answers POST /products as API Gateway answers a stage without that route
 * (403 Missing Authentication Token), so that import sends one POST per row; it counts what it saw.
 */
async function withoutBatchRoute(stackUrl) {
  const target = new URL(stackUrl);
  const seen = { refused: 0, singlePosts: 0 };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === `${target.pathname}/products`) {
      seen.refused++;
      req.resume();
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'MissingAuthenticationTokenException',
      });
      res.end(JSON.stringify({ message: 'Missing Authentication Token' }));
      return;
    }
    if (req.method === 'POST' && path === `${target.pathname}/product`) seen.singlePosts++;
    const forwarded = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}${target.pathname}`,
    seen,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const sortedLines = (text) => text.split('\n').filter(Boolean).sort();
const idsWith = (lines, prefix) => lines.filter((line) => JSON.parse(line).id.startsWith(`${prefix}-`)).length;

async function measure() {
  const dir = mkdtempSync(join(tmpdir(), 'products-cli-bench-bulk-'));
  const stack = await startThrottledStack();
  const rows = [];
  const run = Date.now().toString(36);
  try {
    const { ProductApi } = await import(join(root, 'build', 'http', 'api-client.js'));
    const { deleteMany } = await import(join(root, 'build', 'transfer', 'delete-many.js'));
    /** Deletes the products of a `<prefix>-<i>` file of `count` rows; true when every one was. */
    const removeRows = async (prefix, count) => {
      const api = new ProductApi({ baseUrl: stack.url, retryThrottled: false });
      try {
        const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
        return (await deleteMany(api, ids, { concurrency: 4 }))?.deleted.length === count;
      } finally {
        await api.close();
      }
    };

    // The baseline: one POST per row, as import sends them to an API without the batch route, on a sample.
    log(`single-request import of a ${SAMPLE_ROWS}-row sample (no batch route)…`);
    const sampleFile = join(dir, 'sample.ndjson');
    writeFileSync(sampleFile, ndjson(`s-${run}`, SAMPLE_ROWS));
    const front = await withoutBatchRoute(stack.url);
    const single = await importOnce(sampleFile, front.url, dir);
    await front.close();
    const ss = single.summary;
    const singleOk =
      single.code === 0 &&
      ss?.created === SAMPLE_ROWS &&
      ss.failed === 0 &&
      ss.notSent === 0 &&
      front.seen.refused >= 1 &&
      front.seen.singlePosts >= SAMPLE_ROWS;
    const singleRate = SAMPLE_ROWS / single.seconds;
    rows.push(
      row(
        `single-request import, ${SAMPLE_ROWS}-row sample (baseline)`,
        `${single.seconds.toFixed(1)} s (${Math.round(singleRate)} rows/s measured)`,
        'baseline: one POST per row, measured',
        true,
        singleOk
          ? null
          : `exit ${single.code}, ${front.seen.singlePosts} single POSTs: ${JSON.stringify(ss ?? single.stderr).slice(0, 160)}`,
      ),
    );
    rows.push(
      row(
        `single-request import of ${ROWS} rows, extrapolated`,
        `${(ROWS / singleRate).toFixed(0)} s`,
        `baseline: ${ROWS} rows at the sample's measured rate`,
        true,
        singleOk ? null : 'the sample did not complete',
      ),
    );
    const sampleRemoved = singleOk && (await removeRows(`s-${run}`, SAMPLE_ROWS));

    // Memory at a tenth of the rows in the fixed heap, for the flatness check: import and export of N/10, removed.
    const tenth = Math.max(1, Math.floor(ROWS / 10));
    log(`import and export of ${tenth} rows for the memory at N/10…`);
    const tenthFile = join(dir, 'tenth.ndjson');
    writeFileSync(tenthFile, ndjson(`t-${run}`, tenth));
    const tenthImportRss = peakRss(dir, 'import-tenth', { fixedHeap: true });
    const tenthImport = await importOnce(tenthFile, stack.url, dir, tenthImportRss.env);
    const tenthExportRss = peakRss(dir, 'export-tenth', { fixedHeap: true });
    const tenthExport = await cli(['export', '--url', stack.url], dir, tenthExportRss.env);
    const tenthOk =
      sampleRemoved &&
      tenthImport.code === 0 &&
      tenthImport.summary?.created === tenth &&
      tenthExport.code === 0 &&
      sortedLines(tenthExport.stdout).length === tenth &&
      (await removeRows(`t-${run}`, tenth));

    const file = join(dir, 'bulk.ndjson');
    writeFileSync(file, ndjson(`b-${run}`));
    const importRss = peakRss(dir, 'import');
    log(`import of ${ROWS} rows…`);
    const first = await importOnce(file, stack.url, dir, importRss.env);
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
    /** The peak RSS rows of a command: at N rows against its goal, and in the fixed heap at N/10 and N rows. */
    const memoryRows = (name, full, goal, small, large, ok) => {
      const recorded = [full, small, large].every(Number.isFinite) && ok && tenthOk;
      const problem = recorded ? null : 'no peak RSS recorded at every size';
      return [
        row(`${name} peak RSS, ${ROWS} rows`, `${full.toFixed(0)} MiB`, `<= ${goal} MiB`, full <= goal, problem),
        row(
          `${name} peak RSS in a fixed heap, ${tenth} -> ${ROWS} rows`,
          `${small.toFixed(0)} -> ${large.toFixed(0)} MiB`,
          `grows < ${FLAT_MIB} MiB (flat)`,
          large - small < FLAT_MIB,
          problem,
        ),
      ];
    };
    log(`import of ${ROWS} other rows in the fixed heap…`);
    const heldFile = join(dir, 'fixed-heap.ndjson');
    writeFileSync(heldFile, ndjson(`h-${run}`));
    const heldImportRss = peakRss(dir, 'import-fixed-heap', { fixedHeap: true });
    const held = await importOnce(heldFile, stack.url, dir, heldImportRss.env);
    const heldOk = held.code === 0 && held.summary?.created === ROWS && (await removeRows(`h-${run}`, ROWS));
    rows.push(
      ...memoryRows(
        'import',
        importRss.mib(),
        RSS_GOAL_MIB,
        tenthImportRss.mib(),
        heldImportRss.mib(),
        firstOk && heldOk,
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
    const exportRss = peakRss(dir, 'export');
    const exported = await cli(['export', '--url', stack.url], dir, exportRss.env);
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

    const heldExportRss = peakRss(dir, 'export-fixed-heap', { fixedHeap: true });
    const heldExport = await cli(['export', '--url', stack.url], dir, heldExportRss.env);
    rows.push(
      ...memoryRows(
        'export',
        exportRss.mib(),
        EXPORT_RSS_GOAL_MIB,
        tenthExportRss.mib(),
        heldExportRss.mib(),
        exported.code === 0 &&
          exportLines.length >= ROWS &&
          heldExport.code === 0 &&
          sortedLines(heldExport.stdout).length === exportLines.length,
      ),
    );

    log('batch delete of them all…');
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
