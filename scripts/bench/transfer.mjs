// Transfer figures: `import` of N products against the same count of sequential `add` processes (a sample,
// extrapolated), and `list --json` / `export` of a table at two sizes, with the CLI's peak memory at each.
// The stack runs in its own process as `setup --local` runs it (throttle off); every CLI run is a fresh
// process of bin/products-cli.js. Every run must exit 0 and move every product (import's count, the export's
// lines, the listed ids); a section where one does not is MISS and the script exits 1. Exported for the
// combined bench; printed when run directly.
//
//   npm run bench:transfer [-- --json]       (needs `npm run build` first)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { finish, median, reason, row } from './figures.mjs';

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

/**
 * Runs the CLI as a fresh process; returns wall time (ms), peak RSS (bytes), stdout when asked (`capture`), and
 * how often `count` occurs in stdout (counted as it streams, nothing kept).
 */
export function runCli(args, { cwd, capture = false, count, nodeArgs = [] } = {}) {
  const rssFile = join(cwd, `rss-${process.hrtime.bigint()}.txt`);
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1', PEAK_RSS_FILE: rssFile };
    delete env.PRODUCTS_API_URL;
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...nodeArgs, '--import', peakRssPreload, bin, ...args], {
      cwd,
      env,
      stdio: ['ignore', capture || count ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let matches = 0;
    let tail = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk) => {
      if (capture) stdout += chunk;
      if (count) {
        const text = tail + chunk;
        matches += text.split(count).length - 1;
        // Less than one match's worth carries over, so that a match split across chunks is counted once.
        tail = text.slice(-(count.length - 1));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`products-cli ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      const peakRss = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) * 1024 : Number.NaN;
      resolve({ ms, peakRss, stdout, matches });
    });
  });
}

function product(index, now) {
  return {
    id: `p${String(index).padStart(7, '0')}`,
    title: `Product ${index}`,
    description: `Seeded product number ${index}`,
    price: (index % 100_000) / 100,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** Puts products straight into the engine with BatchWriteItem (25 a request, 8 requests in flight). */
export async function seedEngine(endpoint, from, to) {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient, BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const now = new Date().toISOString();
  let next = from;
  const worker = async () => {
    while (next < to) {
      const start = next;
      next = Math.min(to, next + 25);
      let requests = Array.from({ length: next - start }, (_, offset) => ({
        PutRequest: { Item: product(start + offset, now) },
      }));
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
export async function measureTransfer({
  importCount = 10_000,
  addSample = 20,
  sizes = [10_000, 100_000],
  log = () => {},
} = {}) {
  const work = mkdtempSync(join(tmpdir(), 'bench-transfer-'));
  const figures = { importCount, addSample, sizes: [] };
  try {
    // Import against sequential adds, on a fresh stack.
    let stack = await startStackProcess();
    try {
      try {
        const file = join(work, 'import.ndjson');
        const now = new Date().toISOString();
        writeFileSync(
          file,
          Array.from({ length: importCount }, (_, index) => `${JSON.stringify(product(index, now))}\n`).join(''),
        );
        log(`import of ${importCount} products…`);
        const imported = await runCli(['import', file, '--url', stack.url, '--json'], { cwd: work, capture: true });
        const summary = JSON.parse(imported.stdout);
        if (summary.created !== importCount) throw new Error(`import created ${summary.created} of ${importCount}`);
        figures.importMs = imported.ms;
        figures.importPeakRss = imported.peakRss;
        log(`${addSample} sequential add processes…`);
        const adds = [];
        for (let index = 0; index < addSample; index++) {
          adds.push(
            (
              await runCli(
                ['add', '--id', `a${index}`, '--title', `Added ${index}`, '--price', '1', '--url', stack.url],
                { cwd: work },
              )
            ).ms,
          );
        }
        figures.addMedianMs = median(adds);
        figures.addsExtrapolatedMs = median(adds) * importCount;
      } catch (error) {
        figures.importProblem = reason(error);
      }
    } finally {
      await stack.stop();
    }

    // List and export at growing sizes, on a second fresh stack seeded straight into its engine.
    stack = await startStackProcess();
    try {
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
          const listed = await runCli(['list', '--json', '--url', stack.url], { cwd: work, count: '"id":"p' });
          if (listed.matches !== size) throw new Error(`list --json printed ${listed.matches} products of ${size}`);
          figures.sizes.push({
            size,
            seedMs,
            exportMs: exported.ms,
            exportPeakRss: exported.peakRss,
            exportBytes: statSync(output).size,
            listMs: listed.ms,
            listPeakRss: listed.peakRss,
          });
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
          export:
            (await completes(['export', '--url', stack.url, '--output', output])) &&
            readFileSync(output, 'utf8').split('\n').length - 1 === size,
          list: await completes(['list', '--json', '--url', stack.url]),
        };
        rmSync(output, { force: true });
      } catch (error) {
        figures.sizesProblem = reason(error);
      }
    } finally {
      await stack.stop();
    }
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The transfer figures as rows. */
export function transferRows(f) {
  const p = f.importProblem ?? null;
  const counted = `${thousands(f.importCount)} created, exit 0`;
  const rows = [
    row(`import ${thousands(f.importCount)} products (one process)`, p ? '' : secs(f.importMs), counted, true, p),
    row(`  = products per second`, p ? '' : `${Math.round(f.importCount / (f.importMs / 1000))} /s`, counted, true, p),
    row(`  import peak RSS`, p ? '' : mib(f.importPeakRss), counted, true, p),
    row(
      `add, one process per product (median of ${f.addSample})`,
      p ? '' : `${f.addMedianMs.toFixed(1)} ms`,
      `${f.addSample} of ${f.addSample} exit 0`,
      true,
      p,
    ),
    row(
      `${thousands(f.importCount)} sequential adds (extrapolated from ${f.addSample})`,
      p ? '' : secs(f.addsExtrapolatedMs),
      `${f.addSample} of ${f.addSample} exit 0`,
      true,
      p,
    ),
    row(
      'import / sequential adds',
      p ? '' : `${(f.addsExtrapolatedMs / f.importMs).toFixed(1)}x faster`,
      '> 10x',
      !p && f.addsExtrapolatedMs / f.importMs > 10,
      p,
    ),
  ];
  const q = f.sizesProblem ?? null;
  if (q && f.sizes.length === 0) rows.push(row('export and list', '', 'every product, exit 0', false, q));
  for (const s of f.sizes) {
    const every = `${thousands(s.size)} of ${thousands(s.size)}, exit 0`;
    rows.push(row(`export ${thousands(s.size)} products`, secs(s.exportMs), every, true));
    rows.push(row(`  export peak RSS at ${thousands(s.size)}`, mib(s.exportPeakRss), every, true));
    rows.push(row(`list --json ${thousands(s.size)} products`, secs(s.listMs), every, true));
    rows.push(row(`  list peak RSS at ${thousands(s.size)}`, mib(s.listPeakRss), every, true));
  }
  if (q && f.sizes.length > 0)
    rows.push(row(`export and list of ${thousands(f.sizes.length)} sizes`, '', 'every size', false, q));
  if (f.sizes.length >= 2) {
    const small = f.sizes[0];
    const large = f.sizes[f.sizes.length - 1];
    const label = `${thousands(small.size)} -> ${thousands(large.size)}`;
    rows.push(
      row(
        `export peak RSS growth ${label}`,
        `${(large.exportPeakRss / small.exportPeakRss).toFixed(2)}x`,
        'both sizes complete',
        true,
      ),
    );
    rows.push(
      row(
        `list peak RSS growth ${label}`,
        `${(large.listPeakRss / small.listPeakRss).toFixed(2)}x`,
        'both sizes complete',
        true,
      ),
    );
  }
  if (f.smallHeap) {
    const h = f.smallHeap;
    const data = f.sizes[f.sizes.length - 1]?.exportBytes ?? 0;
    rows.push(
      row(
        `export ${thousands(h.size)} (${mib(data)} of NDJSON) in a ${h.mib} MiB heap`,
        h.export ? 'completes' : 'fails',
        'completes',
        h.export,
      ),
    );
    rows.push(
      row(
        `list --json ${thousands(h.size)} in a ${h.mib} MiB heap`,
        h.list ? 'completes' : 'fails',
        'completes',
        h.list,
      ),
    );
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  // --quick: smaller sizes, for trying the bench out; the figures of record come from a run without it.
  const sizes = process.argv.includes('--quick') ? { importCount: 2_000, addSample: 5, sizes: [2_000, 10_000] } : {};
  const figures = await measureTransfer({ ...sizes, log: (line) => process.stderr.write(`${line}\n`) });
  finish('products-cli transfer benchmark', transferRows(figures), { figures });
}
