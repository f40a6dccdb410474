// `npm run bench`: the project's speed figures in one table, each with its goal and verdict. Each section is its
// bench script run with --json in a fresh process, one after another, so that none measures while another
// loads the machine; the pairs inside a section are measured side by side in that one run.
//   handler     scripts/bench/handler.mjs   (zip size, cold import beside `node -e 0`, CPU per request beside the floor)
//   cli         scripts/bench/cli.mjs       (`products-cli get` beside a plain node:http script, fresh processes)
//   local       scripts/bench/local.mjs     (GET through the local gateway beside the engine's floor, the function's GetItem
//                                            at as many in flight as environments, and the handler)
//   peers       scripts/bench/peers.mjs     (the local stack beside serverless-offline and a bare gateway, same handler and
//                                            engine; installs serverless-offline into the tools cache on first use)
//   setup       scripts/bench/setup.mjs     (setup and teardown against the fake AWS, virtual clock)
//   transfer    scripts/bench/transfer.mjs  (import vs sequential adds; list/export at two table sizes, peak RSS)
//   throttled   scripts/bench/import-throttled.mjs (3,000 rows into the default-throttled stack, and the rerun)
//   versions    scripts/bench/versions.mjs  (deploy --local and rollback --local under GET+PATCH load: 0 non-2xx)
//   bulk        scripts/bench/bulk.mjs      (100,000 products: import, rerun, killed and resumed, export, batch delete)
// A section whose script fails without figures is one MISS row; any MISS makes the exit code 1.
//
//   npm run bench [-- --json] [-- --quick]
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printRows, row } from './figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const json = process.argv.includes('--json');
// --quick: smaller sizes, for trying the bench out; the figures of record come from a run without it.
const quick = process.argv.includes('--quick');
const started = performance.now();
const log = (line) =>
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

/** Runs a bench script with --json; resolves with its rows, or one MISS row when it printed none. */
function runScript(section, script, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'bench', script), '--json', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      for (const line of chunk.split('\n').filter(Boolean)) log(`  ${section}: ${line}`);
    });
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        const report = JSON.parse(last);
        resolve({ section, code, ...report });
      } catch {
        const why = `${script} exited ${code} without figures: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
        resolve({ section, code, rows: [row(`${section} benchmark`, '', 'completes', false, why)] });
      }
    });
  });
}

const sections = [
  ['handler', 'handler.mjs', [], 'zip size, cold import, CPU per request beside the floor'],
  ['cli', 'cli.mjs', ['--runs', '10', '--warmup', '2'], 'products-cli get against node:http'],
  ['local', 'local.mjs', ['--seconds', '2', '--rounds', '3'], 'the gateway beside the engine and the handler'],
  [
    'peers',
    'peers.mjs',
    ['--seconds', '5', '--rounds', '3'],
    'the local stack beside serverless-offline and a bare gateway',
  ],
  ['setup', 'setup.mjs', [], 'setup and teardown against the fake AWS'],
  ['transfer', 'transfer.mjs', quick ? ['--quick'] : [], 'import, sequential adds, list and export'],
  ['versions', 'versions.mjs', [], 'deploy --local and rollback --local under GET and PATCH load'],
  [
    'throttled',
    'import-throttled.mjs',
    quick ? ['--rows', '1000'] : [],
    'import of 3,000 rows against the default stage throttle, then the rerun',
  ],
  [
    'bulk',
    'bulk.mjs',
    quick ? ['--rows', '10000'] : [],
    '100,000 products: import, rerun, kills and resume, export, batch delete',
  ],
];
const reports = [];
for (const [section, script, args, what] of sections) {
  log(`${section}: ${what}…`);
  reports.push(await runScript(section, script, args));
}

const rows = reports.flatMap((report) => [
  { name: `[${report.section}]`, value: '', goal: '', met: true, heading: true },
  ...report.rows,
]);
const elapsed = (performance.now() - started) / 1000;
const figures = rows.filter((r) => !r.heading);
const allMet = figures.every((r) => r.met);
if (json) {
  console.log(
    JSON.stringify({ node: process.version, cores: cpus().length, seconds: elapsed, quick, reports, met: allMet }),
  );
} else {
  const title = `products-cli benchmarks (node ${process.version}, ${cpus().length} cores, ${elapsed.toFixed(0)} s${quick ? ', --quick sizes' : ''})`;
  printRows(
    title,
    rows.map((r) => (r.heading ? { ...r, name: r.name, value: '', goal: '', met: true } : r)),
    (line) => console.log(line.replace(/^(\s+\[\w+\]\s+)ok$/, '$1').trimEnd()),
  );
  console.log(
    '  (sequential adds: a sample of fresh `products-cli add` processes, times the count; running them all would take hours)',
  );
}
if (!allMet) process.exitCode = 1;
