// The CLI's cost per command: `products-cli get <id>` wall time, beside a plain `node` script that makes the
// same request with node:http, both run as fresh processes against the same local stack in the same run,
// interleaved so that both see the same machine. Prints both medians and their ratio (goal: under 1.5).
//
//   npm run bench:cli [-- --runs 10 --warmup 2] [--bin path/to/products-cli.js, to time another build]
// Needs `npm run build` first (it runs bin/products-cli.js, which runs build/, and dist/handler.zip).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    bin: { type: 'string', default: join(root, 'bin', 'products-cli.js') },
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

/** Runs a process to its end and returns its wall time in ms; the bench fails if the process does. */
function timed(args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.PRODUCTS_API_URL;
    const child = spawn(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      else resolve(ms);
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fixed = (ms) => `${ms.toFixed(1)} ms`;

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
  for (let round = 0; round < warmup + runs; round++) {
    // Alternate which goes first, so that neither always follows the other.
    const order = round % 2 ? ['plain', 'cli'] : ['cli', 'plain'];
    for (const which of order) {
      const ms = await timed(which === 'cli' ? cli : plain);
      if (round >= warmup) times[which].push(ms);
    }
  }

  const cliMedian = median(times.cli);
  const plainMedian = median(times.plain);
  console.log(`products-cli get, wall time over ${runs} runs (after ${warmup} warm-up runs), node ${process.version}`);
  console.log(`  products-cli get <id>      median ${fixed(cliMedian)}  (min ${fixed(Math.min(...times.cli))}, max ${fixed(Math.max(...times.cli))})`);
  console.log(`  node:http script, same GET median ${fixed(plainMedian)}  (min ${fixed(Math.min(...times.plain))}, max ${fixed(Math.max(...times.plain))})`);
  const ratio = cliMedian / plainMedian;
  console.log(`  ratio ${ratio.toFixed(2)}× (goal < 1.5×): ${ratio < 1.5 ? 'met' : 'NOT met'}`);
} finally {
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}
