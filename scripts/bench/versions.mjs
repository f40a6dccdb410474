// Versions under load: a local stack started by `products-cli setup --local`, --clients clients each reading and
// editing a product of its own (GET, then PATCH with If-Match of the ETag it just read) while the built CLI runs
// `deploy --local` with a new bundle and then `rollback --local`, --cycles times over. Every answer must be 2xx: the figures are
// the requests answered during the switch and how many were not 2xx. A 412 cannot come from another client's
// edit, since no two clients edit the same product, so it counts as a non-2xx answer like any other. The API is
// open (--auth none), so that the load is requests, not signing. Both rows are MISS when the deploy or the
// rollback did not exit 0 and move live, or fewer than --min requests answered.
//
//   npm run bench:versions [-- --clients 6 --cycles 3 --min 200 --rate-limit 5000 --json]
// Needs `npm run build` first (it runs bin/products-cli.js and dist/handler.zip).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { finish, reason, row } from './figures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '6' },
    cycles: { type: 'string', default: '3' },
    min: { type: 'string', default: '200' },
    // The stage's rate and burst limit; the default is far above what the clients send.
    'rate-limit': { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const cycles = Number(values.cycles);
const limit = values['rate-limit'];
const minimum = Number(values.min);
const bin = join(root, 'bin', 'products-cli.js');
const zip = join(root, 'dist', 'handler.zip');
if (!existsSync(join(root, 'build', 'cli.js')) || !existsSync(zip)) {
  console.error('bench-versions: run `npm run build` first');
  process.exit(2);
}

/** Runs the built CLI in `cwd`; resolves with its exit code and output. */
function cli(cwd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One client: GET its product, then PATCH it with If-Match of the ETag read, until `running()` is false. */
async function client(url, id, running, statuses) {
  const count = (status) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  let price = 1;
  while (running()) {
    const read = await fetch(`${url}/product/${id}`).catch(() => undefined);
    await read?.arrayBuffer();
    count(read?.status ?? 0);
    const etag = read?.headers.get('etag');
    if (!etag || !running()) continue;
    const headers = { 'content-type': 'application/json', 'if-match': etag };
    const edited = await fetch(`${url}/product/${id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ price: price++ }),
    }).catch(() => undefined);
    await edited?.arrayBuffer();
    count(edited?.status ?? 0);
  }
}

const cwd = mkdtempSync(join(tmpdir(), 'products-cli-bench-versions-'));
const name = `${cycles}x deploy --local, rollback --local under GET+PATCH load (${clients} clients)`;
const rows = [];
try {
  const setup = await cli(cwd, [
    'setup',
    '--local',
    '--auth',
    'none',
    '--port',
    '0',
    '--rate-limit',
    limit,
    '--burst-limit',
    limit,
    '--json',
  ]);
  if (setup.code !== 0) throw new Error(`setup --local exited ${setup.code}: ${setup.stderr.trim()}`);
  const { url } = JSON.parse(setup.stdout);
  // A bundle a cycle: the same code with one more line, so that each one's SHA-256 differs.
  const files = unzipSync(readFileSync(zip));
  const entry = Object.keys(files).find((file) => /^index\.(mjs|js|cjs)$/.test(file));
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const code = new TextEncoder().encode(`${strFromU8(files[entry])}\n// ${cycle}\n`);
    writeFileSync(join(cwd, `next-${cycle}.zip`), zipSync({ ...files, [entry]: code }));
  }
  const ids = Array.from({ length: clients }, (_, i) => `versions-${i}`);
  for (const id of ids) {
    const body = JSON.stringify({ id, title: 'Phone', description: 'A phone', price: 1 });
    let created;
    // A low --rate-limit throttles the seeding too: a 429 is sent again a second later.
    for (let tries = 0; tries < 10 && created?.status !== 201; tries++) {
      if (created) await new Promise((resolve) => setTimeout(resolve, 1000));
      created = await fetch(`${url}/product`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await created.arrayBuffer();
      if (created.status !== 201 && created.status !== 429) break;
    }
    if (created.status !== 201) throw new Error(`creating product ${id} answered ${created.status}`);
  }

  const statuses = new Map();
  let stop = false;
  const load = Promise.all(ids.map((id) => client(url, id, () => !stop, statuses)));
  const switches = [];
  for (let cycle = 1; cycle <= cycles; cycle++) {
    switches.push(['deploy --local', await cli(cwd, ['deploy', '--local', '--zip', `next-${cycle}.zip`, '--json'])]);
    switches.push(['rollback --local', await cli(cwd, ['rollback', '--local', '--json'])]);
  }
  stop = true;
  await load;

  const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
  const non2xx = [...statuses].filter(([status]) => status < 200 || status >= 300).reduce((a, [, n]) => a + n, 0);
  const moved = (run, what) => {
    if (run.code !== 0) return `${what} exited ${run.code}: ${run.stderr.trim().split('\n').pop()}`;
    return JSON.parse(run.stdout).moved ? null : `${what} did not move live`;
  };
  const problem =
    switches.map(([what, run]) => moved(run, what)).find(Boolean) ??
    (requests < minimum ? `only ${requests} requests answered, at least ${minimum} needed` : null);
  const others = [...statuses]
    .filter(([status]) => status < 200 || status >= 300)
    .map(([status, n]) => `${n}x ${status || 'no answer'}`)
    .join(', ');
  rows.push(row(`${name}: requests`, String(requests), `>= ${minimum}`, requests >= minimum, problem));
  rows.push(row(`${name}: non-2xx`, `${non2xx}${others ? ` (${others})` : ''}`, '0', non2xx === 0, problem));
} catch (error) {
  rows.push(row(name, '', 'completes', false, reason(error)));
} finally {
  await cli(cwd, ['teardown', '--local', '--yes']).catch(() => undefined);
  rmSync(cwd, { recursive: true, force: true });
}
finish('Versions of the local stack under load (built CLI)', rows);
