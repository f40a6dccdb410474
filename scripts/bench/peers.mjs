// The local stack beside its peer, side by side in one run: GET /product/{random seeded id} at 16 connections
// through
// - our local stack (build/local/serve.js, the function pool at its default size),
// - serverless-offline at its fastest (`--useInProcess`) and at its default (worker threads),
// - the bare gateway (scripts/bench/bare-gateway.mjs): one GetItem per request and nothing else, the most a
//   gateway written for Node reaches over this engine on this machine,
// all running the same dist/handler.zip (the bare gateway runs only its DynamoDB client) against one engine in
// a process of its own, seeded with --items products. Rounds alternate between the targets so that load from
// elsewhere falls on all alike; medians are printed. Every answer is checked (200 with a product); a target
// with any other answer, or fewer than --min successes a round, is MISS and the script exits 1.
//
//   npm run bench:peers [-- --seconds 8 --rounds 3 --connections 16 --items 1000 --min 1000 --no-install --json]
//                       [-- --zip other/handler.zip]   (another build of the artifact, for a before and after)
// serverless and serverless-offline are installed on first use into the tools cache (scripts/bench/peer-install.mjs);
// --no-install makes their absence a MISS instead. The load comes from wrk when it is on the PATH, else from
// undici in this process (whose CPU then competes with the targets). Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { unzipSync } from 'fflate';
import { startEngineProcess } from './engine-process.mjs';
import { finish, median, reason, row, tally } from './figures.mjs';
import { seed, signedCaller } from './handler-cpu.mjs';
import { hasWrk, load, stopLoad } from './http-load.mjs';
import { ensurePeers, PEER_VERSIONS } from './peer-install.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    items: { type: 'string', default: '1000' },
    min: { type: 'string', default: '1000' },
    'no-install': { type: 'boolean', default: false },
    zip: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const items = Number(values.items);
const minimum = Number(values.min);
const STAGE = 'prod';
const log = (line) => process.stderr.write(`bench-peers: ${line}\n`);

const serveJs = join(root, 'build', 'local', 'serve.js');
const handlerZip = values.zip ?? join(root, 'dist', 'handler.zip');
if (!existsSync(serveJs) || !existsSync(handlerZip)) {
  console.error('bench-peers: run `npm run build` first');
  process.exit(2);
}

/** A port free now, for serverless-offline, which takes its ports as flags. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with {url} from a child that reports it over IPC (`pick` reads the message), or rejects on exit. */
function childReady(child, pick) {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      const url = pick(message);
      if (url) resolve(url);
      else reject(new Error(message.message ?? JSON.stringify(message)));
    });
    child.once('exit', (code) => reject(new Error(`exited with code ${code} before it was ready`)));
  });
}

const fakeCredentials = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const children = [];
let runDir;
let engine;

function stopAll() {
  for (const stop of children.splice(0)) stop();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopLoad();
    stopAll();
    void engine?.stop();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

async function startOurs(endpoint) {
  const options = { port: 0, throttle: null, quiet: true, dynamodbEndpoint: endpoint, handlerZip };
  const child = spawn(process.execPath, [serveJs, JSON.stringify(options)], {
    env: { ...process.env, ...fakeCredentials },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(() => child.kill('SIGTERM'));
  return childReady(child, (m) => m.type === 'ready' && m.url);
}

async function startBare(endpoint) {
  const child = spawn(process.execPath, [join(root, 'scripts', 'bench', 'bare-gateway.mjs'), endpoint, STAGE], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(() => child.kill('SIGTERM'));
  return childReady(child, (m) => m.url);
}

/** serverless-offline in its own process group (it starts children), ready when it says "Server ready". */
async function startOffline(peersDir, endpoint, extraFlags) {
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const bin = join(peersDir, 'node_modules', '.bin', 'serverless');
  const flags = [
    'offline',
    'start',
    '--httpPort',
    String(httpPort),
    '--lambdaPort',
    String(lambdaPort),
    '--noTimeout',
    ...extraFlags,
  ];
  const env = {
    ...process.env,
    ...fakeCredentials,
    ENGINE: endpoint,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  const child = spawn(bin, flags, { cwd: runDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(() => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`serverless-offline did not start within 60 s: ${output.trim().split('\n').slice(-1)[0]}`)),
      60_000,
    );
    const onData = (chunk) => {
      output += chunk;
      if (/Server ready/.test(output)) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${httpPort}/${STAGE}`);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless-offline exited with code ${code}: ${output.trim().split('\n').slice(-1)[0]}`));
    });
  });
}

/** The service serverless-offline runs: the artifact unzipped, behind GET /product/{id} and POST /product. */
function writeService(peersDir, zip) {
  runDir = mkdtempSync(join(tmpdir(), 'products-cli-peers-'));
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zip)))) writeFileSync(join(runDir, name), bytes);
  // serverless loads its plugins from the service's own node_modules.
  symlinkSync(join(peersDir, 'node_modules'), join(runDir, 'node_modules'));
  writeFileSync(
    join(runDir, 'serverless.yml'),
    [
      'service: products-cli-peers',
      "frameworkVersion: '3'",
      'plugins:',
      '  - serverless-offline',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      '  region: us-east-1',
      `  stage: ${STAGE}`,
      '  environment:',
      '    TABLE_NAME: product',
      '    AWS_ENDPOINT_URL_DYNAMODB: ${env:ENGINE}',
      'functions:',
      '  product:',
      '    handler: index.handler',
      '    timeout: 10',
      '    events:',
      '      - http: { path: "product/{id}", method: get }',
      '      - http: { path: product, method: post }',
      '',
    ].join('\n'),
  );
}

