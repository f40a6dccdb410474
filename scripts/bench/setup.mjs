// Setup and teardown against the stateful fake of AWS with its harsh latency model, on a virtual clock: each
// call takes a varied, seeded time around its median (80 ms; a CreateFunction with its zip 600 ms, a
// deployment 400 ms, …; one call in 20 three times as long), a table is ACTIVE 8 s after CreateTable and
// refuses point-in-time recovery for a moment after that, a role can be assumed by Lambda 7 s after CreateRole
// (CreateFunction is sometimes throttled meanwhile), a function is Active 2 s after CreateFunction and refuses
// other changes until then, overlapping changes to one REST API get 409, a deleted table is gone 2 s after
// DeleteTable, and API Gateway's control-plane quotas are enforced (429 + retryAfterSeconds). Virtual time
// counts only the modelled AWS latency, so the figures do not depend on this machine; the real time the run
// took is printed too. `--seed N` picks other latencies.
//
// Prints total time, call count, the critical path, and the ratio against the longest unavoidable chain, which
// is built from the latencies this run's calls actually had. Setup and teardown must complete and leave the
// fake account as they should; otherwise their figures are MISS and the script exits 1.
//
//   npm run bench:setup [-- --json] [-- --seed N]
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { finish, reason, row } from './figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// In build/, one folder below package.json as the compiled CLI is, where src/defaults.ts reads its version.
const outDir = join(root, 'build');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'bench-setup.mjs');
await build({
  stdin: {
    contents: `
      export { FakeAws } from './test/aws/fake/fake-aws.ts';
      export { DEFAULT_MODEL } from './test/aws/fake/core.ts';
      export { VirtualClock } from './test/aws/fake/virtual-clock.ts';
      export { setupAws } from './src/commands/setup/aws.ts';
      export { teardownAws } from './src/commands/teardown/aws.ts';
      export { memoryStateStore } from './src/provision/state-store.ts';
      export { DEFAULT_WAITS } from './src/provision/context.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const m = await import(pathToFileURL(outfile).href);
const json = process.argv.includes('--json');
const print = json ? () => {} : (line) => console.log(line);

const { Writable, PassThrough } = await import('node:stream');
const sink = () => Object.assign(new Writable({ write: (_c, _e, done) => done() }), { isTTY: false });
const context = () => ({
  stdout: sink(),
  stderr: sink(),
  stdin: Object.assign(new PassThrough(), { isTTY: false }),
  env: {},
  cwd: outDir,
  json: true,
  color: false,
  signal: new AbortController().signal,
});

const seedAt = process.argv.indexOf('--seed');
const seed = seedAt > 0 ? Number(process.argv[seedAt + 1]) : m.DEFAULT_MODEL.seed;
const clock = new m.VirtualClock(0);
const fake = new m.FakeAws(clock, { ...m.DEFAULT_MODEL, seed });
const model = fake.model;
const zipPath = join(root, 'dist', 'handler.zip');
const zip = existsSync(zipPath) ? new Uint8Array(readFileSync(zipPath)) : new TextEncoder().encode('bundle');
const store = m.memoryStateStore();
const deps = {
  clients: fake.clients(),
  clock,
  store,
  waits: m.DEFAULT_WAITS,
  readCode: async () => zip,
  fetch: async () => new Response('{"items":[]}', { status: 200 }),
};

// Which step waits for which, as provisionStack and removeStack await them.
const SETUP_DEPENDS = {
  function: ['role'],
  'role policy': ['role'],
  'invoke permission': ['function', 'REST API'],
  stage: ['REST API'],
  'API key': ['stage'],
};
const TEARDOWN_DEPENDS = { 'REST API': ['API key'], 'log group': ['function'], role: ['function'] };
const kind = (step) =>
  Object.keys({ ...SETUP_DEPENDS, ...TEARDOWN_DEPENDS, table: 1, 'REST API': 1, role: 1, 'log group': 1, function: 1 })
    .sort((a, b) => b.length - a.length)
    .find((k) => step.startsWith(k)) ?? step;

function criticalPath(timeline, depends) {
  const byKind = new Map(timeline.map((t) => [kind(t.step), t]));
  let current = [...timeline].sort((a, b) => b.endMs - a.endMs)[0];
  const path = [];
  while (current) {
    path.unshift(current);
    const deps = (depends[kind(current.step)] ?? []).map((d) => byKind.get(d)).filter(Boolean);
    current = deps.sort((a, b) => b.endMs - a.endMs)[0];
  }
  return path.map((t) => `${t.step} (${(t.startMs / 1000).toFixed(2)}–${(t.endMs / 1000).toFixed(2)} s)`).join(' → ');
}

function callSummary(from) {
  const calls = fake.calls.slice(from);
  const failed = calls.filter((c) => c.error);
  const reasons = {};
  for (const c of failed) reasons[`${c.op} ${c.error}`] = (reasons[`${c.op} ${c.error}`] ?? 0) + 1;
  const mutating = calls.filter((c) => !/^(Get|Describe|List|Filter|Scan)/.test(c.op) && !c.error).length;
  return { total: calls.length, mutating, failed: failed.length, reasons };
}

function report(title, ms, bound, boundText, timeline, depends, calls) {
  const ratio = ms / bound;
  print(`\n${title}`);
  print(`  total (virtual)      ${(ms / 1000).toFixed(2)} s`);
  print(
    `  calls                ${calls.total} (${calls.mutating} mutating, ${calls.failed} answered with an error${
      calls.failed
        ? `: ${Object.entries(calls.reasons)
            .map(([k, v]) => `${v}× ${k}`)
            .join(', ')}`
        : ''
    })`,
  );
  print(`  critical path        ${criticalPath(timeline, depends)}`);
  print(`  unavoidable chain    ${(bound / 1000).toFixed(2)} s = ${boundText}`);
  print(`  ratio                ${ratio.toFixed(3)}× (goal ≤ 1.2×: ${ratio <= 1.2 ? 'met' : 'NOT met'})`);
  print('  steps');
  for (const t of [...timeline].sort((a, b) => a.startMs - b.startMs))
    print(
      `    ${t.step.padEnd(42)} ${t.outcome.padEnd(9)} ${(t.startMs / 1000).toFixed(2).padStart(6)} → ${(t.endMs / 1000).toFixed(2).padStart(6)} s`,
    );
  return ratio;
}

print(
  `latency model (seed ${model.seed}): calls ${model.callMs} ms median ±${model.jitter * 100}% (${Object.entries(
    model.opMs,
  )
    .map(([op, ms]) => `${op} ${ms}`)
    .join(
      ', ',
    )}), 1 in 20 3× as long; table ACTIVE after ${model.tableActiveMs / 1000} s, backups after ${model.backupsUnavailableMs / 1000} s more; role usable after ${model.roleUsableMs / 1000} s (${model.lambdaThrottleRate * 100}% of CreateFunction throttled meanwhile); function Active after ${model.functionActiveMs / 1000} s; table gone ${model.tableDeleteMs / 1000} s after DeleteTable; 409 for overlapping changes of one REST API; API Gateway quotas enforced`,
);

/** How long the first successful call of `op` from index `from` on took, and when AWS answered it. */
function took(op, from) {
  const call = fake.calls.slice(from).find((c) => c.op === op && !c.error);
  if (!call) throw new Error(`no successful ${op} to measure the chain by`);
  return { ms: call.at - call.startedAt, at: call.at };
}
const ms = (n) => `${Math.round(n)} ms`;

/**
 * The setup chains no setup can beat, from this run's own latencies: the role's (CreateRole → usable → a
 * CreateFunction answered that moment → Active → the permission statements, one at a time on one policy)
 * and the table's (CreateTable → ACTIVE → backups available → UpdateContinuousBackups). The fake judges a
 * call when it answers, so a CreateFunction or a read already under way when the role or the function becomes
 * ready counts nothing extra; reads made before the first create are not counted either, though setup needs
 * them to know what is missing.
 */
function setupChain(from) {
  const role = took('CreateRole', from);
  const adds = fake.calls
    .slice(from)
    .filter((c) => c.op === 'AddPermission' && !c.error)
    .reduce((sum, c) => sum + c.at - c.startedAt, 0);
  const roleChain = role.ms + model.roleUsableMs + model.functionActiveMs + adds;
  const table = took('CreateTable', from);
  const pitr = took('UpdateContinuousBackups', from);
  const tableChain = table.ms + model.tableActiveMs + model.backupsUnavailableMs + pitr.ms;
  const text = `CreateRole ${ms(role.ms)} → role usable ${model.roleUsableMs / 1000} s → CreateFunction answered → Active ${model.functionActiveMs / 1000} s → AddPermission ×4 ${ms(adds)} (the table's chain is ${(tableChain / 1000).toFixed(2)} s)`;
  return { bound: Math.max(roleChain, tableChain), text };
}

/** Teardown's chain: the table is read, its tags and items counted, and it is deleted and gone. */
function teardownChain(from) {
  const parts = ['DescribeTable', 'ListTagsOfResource', 'Scan', 'DeleteTable'].map((op) => [op, took(op, from).ms]);
  const bound = parts.reduce((sum, [, n]) => sum + n, 0) + model.tableDeleteMs;
  return {
    bound,
    text: `${parts.map(([op, n]) => `${op} ${ms(n)}`).join(' → ')} (items are counted before anything is deleted) → gone ${model.tableDeleteMs / 1000} s`,
  };
}

const rows = [];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
let wall = performance.now();
let from = fake.calls.length;
let t0 = clock.now();
try {
  const setup = await m.setupAws({ verify: false }, context(), deps);
  const setupMs = clock.now() - t0;
  const chain = setupChain(from);
  const setupRatio = report(
    `setup (${Math.round(performance.now() - wall)} ms real)`,
    setupMs,
    chain.bound,
    chain.text,
    setup.timeline,
    SETUP_DEPENDS,
    callSummary(from),
  );
  rows.push(row('setup against the fake (virtual time)', seconds(setupMs), 'completes', true));
  rows.push(row('  setup / longest unavoidable chain', `${setupRatio.toFixed(3)}x`, '<= 1.2x', setupRatio <= 1.2));
} catch (error) {
  rows.push(row('setup against the fake (virtual time)', '', 'completes', false, reason(error)));
}

wall = performance.now();
from = fake.calls.length;
t0 = clock.now();
try {
  const rerun = await m.setupAws({ verify: false }, context(), deps);
  const rerunCalls = callSummary(from);
  print(`\nrerun on the complete stack (${Math.round(performance.now() - wall)} ms real)`);
  print(
    `  total (virtual)      ${((clock.now() - t0) / 1000).toFixed(2)} s, ${rerunCalls.total} calls, ${rerunCalls.mutating} mutating; every step unchanged: ${rerun.unchanged}`,
  );
  rows.push(
    row('rerun on the complete stack: mutating calls', String(rerunCalls.mutating), '0', rerunCalls.mutating === 0),
  );
} catch (error) {
  rows.push(row('rerun on the complete stack: mutating calls', '', '0', false, reason(error)));
}

wall = performance.now();
from = fake.calls.length;
t0 = clock.now();
try {
  const teardown = await m.teardownAws({ yes: true }, context(), deps);
  const teardownMs = clock.now() - t0;
  const chain = teardownChain(from);
  const teardownRatio = report(
    `teardown (${Math.round(performance.now() - wall)} ms real)`,
    teardownMs,
    chain.bound,
    chain.text,
    teardown.timeline,
    TEARDOWN_DEPENDS,
    callSummary(from),
  );
  rows.push(row('teardown against the fake (virtual time)', seconds(teardownMs), 'completes', true));
  rows.push(
    row('  teardown / longest unavoidable chain', `${teardownRatio.toFixed(3)}x`, '<= 1.2x', teardownRatio <= 1.2),
  );
} catch (error) {
  rows.push(row('teardown against the fake (virtual time)', '', 'completes', false, reason(error)));
}
const left = fake.summary();
rows.push(
  row(
    'left in the fake account after teardown',
    left.length === 0 ? 'nothing' : left.join(', '),
    'nothing',
    left.length === 0,
  ),
);
print('');
finish('setup and teardown against the fake AWS (virtual clock)', rows);
