// `npm run bench`: the project's speed figures in one table, each pair measured side by side in this one run
// so that its ratio holds on a noisy machine. The sections, in order:
//   handler     scripts/bench/handler.mjs (zip size, cold import beside `node -e 0`, in-process GET rate)
//   cli         scripts/bench/cli.mjs     (`products-cli get` beside a plain node:http script, fresh processes)
//   local       scripts/bench/local.mjs   (GET through the local gateway beside GetItem straight to the engine)
//   transfer    scripts/bench/transfer.mjs (import vs sequential adds; list/export at two table sizes, peak RSS)
// The scripts of the cli and local sections print their figures; they are run as they are and their lines read.
//
//   npm run bench [-- --json] [-- --quick]
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handlerRows, measureHandler, printRows } from './handler.mjs';
import { measureTransfer, transferRows } from './transfer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const json = process.argv.includes('--json');
// --quick: smaller sizes, for trying the bench out; the figures of record come from a run without it.
const quick = process.argv.includes('--quick');
const log = (line) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
const started = performance.now();

/** Runs a bench script and returns what it printed; the combined bench fails if the script does. */
function runScript(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'bench', script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${script} exited ${code}: ${stderr.trim()}`))));
  });
}

/** A number from a script's output, or NaN when its format changed (shown as n/a rather than failing). */
function figure(text, pattern) {
  const match = pattern.exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

const shown = (value, unit, digits = 1) => (Number.isNaN(value) ? 'n/a' : `${value.toFixed(digits)}${unit}`);

function cliRows(text) {
  const cli = figure(text, /products-cli get <id>\s+median ([\d.]+) ms/);
  const plain = figure(text, /node:http script, same GET median ([\d.]+) ms/);
  const ratio = cli / plain;
  return [
    ['products-cli get <id>, fresh process (median of 10)', shown(cli, ' ms'), '', !Number.isNaN(cli)],
    ['node:http script, same GET (median of 10)', shown(plain, ' ms'), '', !Number.isNaN(plain)],
    ['products-cli get / node:http', shown(ratio, 'x', 2), '< 1.5x', ratio < 1.5],
  ];
}

function localRows(text) {
  const gateway = figure(text, /via the gateway\s+(\d+) req\/s/);
  const sdk = figure(text, /SDK client\s*(\d+) req\/s/);
  const raw = figure(text, /raw HTTP\s+(\d+) req\/s/);
  const share = (gateway / sdk) * 100;
  return [
    ['GET via the local gateway (16 conn, median of 3)', shown(gateway, ' req/s', 0), '', !Number.isNaN(gateway)],
    ['GetItem to the engine, SDK client (16 conn)', shown(sdk, ' req/s', 0), '', !Number.isNaN(sdk)],
    ['GetItem to the engine, raw HTTP (16 conn)', shown(raw, ' req/s', 0), '', !Number.isNaN(raw)],
    ['local gateway / SDK GetItem', shown(share, '%', 1), '>= 80%', share >= 80],
  ];
}

log('handler: zip size, cold import, in-process GET rate…');
const handler = await measureHandler({ runs: 10, seconds: 3 });
log('cli: products-cli get against node:http…');
const cliText = await runScript('cli.mjs', ['--runs', '10', '--warmup', '2']);
log('local: gateway against the engine…');
const localText = await runScript('local.mjs', ['--seconds', '2', '--rounds', '3']);
log('transfer: import, sequential adds, list and export…');
const transfer = await measureTransfer(
  quick ? { importCount: 2_000, addSample: 5, sizes: [2_000, 10_000], log } : { importCount: 10_000, addSample: 20, sizes: [10_000, 100_000], log },
);

const rows = [...handlerRows(handler), ...cliRows(cliText), ...localRows(localText), ...transferRows(transfer)];
const elapsed = (performance.now() - started) / 1000;
if (json) {
  console.log(JSON.stringify({ node: process.version, cores: cpus().length, seconds: elapsed, quick, handler, cli: cliText, local: localText, transfer, rows }));
} else {
  printRows(`products-cli benchmarks (node ${process.version}, ${cpus().length} cores, ${elapsed.toFixed(0)} s${quick ? ', --quick sizes' : ''})`, rows);
  console.log('  (sequential adds: a sample of fresh `products-cli add` processes, times the count; running them all would take hours)');
}