async function seedEngine(endpoint) {
  const caller = signedCaller(endpoint);
  try {
    await seed(caller, items);
  } finally {
    caller.close();
  }
}

const NAMES = {
  ours: 'our local stack',
  offlineInProcess: `serverless-offline ${PEER_VERSIONS['serverless-offline']} --useInProcess`,
  offlineWorkers: `serverless-offline ${PEER_VERSIONS['serverless-offline']} (default: worker threads)`,
  bare: 'bare gateway (one GetItem per request, nothing else)',
};
const wrk = hasWrk();
let rows;
let perRound = {};
try {
  const peersDir = await ensurePeers({ install: !values['no-install'], log });
  engine = await startEngineProcess();
  await seedEngine(engine.endpoint);
  writeService(peersDir, handlerZip);
  log('starting the targets');
  const targets = {
    ours: await startOurs(engine.endpoint),
    offlineInProcess: await startOffline(peersDir, engine.endpoint, ['--useInProcess']),
    offlineWorkers: await startOffline(peersDir, engine.endpoint, []),
    bare: await startBare(engine.endpoint),
  };
  for (const [name, url] of Object.entries(targets)) {
    const answer = await fetch(`${url}/product/p7`);
    const text = await answer.text();
    if (answer.status !== 200 || !text.includes('"id":"p7"'))
      throw new Error(`${NAMES[name]} answered GET /product/p7 with ${answer.status} ${text.slice(0, 120)}`);
  }
  const options = { seconds, connections, items, wrk };
  for (const url of Object.values(targets)) await load(url, { ...options, seconds: 2 });
  const answers = Object.fromEntries(Object.keys(targets).map((name) => [name, tally()]));
  perRound = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, url] of Object.entries(targets)) {
      const result = await load(url, options);
      answers[name].merge(result.answers);
      perRound[name].push({
        rate: result.rate,
        p50ms: result.p50ms,
        p99ms: result.p99ms,
        ok: result.answers.ok,
        failed: result.answers.failed,
      });
      log(`round ${round + 1}, ${NAMES[name]}: ${result.rate.toFixed(0)} req/s, p99 ${result.p99ms.toFixed(2)} ms`);
    }
  }
  const least = minimum * rounds;
  const problem = (name) => answers[name].problem(least);
  const rate = (name) => median(perRound[name].map((r) => r.rate));
  const p99 = (name) => median(perRound[name].map((r) => r.p99ms));
  const asserted = `all 200 with a product, >= ${least}`;
  const pair = (a, b) => problem(a) ?? problem(b);
  rows = [];
  for (const name of Object.keys(targets)) {
    rows.push(row(`${NAMES[name]}: rate`, `${rate(name).toFixed(0)} req/s`, asserted, true, problem(name)));
    rows.push(row(`${NAMES[name]}: p99`, `${p99(name).toFixed(2)} ms`, asserted, true, problem(name)));
  }
  const fastest = 'offlineInProcess';
  rows.push(
    row(
      '  ours / serverless-offline in-process, rate',
      `${(rate('ours') / rate(fastest)).toFixed(2)}x`,
      '>= 5x',
      rate('ours') / rate(fastest) >= 5,
      pair('ours', fastest),
    ),
    row(
      '  ours / serverless-offline in-process, p99',
      `${(p99('ours') / p99(fastest)).toFixed(2)}`,
      '<= 0.2',
      p99('ours') / p99(fastest) <= 0.2,
      pair('ours', fastest),
    ),
    row(
      '  ours / serverless-offline default, rate',
      `${(rate('ours') / rate('offlineWorkers')).toFixed(2)}x`,
      'none: beside its default',
      true,
      pair('ours', 'offlineWorkers'),
    ),
    row(
      '  bare gateway / serverless-offline in-process, rate',
      `${(rate('bare') / rate(fastest)).toFixed(2)}x`,
      'none: the most any Node gateway gets here',
      true,
      pair('bare', fastest),
    ),
    row(
      '  bare gateway / serverless-offline in-process, p99',
      `${(p99('bare') / p99(fastest)).toFixed(2)}`,
      'none: the least any Node gateway gets here',
      true,
      pair('bare', fastest),
    ),
    row(
      '  ours / bare gateway, rate',
      `${((rate('ours') / rate('bare')) * 100).toFixed(1)}%`,
      'none: what the handler and the pool cost',
      true,
      pair('ours', 'bare'),
    ),
  );
} catch (error) {
  rows = [row('our local stack beside serverless-offline', '', 'a run that completes', false, reason(error))];
} finally {
  stopAll();
  await engine?.stop();
}
const loader = wrk ? 'wrk -t2' : 'undici in this process (wrk not found: gaps narrowed by the load generator)';
finish(
  `peers: GET /product/{id}${values.zip ? ` (handler ${values.zip})` : ''}, ${connections} connections from ${loader}, ${items} items, ${rounds} rounds of ${seconds} s each, medians`,
  rows,
  { rounds: perRound },
);
