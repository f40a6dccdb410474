// Where the handler's CPU goes: bundles the handler from the sources under --root as the build does but
// unminified (names kept), serves GET /product/{id} from it in a child process run with `node --cpu-prof`, the
// engine in a process of its own, then prints the profile's heaviest functions by self time. Every answer must
// be a 200, or no profile is printed.
//
//   node scripts/bench/profile.mjs [--root .] [--count 20000] [--top 15]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { unzipSync } from 'fflate';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    root: { type: 'string', default: join(here, '..', '..') },
    count: { type: 'string', default: '20000' },
    top: { type: 'string', default: '15' },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) {
  const { startEngineProcess } = await import('./engine-process.mjs');
  const { cpuPerCall, handlerCalls, seed, signedCaller } = await import('./handler-cpu.mjs');
  const engine = await startEngineProcess();
  const caller = signedCaller(engine.endpoint);
  await seed(caller);
  caller.close();
  Object.assign(process.env, {
    TABLE_NAME: 'product',
    AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const { handler } = await import(pathToFileURL(process.env.PROFILE_ENTRY).href);
  const [call, check] = handlerCalls(handler, 0).GET;
  const write = process.stdout.write;
  process.stdout.write = () => true;
  const result = await cpuPerCall(call, check, { count: Number(values.count), concurrency: 16 });
  process.stdout.write = write;
  await engine.stop();
  process.stdout.write(
    JSON.stringify({
      ok: result.answers.ok,
      count: Number(values.count),
      micros: result.micros,
      failures: result.answers.problem(Number(values.count)),
    }),
  );
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'products-profile-'));
const zip = join(dir, 'handler.zip');
const bundled = spawnSync(
  process.execPath,
  [join(values.root, 'scripts', 'bundle-handler.mjs'), '--out', zip, '--no-minify'],
  { encoding: 'utf8' },
);
if (bundled.status !== 0) throw new Error(`bundling failed: ${bundled.stderr}`);
for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zip)))) writeFileSync(join(dir, name), bytes);
const run = spawnSync(
  process.execPath,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, fileURLToPath(import.meta.url), '--child', '--count', values.count],
  {
    env: { ...process.env, PROFILE_ENTRY: join(dir, 'index.mjs') },
    encoding: 'utf8',
  },
);
const summary = JSON.parse(run.stdout || '{}');
if (run.status !== 0 || summary.ok !== summary.count || !(summary.count > 0)) {
  console.log(
    `MISS: the profiled run did not answer 200 every time (${summary.ok ?? 0} of ${summary.count ?? values.count}; ${summary.failures ?? run.stderr})`,
  );
  process.exit(1);
}

const profile = JSON.parse(
  readFileSync(
    join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.cpuprofile')),
    ),
    'utf8',
  ),
);
// The unminified bundle marks where each module starts with a `// path` comment: map lines to modules.
const moduleAt = [];
let current = '(bundle)';
for (const line of readFileSync(join(dir, 'index.mjs'), 'utf8').split('\n')) {
  const marker = /^\/\/ ((?:node_modules|src)\/\S+)$/.exec(line);
  if (marker) current = moduleName(marker[1]);
  moduleAt.push(current);
}
function moduleName(path) {
  if (path.startsWith('src/')) return path;
  const parts = path.replace(/^.*node_modules\//, '').split('/');
  const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  const sub = /submodules\/([^/]+)/.exec(path);
  return sub ? `${name}/${sub[1]}` : name;
}
const byFunction = new Map();
const byModule = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const { functionName, url, lineNumber } = byId.get(profile.samples[i]).callFrame;
  if (functionName === '(idle)') continue;
  const micros = profile.timeDeltas[i] ?? 0;
  total += micros;
  const inBundle = url.endsWith('index.mjs');
  const where = inBundle
    ? (moduleAt[lineNumber] ?? '(bundle)')
    : url
      ? url.replace(/^node:internal\//, 'node:')
      : '(native)';
  const fn = `${functionName || '(anonymous)'}  [${where}]`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  const group = inBundle
    ? where
    : url.startsWith('node:')
      ? 'node: built-ins (http, net, streams, events)'
      : '(native: syscalls, GC, microtasks)';
  byModule.set(group, (byModule.get(group) ?? 0) + micros);
}
const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
const share = (micros) => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
console.log(
  `GET /product/{id}, ${summary.count} requests, all 200: ${summary.micros.toFixed(0)} µs CPU per request (whole process, profiler on)`,
);
console.log(`by module, share of busy time (profile in ${dir}):`);
for (const [name, micros] of top(byModule)) console.log(`  ${share(micros)}  ${name}`);
console.log('by function, self time:');
for (const [name, micros] of top(byFunction)) console.log(`  ${share(micros)}  ${name}`);
