// Transfer figures: `import` of N products against the same count of sequential `add` processes (a sample,
// extrapolated), and `list --json` / `export` of a table at two sizes, with the CLI's peak memory at each.
// The stack runs in its own process as `setup --local` runs it (throttle off); every CLI run is a fresh
// process of bin/products-cli.js. Exported for the combined bench; printed when run directly.
//
//   node scripts/bench/transfer.mjs [--json]       (needs `npm run build` first)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, printRows } from './handler.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'products-cli.js');
const peakRssPreload = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'peak-rss.mjs')).href;

/** Starts the local stack in a child process (build/local/serve.js), throttle off: the figures are capacity. */
export function startStackProcess() {
  const serveJs = join(root, 'build', 'local', 'serve.js');
  const child = spawn(process.execPath, [serveJs, JSON.stringify({ port: 0, throttle: null, quiet: true })], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      if (message.type === 'ready') {
        resolve({
          url: message.url,
          dynamodbEndpoint: message.dynamodbEndpoint,
          stop: () =>
            new Promise((done) => {
              child.once('exit', done);
              child.kill('SIGTERM');
            }),
        });
      } else reject(new Error(message.message));
    });
    child.once('exit', (code) => reject(new Error(`the local stack exited with code ${code}`)));
  });
}

/** Runs the CLI as a fresh process; returns wall time (ms), peak RSS (bytes) and stdout when asked. */
export function runCli(args, { cwd, capture = false, nodeArgs = [] } = {}) {
  const rssFile = join(cwd, `rss-${process.hrtime.bigint()}.txt`);
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', PEAK_RSS_FILE: rssFile };
    delete env.PRODUCTS_API_URL;
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...nodeArgs, '--import', peakRssPreload, bin, ...args], { cwd, env, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`products-cli ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      const peakRss = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) * 1024 : Number.NaN;
      resolve({ ms, peakRss, stdout });
    });
  });
}

function product(index, now) {
  return { id: `p${String(index).padStart(7, '0')}`, title: `Product ${index}`, description: `Seeded product number ${index}`, price: (index % 100_000) / 100, createdAt: now, updatedAt: now, version: 1 };
}

/** Puts products straight into the engine with BatchWriteItem (25 a request, 8 requests in flight). */
export async function seedEngine(endpoint, from, to) {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient, BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const now = new Date().toISOString();
  let next = from;
  const worker = async () => {
    while (next < to) {
      const start = next;
      next = Math.min(to, next + 25);
      let requests = Array.from({ length: next - start }, (_, offset) => ({ PutRequest: { Item: product(start + offset, now) } }));
      while (requests.length > 0) {
        const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { product: requests } }));
        requests = UnprocessedItems?.product ?? [];
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    client.destroy();
  }
}

/** The old-space limit of the small-heap runs: well below what a table of the largest size takes as data. */
const SMALL_HEAP_MIB = 16;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const thousands = (n) => n.toLocaleString('en-US');

/**
 * Measures import against sequential adds (`importCount` products; `addSample` add processes timed and
 * extrapolated), then list and export at each of `sizes`.
 */
export async function measureTransfer({ importCount = 10_000, addSample = 20, sizes = [10_000, 100_000], log = () => {} } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'bench-transfer-'));
  const figures = { importCount, addSample, sizes: [] };
  try {
    // Import against sequential adds, on a fresh stack.
    let stack = await startStackProcess();
    try {
      const file = join(work, 'import.ndjson');
      const now = new Date().toISOString();
      writeFileSync(file, Array.from({ length: importCount }, (_, index) => `${JSON.stringify(product(index, now))}\n`).join(''));
      log(`import of ${importCount} products…`);
      const imported = await runCli(['import', file, '--url', stack.url, '--json'], { cwd: work, capture: true });
      const summary = JSON.parse(imported.stdout);
      if (summary.created !== importCount) throw new Error(`import created ${summary.created} of ${importCount}`);
      figures.importMs = imported.ms;
      figures.importPeakRss = imported.peakRss;
      log(`${addSample} sequential add processes…`);
      const adds = [];
      for (let index = 0; index < addSample; index++) {
        adds.push((await runCli(['add', '--id', `a${index}`, '--title', `Added ${index}`, '--price', '1', '--url', stack.url], { cwd: work })).ms);
      }
      figures.addMedianMs = median(adds);
      figures.addsExtrapolatedMs = median(adds) * importCount;
    } finally {
      await stack.stop();
    }

    // List and export at growing sizes, on a second fresh stack seeded straight into its engine.
    stack = await startStackProcess();
    try {
      let seeded = 0;
      for (const size of sizes) {
        log(`seeding ${size} products…`);
        const seedStarted = performance.now();
        await seedEngine(stack.dynamodbEndpoint, seeded, size);
        const seedMs = performance.now() - seedStarted;
        seeded = size;
        log(`export and list of ${size} products…`);
        const output = join(work, `export-${size}.ndjson`);
        const exported = await runCli(['export', '--url', stack.url, '--output', output], { cwd: work });
        const lines = readFileSync(output, 'utf8').split('\n').length - 1;
        if (lines !== size) throw new Error(`export wrote ${lines} products of ${size}`);
        const listed = await runCli(['list', '--json', '--url', stack.url], { cwd: work });
        figures.sizes.push({ size, seedMs, exportMs: exported.ms, exportPeakRss: exported.peakRss, exportBytes: statSync(output).size, listMs: listed.ms, listPeakRss: listed.peakRss });
        rmSync(output, { force: true });
      }
      // The proof that nothing accumulates: the largest table again, in a heap far smaller than its data.
      const size = sizes[sizes.length - 1];
      const heapArgs = [`--max-old-space-size=${SMALL_HEAP_MIB}`];
      const output = join(work, 'export-small-heap.ndjson');
      log(`export and list of ${size} products in a ${SMALL_HEAP_MIB} MiB heap…`);
      const completes = async (args) => {
        try {
          await runCli(args, { cwd: work, nodeArgs: heapArgs });
          return true;
        } catch {
          return false;
        }
      };
      figures.smallHeap = {
        mib: SMALL_HEAP_MIB,
        size,
        export: (await completes(['export', '--url', stack.url, '--output', output])) && readFileSync(output, 'utf8').split('\n').length - 1 === size,
        list: await completes(['list', '--json', '--url', stack.url]),
      };
      rmSync(output, { force: true });
    } finally {
      await stack.stop();
    }
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The transfer figures as table rows: [figure, value, goal, met]. */
export function transferRows(f) {
  const rows = [
    [`import ${thousands(f.importCount)} products (one process)`, `${secs(f.importMs)}`, '', true],
    [`  = products per second`, `${Math.round(f.importCount / (f.importMs / 1000))} /s`, '', true],
    [`  import peak RSS`, mib(f.importPeakRss), '', true],
    [`add, one process per product (median of ${f.addSample})`, `${f.addMedianMs.toFixed(1)} ms`, '', true],
    [`${thousands(f.importCount)} sequential adds (extrapolated from ${f.addSample})`, `${secs(f.addsExtrapolatedMs)}`, '', true],
    ['import / sequential adds', `${(f.addsExtrapolatedMs / f.importMs).toFixed(1)}x faster`, '> 10x', f.addsExtrapolatedMs / f.importMs > 10],
  ];
  for (const s of f.sizes) {
    rows.push([`export ${thousands(s.size)} products`, `${secs(s.exportMs)}`, '', true]);
    rows.push([`  export peak RSS at ${thousands(s.size)}`, mib(s.exportPeakRss), '', true]);
    rows.push([`list --json ${thousands(s.size)} products`, `${secs(s.listMs)}`, '', true]);
    rows.push([`  list peak RSS at ${thousands(s.size)}`, mib(s.listPeakRss), '', true]);
  }
  if (f.sizes.length >= 2) {
    const small = f.sizes[0];
    const large = f.sizes[f.sizes.length - 1];
    const growth = (a, b) => b / a;
    const exportGrowth = growth(small.exportPeakRss, large.exportPeakRss);
    const listGrowth = growth(small.listPeakRss, large.listPeakRss);
    const label = `${thousands(small.size)} -> ${thousands(large.size)}`;
    rows.push([`export peak RSS growth ${label}`, `${exportGrowth.toFixed(2)}x`, '', true]);
    rows.push([`list peak RSS growth ${label}`, `${listGrowth.toFixed(2)}x`, '', true]);
  }
  if (f.smallHeap) {
    const h = f.smallHeap;
    const data = f.sizes[f.sizes.length - 1]?.exportBytes ?? 0;
    rows.push([`export ${thousands(h.size)} (${mib(data)} of NDJSON) in a ${h.mib} MiB heap`, h.export ? 'completes' : 'fails', 'completes', h.export]);
    rows.push([`list --json ${thousands(h.size)} in a ${h.mib} MiB heap`, h.list ? 'completes' : 'fails', 'completes', h.list]);
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await measureTransfer({ log: (line) => process.stderr.write(`${line}\n`) });
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
  else printRows('products-cli transfer benchmark', transferRows(figures));
}
