import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/state/process-alive.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { product, productFlags } from '../helpers/product.js';

let cwd: string;
const strangers: ChildProcess[] = [];

/** A process that is not a stack, to check that nothing signals it. */
function stranger(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  strangers.push(child);
  return child;
}

const statePath = () => join(cwd, '.products-cli', 'state.json');
const readState = async () => JSON.parse(await readFile(statePath(), 'utf8'));

async function setup(): Promise<{ url: string; pid: number }> {
  const run = await runCli(['setup', '--local', '--port', '0', '--json'], { cwd });
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-trust-'));
});
afterEach(async () => {
  for (const child of strangers.splice(0)) child.kill('SIGKILL');
  if (existsSync(statePath())) {
    const pid = (await readState()).local?.pid;
    if (pid && isProcessAlive(pid) && pid !== process.pid) process.kill(pid, 'SIGKILL');
  }
  // A stack found only by its lock is stopped by its pid there.
  const lock = join(cwd, '.products-cli', 'local', 'data.lock');
  if (existsSync(lock)) {
    const pid = JSON.parse(await readFile(lock, 'utf8')).pid;
    if (pid && isProcessAlive(pid) && pid !== process.pid) process.kill(pid, 'SIGKILL');
  }
  await rm(cwd, { recursive: true, force: true });
});

describe('a lost state file', () => {
  it('does not orphan the stack: setup finds it by its data lock, and teardown stops it before deleting the data', async () => {
    const started = await setup();
    // Writes are signed with the stack's local keys, as the CLI signs them.
    expect((await runCli(['add', ...productFlags(product({ id: '1' }))], { cwd })).code).toBe(0);
    await rm(statePath());

    const again = await runCli(['setup', '--local', '--json'], { cwd });
    await rm(statePath());
    const teardown = await runCli(['teardown', '--local', '--yes', '--json'], { cwd });

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'running', pid: started.pid, url: started.url });
    expect(teardown.code).toBe(0);
    expect(JSON.parse(teardown.stdout)).toMatchObject({ status: 'stopped', pid: started.pid });
    expect(isProcessAlive(started.pid)).toBe(false);
    expect(existsSync(join(cwd, '.products-cli', 'local'))).toBe(false);
  });

  it('never lets teardown delete data that a live process it cannot identify holds', async () => {
    const holder = stranger();
    await mkdir(join(cwd, '.products-cli', 'local', 'data'), { recursive: true });
    await writeFile(join(cwd, '.products-cli', 'local', 'data.lock'), JSON.stringify({ pid: holder.pid }));

    const run = await runCli(['teardown', '--local', '--yes'], { cwd });

    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`process ${holder.pid} holds it`);
    expect(existsSync(join(cwd, '.products-cli', 'local', 'data'))).toBe(true);
    expect(isProcessAlive(holder.pid as number)).toBe(true);
  });
});

describe("a server that answers the health path in the stack's place", () => {
  it('is neither reported as the running stack nor has the recorded pid signalled', async () => {
    const victim = stranger();
    // It echoes what a stack would say, with the recorded pid and port, but cannot prove the secret.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          service: 'products-cli-local',
          pid: victim.pid,
          port: (server.address() as AddressInfo).port,
          stage: 'prod',
          url: 'x',
          startedAt: 'x',
          proof: '0'.repeat(64),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    try {
      await mkdir(join(cwd, '.products-cli'), { recursive: true });
      const local = {
        url: `http://127.0.0.1:${port}/prod`,
        port,
        stage: 'prod',
        pid: victim.pid,
        dynamodbEndpoint: 'http://127.0.0.1:9',
        startedAt: new Date().toISOString(),
        secret: 'a'.repeat(64),
      };
      await writeFile(statePath(), JSON.stringify({ version: 1, current: 'local', local }), { mode: 0o600 });

      const teardown = await runCli(['teardown', '--local', '--yes', '--keep-data', '--json'], { cwd });
      // Teardown took the emptied .products-cli/ with the state file.
      await mkdir(join(cwd, '.products-cli'), { recursive: true });
      await writeFile(statePath(), JSON.stringify({ version: 1, current: 'local', local }), { mode: 0o600 });
      const run = await runCli(['setup', '--local', '--port', '0', '--json'], { cwd });

      expect(JSON.parse(teardown.stdout)).toMatchObject({ status: 'not-running' });
      expect(isProcessAlive(victim.pid as number)).toBe(true);
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result.status).toBe('started');
      expect(result.port).not.toBe(port);
    } finally {
      server.close();
    }
  });
});

describe('symbolic links and modes', () => {
  it('refuses a symlinked .products-cli: teardown deletes nothing behind it', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'products-cli-target-'));
    try {
      await mkdir(join(elsewhere, 'local'));
      await writeFile(join(elsewhere, 'local', 'precious.txt'), 'keep');
      await symlink(elsewhere, join(cwd, '.products-cli'));

      const run = await runCli(['teardown', '--local', '--yes'], { cwd });

      expect(run.code).not.toBe(0);
      expect(run.stderr.trim()).toMatch(
        /^products-cli: .*\.products-cli is a symbolic link; products-cli refuses to use it/,
      );
      expect(await readFile(join(elsewhere, 'local', 'precious.txt'), 'utf8')).toBe('keep');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('tightens a .products-cli/local left at 0755, and keeps the log and state private', async () => {
    await mkdir(join(cwd, '.products-cli', 'local'), { recursive: true });
    await chmod(join(cwd, '.products-cli', 'local'), 0o755);

    await setup();

    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    expect(await mode(join(cwd, '.products-cli'))).toBe(0o700);
    expect(await mode(join(cwd, '.products-cli', 'local'))).toBe(0o700);
    expect(await mode(join(cwd, '.products-cli', 'local', 'data'))).toBe(0o700);
    expect(await mode(statePath())).toBe(0o600);
    expect(await mode(join(cwd, '.products-cli', 'local', 'stack.log'))).toBe(0o600);
    expect(await mode(join(cwd, '.products-cli', 'local', 'data.lock'))).toBe(0o600);
  });
});

