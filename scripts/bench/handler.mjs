// Handler figures: the zip's size; the artifact's cold import beside `node -e 0`; CPU µs per request of GET,
// POST, PATCH and a list page beside the floor (the same DynamoDB call as a minimal signed node:http request);
// and the in-process GET rate. The engine runs in a process of its own, so the CPU figures count the handler
// and its client alone. Every request's status and body is checked; a figure with any unexpected answer, or
// too few, is MISS and the script exits 1. Exported for the combined bench; printed when run directly.
//
//   npm run bench:handler [-- --json] [-- --zip path/to/handler.zip, to measure another build]
// Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { startEngineProcess } from './engine-process.mjs';
import { finish, median, reason, row, tally } from './figures.mjs';
import { measureHandlerCpu, PAIRS } from './handler-cpu.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const zipFlag = process.argv.indexOf('--zip');
const zipPath = zipFlag > 0 ? process.argv[zipFlag + 1] : join(root, 'dist', 'handler.zip');

/** Wall time of a fresh `node` process running `args`, in milliseconds, or why it failed. */
export function timeProcess(args, env = process.env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return result.status === 0
    ? { ms, ok: true }
    : { ms, ok: `exit ${result.status}: ${String(result.stderr).trim().split('\n')[0]}` };
}

function unpack() {
  const dir = mkdtempSync(join(tmpdir(), 'products-bench-'));
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zipPath)))) writeFileSync(join(dir, name), bytes);
  return join(dir, 'index.mjs');
}

/** Measures the handler: `runs` fresh processes for the import time, `rounds` × `count` requests per CPU figure. */
export async function measureHandler({ runs = 20, rounds = 5, count = 1500, concurrency = 16 } = {}) {
  if (!existsSync(zipPath)) throw new Error('run `npm run build` first (no dist/handler.zip)');
  const entry = unpack();
  const env = {
    ...process.env,
    TABLE_NAME: 'product',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  // The import must yield the handler, or the time is not of a working artifact.
  const importScript = `const m = await import(${JSON.stringify(pathToFileURL(entry).href)}); if (typeof m.handler !== 'function') process.exit(3);`;
  const baseline = [];
  const cold = [];
  const imports = tally();
  // Interleaved, so that drift in the machine's load touches both alike.
  for (let i = 0; i < runs; i++) {
    const plain = timeProcess(['-e', '0'], env);
    const imported = timeProcess(['--input-type=module', '-e', importScript], env);
    imports.record(plain.ok === true && imported.ok === true ? true : plain.ok === true ? imported.ok : plain.ok);
    baseline.push(plain.ms);
    cold.push(imported.ms);
  }
  let cpu;
  let cpuProblem = null;
  try {
    cpu = await measureHandlerCpu({
      entry: pathToFileURL(entry).href,
      startEngine: startEngineProcess,
      rounds,
      count,
      concurrency,
    });
  } catch (error) {
    cpuProblem = reason(error);
  }
  return {
    zipBytes: statSync(zipPath).size,
    runs,
    coldImportMs: median(cold),
    nodeBaselineMs: median(baseline),
    importProblem: imports.problem(runs),
    rounds,
    count,
    concurrency,
    cpu,
    cpuProblem,
  };
}

const micros = (value) => `${value.toFixed(0)} µs`;

/** The handler figures as rows. */
export function handlerRows(m) {
  const ratio = m.coldImportMs / m.nodeBaselineMs;
  const asserted = `${m.runs} of ${m.runs} exit 0`;
  const rows = [
    row('handler zip size', `${(m.zipBytes / 1024).toFixed(1)} KiB`, '< 200 KB', m.zipBytes < 200_000),
    row(
      `handler cold import (median of ${m.runs})`,
      `${m.coldImportMs.toFixed(1)} ms`,
      `${asserted}, handler exported`,
      true,
      m.importProblem,
    ),
    row(`node -e 0 (median of ${m.runs})`, `${m.nodeBaselineMs.toFixed(1)} ms`, asserted, true, m.importProblem),
    row('cold import / node -e 0', `${ratio.toFixed(2)}x`, '<= 1.5x', ratio <= 1.5, m.importProblem),
  ];
  const all = `${(m.rounds + 1) * m.count} of ${(m.rounds + 1) * m.count} as expected`;
  for (const [route, call] of PAIRS) {
    const handler = m.cpu?.[route];
    const floor = m.cpu?.[call];
    const label =
      route === 'list page'
        ? 'GET /product (a page of 50)'
        : route === 'POST'
          ? 'POST /product'
          : `${route} /product/{id}`;
    const status = route === 'POST' ? 201 : 200;
    rows.push(
      row(
        `floor: signed node:http ${call}, CPU per call`,
        floor ? micros(floor.micros) : '',
        `${all} (HTTP 200)`,
        true,
        m.cpuProblem ?? floor?.problem,
      ),
    );
    rows.push(
      row(
        `handler ${label}, CPU per request`,
        handler ? micros(handler.micros) : '',
        `${all} (${status})`,
        true,
        m.cpuProblem ?? handler?.problem,
      ),
    );
    const times = handler && floor ? handler.micros / floor.micros : Number.NaN;
    rows.push(
      row(
        `  handler ${route} / floor ${call}`,
        `${times.toFixed(2)}x`,
        '<= 3x',
        times <= 3,
        m.cpuProblem ?? handler?.problem ?? floor?.problem,
      ),
    );
  }
  const get = m.cpu?.GET;
  rows.push(
    row(
      `handler GET in-process (${m.concurrency} concurrent)`,
      get ? `${Math.round(get.perSecond)} req/s` : '',
      `${all} (200)`,
      true,
      m.cpuProblem ?? get?.problem,
    ),
  );
  return rows;
}

/** One answer of the handler, to see what was measured. */
export function sampleLine(m) {
  const sample = m.cpu?.GET?.sample;
  return sample
    ? `sample GET answer: ${sample.statusCode} ${JSON.stringify(sample.headers)} ${sample.body}`
    : 'no GET answered 200';
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await measureHandler();
  const rows = handlerRows(figures);
  if (!process.argv.includes('--json')) console.log(sampleLine(figures));
  finish(
    `products-cli handler benchmark (node ${process.version}; CPU per request: engine in its own process, ${figures.rounds} rounds of ${figures.count} at ${figures.concurrency} concurrent, medians)`,
    rows,
    { figures },
  );
}
