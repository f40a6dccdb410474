// Handler figures: the zip's size, the artifact's cold import time beside `node -e 0`, and throughput
// in-process against the local engine. Exported for the combined bench; printed when run directly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import dynalite from 'dynalite';
import { unzipSync } from 'fflate';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const zipPath = join(root, 'dist', 'handler.zip');

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Wall time of a fresh `node` process running `args`, in milliseconds. */
export function timeProcess(args, env = process.env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function unpack() {
  const dir = mkdtempSync(join(tmpdir(), 'products-bench-'));
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zipPath)))) writeFileSync(join(dir, name), bytes);
  return join(dir, 'index.mjs');
}

function event(method, resource, id, body) {
  return {
    resource,
    path: id ? `/product/${id}` : '/product',
    httpMethod: method,
    headers: body ? { 'Content-Type': 'application/json' } : null,
    multiValueHeaders: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: id ? { id } : null,
    stageVariables: null,
    requestContext: { stage: 'prod', requestId: 'bench', path: `/prod/product${id ? `/${id}` : ''}` },
    body: body ? JSON.stringify(body) : null,
    isBase64Encoded: false,
  };
}

/** Measures the handler; `runs` fresh processes for the import time, `seconds` of load for throughput. */
export async function measureHandler({ runs = 10, seconds = 3, concurrency = 16 } = {}) {
  const entry = unpack();
  const env = { ...process.env, TABLE_NAME: 'product', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const importScript = `await import(${JSON.stringify(pathToFileURL(entry).href)})`;
  const baseline = [];
  const cold = [];
  // Interleaved, so that drift in the machine's load touches both alike.
  for (let i = 0; i < runs; i++) {
    baseline.push(timeProcess(['-e', '0'], env));
    cold.push(timeProcess(['--input-type=module', '-e', importScript], env));
  }

  const engine = dynalite({ createTableMs: 0 });
  await new Promise((resolve) => engine.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${engine.address().port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const { ensureTable } = await import(pathToFileURL(join(root, 'build', 'provision', 'table.js')).href);
  await ensureTable({ dynamodb: client, tableName: 'product', maxWaitSeconds: 10 });
  Object.assign(process.env, { TABLE_NAME: 'product', AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'us-east-1' });
  const writeStdout = process.stdout.write;
  process.stdout.write = () => true; // the handler's request log lines
  let requests = 0;
  let failures = 0;
  try {
    const { handler } = await import(pathToFileURL(entry).href);
    for (let i = 0; i < 100; i++) await handler(event('POST', '/product', null, { id: `p${i}`, title: `Product ${i}`, price: i }));
    const deadline = performance.now() + seconds * 1000;
    const worker = async () => {
      while (performance.now() < deadline) {
        const result = await handler(event('GET', '/product/{id}', `p${requests % 100}`));
        requests++;
        if (result.statusCode !== 200) failures++;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = (performance.now() - started) / 1000;
    return {
      zipBytes: statSync(zipPath).size,
      coldImportMs: median(cold),
      nodeBaselineMs: median(baseline),
      coldImportRatio: median(cold) / median(baseline),
      getPerSecond: requests / elapsed,
      getFailures: failures,
      concurrency,
    };
  } finally {
    process.stdout.write = writeStdout;
    client.destroy();
    await new Promise((resolve) => engine.close(resolve));
  }
}

/** The handler figures as table rows: [figure, value, goal, met]. */
export function handlerRows(m) {
  return [
    ['handler zip size', `${(m.zipBytes / 1024).toFixed(1)} KiB`, '< 200 KB', m.zipBytes < 200_000],
    ['handler cold import (median of 10)', `${m.coldImportMs.toFixed(1)} ms`, '', true],
    ['node -e 0 (median of 10)', `${m.nodeBaselineMs.toFixed(1)} ms`, '', true],
    ['cold import / node -e 0', `${m.coldImportRatio.toFixed(2)}x`, '< 2x', m.coldImportRatio < 2],
    [`handler GET in-process (${m.concurrency} concurrent)`, `${Math.round(m.getPerSecond)} req/s`, '', m.getFailures === 0],
  ];
}

export function printRows(title, rows) {
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  console.log(title);
  for (const [name, value, goal, met] of rows) {
    const verdict = goal ? (met ? `ok   (goal ${goal})` : `MISS (goal ${goal})`) : '';
    console.log(`  ${name.padEnd(width)}  ${value.padStart(valueWidth)}  ${verdict}`.trimEnd());
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await measureHandler();
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
  else printRows('products-cli handler benchmark', handlerRows(figures));
}
