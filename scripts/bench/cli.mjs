// The CLI's cost per command: `products-cli get <id>` wall time, beside a plain `node` script that makes the
// same request with node:http, both run as fresh processes against the same local stack in the same run,
// interleaved so that both see the same machine. Prints both medians and their ratio (goal: under 1.5). Every run
// must exit 0 and print the product; any that does not makes its figures MISS and the script exit 1.
//
//   npm run bench:cli [-- --runs 10 --warmup 2 --json] [--bin path/to/products-cli.js, to time another build]
// Needs `npm run build` first (it runs bin/products-cli.js, which runs build/, and dist/handler.zip).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { finish, median, reason, row, tally } from './figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    bin: { type: 'string', default: join(root, 'bin', 'products-cli.js') },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);

if (!existsSync(join(root, 'build', 'cli.js')) || !existsSync(join(root, 'dist', 'handler.zip'))) {
  console.error('bench-cli: run `npm run build` first');
  process.exit(2);
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { startLocalStack } = await import(join(root, 'build', 'local', 'stack.js'));
const stack = await startLocalStack({ port: 0, throttle: null });
const work = mkdtempSync(join(tmpdir(), 'bench-cli-'));

/** The same GET that the CLI makes, with nothing else: node:http, print the body. */
const plainScript = join(work, 'plain-get.mjs');
writeFileSync(
  plainScript,
  `import { get } from 'node:http';
get(process.argv[2], { headers: { accept: 'application/json' } }, (response) => {
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (chunk) => (body += chunk));
  response.on('end', () => {
    if (response.statusCode !== 200) process.exitCode = 1;
    process.stdout.write(body + '\\n');
  });
});
`,
);

/** Runs a process to its end; resolves with its wall time in ms and its output, whatever its exit code. */
function timed(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.PRODUCTS_API_URL;
    const child = spawn(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stdout, stderr }));
  });
}

const fixed = (ms) => `${ms.toFixed(1)} ms`;

let rows;
let sample = '';
try {
  const id = 'bench-1';
  const created = await fetch(`${stack.url}/product`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, title: 'IPhone', description: 'This is an IPhone', price: 900 }),
  });
  if (created.status !== 201) throw new Error(`could not create the product: ${created.status}`);

  const cli = [values.bin, 'get', id, '--url', stack.url];
  const plain = [plainScript, `${stack.url}/product/${id}`];
  const times = { cli: [], plain: [] };
  const answers = { cli: tally(), plain: tally() };
  for (let round = 0; round < warmup + runs; round++) {
    // Alternate which goes first, so that neither always follows the other.
    const order = round % 2 ? ['plain', 'cli'] : ['cli', 'plain'];
    for (const which of order) {
      const run = await timed(which === 'cli' ? cli : plain);
      // Both print the product: the CLI as a record, the script as the JSON body.
      const verdict =
        run.code !== 0
          ? `exit ${run.code}: ${run.stderr.trim().split('\n')[0]}`
          : run.stdout.includes('IPhone')
            ? true
            : 'no product printed';
      if (which === 'cli') sample ||= run.stdout.trim();
      if (round >= warmup) {
        answers[which].record(verdict);
        times[which].push(run.ms);
      }
    }
  }
  const cliMedian = median(times.cli);
  const plainMedian = median(times.plain);
  const ratio = cliMedian / plainMedian;
  const asserted = `${runs} of ${runs} exit 0 with the product`;
  const spread = (list) => ` (min ${fixed(Math.min(...list))}, max ${fixed(Math.max(...list))})`;
  rows = [
    row(
      `products-cli get <id>, fresh process (median of ${runs})`,
      fixed(cliMedian),
      asserted,
      true,
      answers.cli.problem(runs),
    ),
    row(
      `node:http script, same GET (median of ${runs})`,
      fixed(plainMedian),
      asserted,
      true,
      answers.plain.problem(runs),
    ),
    row(
      'products-cli get / node:http',
      `${ratio.toFixed(2)}x`,
      '< 1.5x',
      ratio < 1.5,
      answers.cli.problem(runs) ?? answers.plain.problem(runs),
    ),
  ];
  if (!values.json) {
    console.log(`sample products-cli get output: ${sample.split('\n').join(' | ')}`);
    console.log(`spread: products-cli${spread(times.cli)}; node:http${spread(times.plain)}`);
  }
} catch (error) {
  rows = [row('products-cli get / node:http', '', '< 1.5x', false, reason(error))];
} finally {
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}
finish(`products-cli get, wall time over ${runs} runs (after ${warmup} warm-up runs), node ${process.version}`, rows);