describe('from a subdirectory', () => {
  it('the product commands and status use the .products-cli above, and status says which', async () => {
    const started = await setup();
    await mkdir(join(cwd, 'src', 'deep'), { recursive: true });
    const env = { PRODUCTS_CLI_CEILING_DIRECTORIES: tmpdir() };

    const added = await runCli(['add', '--id', 'sub', '--title', 'From below', '--price', '1', '--json'], {
      cwd: join(cwd, 'src', 'deep'),
      env: env,
    });
    const status = await runCli(['status', '--local', '--json'], { cwd: join(cwd, 'src', 'deep'), env: env });

    expect(added.code).toBe(0);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, url: started.url, stateFile: statePath() });
  });
});

describe('status --local', () => {
  it('shows the figures of the running stack, and exits 1 once it is gone', async () => {
    const started = await setup();
    // Writes are signed with the stack's local keys, as the CLI signs them.
    expect((await runCli(['add', ...productFlags(product({ id: '1' }))], { cwd })).code).toBe(0);
    await fetch(`${started.url}/product/1`);
    await fetch(`${started.url}/nothing`);

    const json = await runCli(['status', '--local', '--json'], { cwd });
    const text = await runCli(['status'], { cwd });
    process.kill(started.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const gone = await runCli(['status', '--local'], { cwd });

    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({
      target: 'local',
      running: true,
      url: started.url,
      pid: started.pid,
      foundBy: 'state',
      live: { ok: true, status: 200 },
    });
    expect(result.stats).toMatchObject({ items: 1, statuses: { '201': 1, '200': 1, '403': 1 } });
    expect(result.stats.dataBytes).toBeGreaterThan(0);
    expect(result.stats.uptimeSeconds).toBeGreaterThanOrEqual(0);
    // Plain status with only a local stack recorded shows the local one.
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Local stack: running');
    expect(text.stdout).toMatch(/items\s+1/);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain('not running');
  });
});

describe('logs --local', () => {
  it('renders the request lines as logs does, filters them, and follows new ones', async () => {
    const started = await setup();
    // Writes are signed with the stack's local keys, as the CLI signs them.
    expect((await runCli(['add', ...productFlags(product({ id: '1' }))], { cwd })).code).toBe(0);
    await fetch(`${started.url}/product/1`);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const all = await runCli(['logs', '--local', '--since', '5m'], { cwd });
    const posts = await runCli(['logs', '--local', '--filter', 'POST', '--json'], { cwd });
    const follow = startCli(['logs', '--local', '--follow', '--since', '1s'], { cwd });
    await new Promise((resolve) => setTimeout(resolve, 800));
    await fetch(`${started.url}/product/followed`);
    const deadline = Date.now() + 10_000;
    while (!follow.stdout().includes('/product/followed') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    follow.child.kill('SIGINT');

    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/ POST {3}\/product 201 [\d.]+ ms [0-9a-f-]{36}/);
    expect(all.stdout).toMatch(/ GET {4}\/product\/1 200 [\d.]+ ms /);
    const lines = posts.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.every((line) => line.message.includes('POST'))).toBe(true);
    expect(follow.stdout()).toMatch(/ GET {4}\/product\/followed 404 /);
  });
});

describe('local (foreground)', () => {
  it('logs each request once, rendered', async () => {
    const local = startCli(['local', '--port', '0'], { cwd });
    const output = () => local.stdout() + local.stderr();
    try {
      const deadline = Date.now() + 30_000;
      while (!/http:\/\/127\.0\.0\.1:\d+\/prod/.test(output()) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const url = (/http:\/\/127\.0\.0\.1:\d+\/prod/.exec(output()) as RegExpExecArray)[0];

      const reply = await fetch(`${url}/product/once`);
      const requestId = reply.headers.get('x-amzn-requestid') as string;
      const until = Date.now() + 5_000;
      while (!local.stderr().includes(requestId) && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 50));

      expect(reply.status).toBe(404);
      const mentions = local
        .stderr()
        .split('\n')
        .filter((line) => line.includes(requestId));
      expect(mentions).toHaveLength(1);
      expect(mentions[0]).toMatch(/ GET {4}\/product\/once 404 [\d.]+ ms /);
    } finally {
      local.child.kill('SIGINT');
      await local.done;
    }
  });
});

describe('items that break the contract', () => {
  it('are shown as they are, marked invalid, by get and list: never NaN or undefined', async () => {
    // The stack's function refuses to serve such an item; another implementation of the API might not.
    const odd = { id: 'odd', price: 'not-a-number', version: 1, description: '' };
    const server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(req.url?.startsWith('/prod/product/odd') ? odd : { items: [odd], nextCursor: null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
    try {
      const got = await runCli(['get', 'odd', '--url', url], { cwd });
      const listed = await runCli(['list', '--url', url], { cwd });

      expect(got.code).toBe(0);
      expect(got.stdout).toMatch(/price\s+"not-a-number" \(invalid\)/);
      expect(got.stdout).toMatch(/title\s+\(missing\)/);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('"not-a-number" (invalid)');
      for (const output of [got.stdout, listed.stdout]) {
        expect(output).not.toContain('NaN');
        expect(output).not.toContain('undefined');
      }
    } finally {
      server.close();
    }
  });
});
