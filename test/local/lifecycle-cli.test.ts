import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/state/process-alive.js';
import { signedFetch, type KeyPair } from '../helpers/sigv4.js';
import { runCli, startCli } from '../helpers/run-cli.js';

async function readState(cwd: string) {
  return JSON.parse(await readFile(join(cwd, '.products-cli', 'state.json'), 'utf8'));
}

const alive = isProcessAlive;

let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-local-'));
});

afterEach(async () => {
  // Whatever a test left running is stopped, through the state it recorded.
  const statePath = join(cwd, '.products-cli', 'state.json');
  if (existsSync(statePath)) {
    const pid = (await readState(cwd)).local?.pid;
    if (pid && alive(pid) && pid !== process.pid) process.kill(pid, 'SIGKILL');
  }
  await rm(cwd, { recursive: true, force: true });
});

describe('setup --local', () => {
  it('starts the stack in the background, records it and prints the invoke URL', async () => {
    // Act
    const run = await runCli(['setup', '--local', '--port', '0', '--json'], { cwd });

    // Assess
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      target: 'local',
      status: 'started',
      stage: 'prod',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/prod$/),
    });
    const state = await readState(cwd);
    expect(state.current).toBe('local');
    expect(state.local).toMatchObject({
      url: result.url,
      port: result.port,
      pid: result.pid,
      dataDir: join(cwd, '.products-cli', 'local', 'data'),
    });
    expect(alive(result.pid)).toBe(true);
    // Writes need a signature by default, with the key pair the JSON result and the state file carry.
    expect(result.auth).toEqual({ mode: 'iam', privateReads: false });
    expect(result.credentials).toEqual(state.local?.credentials);
    expect(result.credentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const unsigned = await fetch(`${result.url}/product`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"id":"1","title":"IPhone","price":900}',
    });
    expect(unsigned.status).toBe(403);
    const created = await signedFetch(
      `${result.url}/product`,
      { method: 'POST', body: '{"id":"1","title":"IPhone","price":900}' },
      result.credentials,
    );
    expect(created.status).toBe(201);
    expect((statSync(join(cwd, '.products-cli', 'state.json')).mode & 0o777).toString(8)).toBe('600');
  });

  it('reports the running stack when run again, and succeeds', async () => {
    const first = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);

    const again = await runCli(['setup', '--local', '--port', '0', '--json'], { cwd });

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'running', pid: first.pid, url: first.url });
  });

  it('restarts the running stack with new throttle and auth flags, keeping its data, and status shows them', async () => {
    // Prepare
    const first = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);
    await signedFetch(
      `${first.url}/product`,
      { method: 'POST', body: '{"id":"kept","title":"Kept","price":1}' },
      first.credentials,
    );

    // Act
    const changed = await runCli(
      ['setup', '--local', '--rate-limit', '100000', '--burst-limit', '100000', '--auth', 'none', '--json'],
      { cwd },
    );
    const again = await runCli(['setup', '--local', '--rate-limit', '100000', '--auth', 'none', '--json'], { cwd });
    const status = await runCli(['status', '--local'], { cwd });

    // Assess
    expect(changed.code).toBe(0);
    const result = JSON.parse(changed.stdout);
    expect(result).toMatchObject({ status: 'restarted', port: first.port, auth: { mode: 'none' } });
    expect(result.changed).toEqual(['rate limit 100 → 100000', 'burst limit 200 → 100000', 'auth iam → none']);
    expect(result.pid).not.toBe(first.pid);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'running', pid: result.pid });
    expect((await fetch(`${result.url}/product/kept`)).status).toBe(200);
    const unsigned = await fetch(`${result.url}/product`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"id":"2","title":"Open","price":2}',
    });
    expect(unsigned.status).toBe(201);
    expect(status.stdout).toMatch(/throttle\s+100000 requests\/s, bursts of 100000/);
    expect(status.stdout).toMatch(/auth\s+none: anyone/);
  });

  it('prints a readable summary without --json', async () => {
    const run = await runCli(['setup', '--local', '--port', '0'], { cwd });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Local stack started.');
    expect(run.stdout).toContain((await readState(cwd)).local.url);
  });

  describe('with the port taken', () => {
    let server: Server;
    beforeEach(async () => {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('fails with one line that names --port, and records nothing', async () => {
      const port = (server.address() as { port: number }).port;

      const run = await runCli(['setup', '--local', '--port', String(port)], { cwd });

      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `products-cli: port ${port} is already in use; choose another with --port`,
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(cwd, '.products-cli', 'state.json'))).toBe(false);
    });

    it('fails the same way for `local`, which starts it in the foreground', async () => {
      const port = (server.address() as { port: number }).port;

      const run = await runCli(['local', '--port', String(port)], { cwd });

      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        `products-cli: port ${port} is already in use; choose another with --port`,
      );
      expect(existsSync(join(cwd, '.products-cli', 'state.json'))).toBe(false);
    });
  });

  it.each([
    [['--port', 'abc'], '--port'],
    [['--port', '70000'], '--port'],
    [['--stage', 'no/slash'], '--stage'],
    [['--rate-limit', '0'], '--rate-limit'],
    [['--timeout', '-1'], '--timeout'],
    [['--timeout', '30'], '--timeout'],
    [['--function-timeout', '30'], '--function-timeout'],
    [['--function-concurrency', '0'], '--function-concurrency'],
    [['--concurrency', '65'], '--concurrency'],
    [['--integration-timeout', '0'], '--integration-timeout'],
    [['--dynamodb-endpoint', 'not a url'], '--dynamodb-endpoint'],
  ])('rejects %j with a usage error naming the flag', async (flags, flag) => {
    const run = await runCli(['setup', '--local', ...flags], { cwd });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(flag);
  });
});

describe('teardown --local', () => {
  it('refuses without --yes when stdin is not a terminal, and leaves the stack running', async () => {
    const { pid } = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);

    const run = await runCli(['teardown', '--local'], { cwd });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--yes');
    expect(alive(pid)).toBe(true);
    expect((await readState(cwd)).local.pid).toBe(pid);
  });

  it('stops the stack, deletes its data and forgets it, leaving no empty .products-cli/', async () => {
    const { pid, url } = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);

    const run = await runCli(['teardown', '--local', '--yes', '--json'], { cwd });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'stopped',
      pid,
      url,
      deletedData: join(cwd, '.products-cli', 'local'),
    });
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(cwd, '.products-cli'))).toBe(false);
  });

  it('keeps .products-cli/ with --keep-data, which leaves the data in it', async () => {
    await runCli(['setup', '--local', '--port', '0', '--json'], { cwd });

    const run = await runCli(['teardown', '--local', '--yes', '--keep-data', '--json'], { cwd });

    expect(run.code).toBe(0);
    expect(existsSync(join(cwd, '.products-cli', 'local'))).toBe(true);
    expect(existsSync(join(cwd, '.products-cli', 'state.json'))).toBe(false);
    await runCli(['teardown', '--local', '--yes'], { cwd });
    expect(existsSync(join(cwd, '.products-cli'))).toBe(false);
  });

  it('keeps the data with --keep-data, and the next setup serves it', async () => {
    const first = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);
    await signedFetch(
      `${first.url}/product`,
      { method: 'POST', body: '{"id":"kept","title":"Kept","price":1}' },
      first.credentials,
    );

    const down = await runCli(['teardown', '--local', '--yes', '--keep-data'], { cwd });
    const second = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);
    const fetched = await fetch(`${second.url}/product/kept`);

    expect(down.code).toBe(0);
    expect(down.stdout).toContain('Kept its data');
    expect(second.pid).not.toBe(first.pid);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ id: 'kept', title: 'Kept' });
  });

  it('loses no acknowledged write when the stack process is killed', async () => {
    const first = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);
    const ids = Array.from({ length: 20 }, (_, index) => `k${index}`);
    const statuses = await Promise.all(
      ids.map(
        async (id) =>
          (
            await signedFetch(
              `${first.url}/product`,
              { method: 'POST', body: JSON.stringify({ id, title: id, price: 1 }) },
              first.credentials,
            )
          ).status,
      ),
    );
    expect(statuses.every((status) => status === 201)).toBe(true);

    process.kill(first.pid, 'SIGKILL');
    await expect.poll(() => alive(first.pid)).toBe(false);
    const second = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);
    const listed = (await (await fetch(`${second.url}/product?limit=100`)).json()) as { items: Array<{ id: string }> };

    expect(second.status).toBe('started');
    expect(listed.items.map((item) => item.id).sort()).toEqual([...ids].sort());
  });

  it('leaves alone a process that does not answer as our stack', async () => {
    // Prepare: a state file naming a live process of someone else's on a port where no stack answers.
    const stranger: ChildProcess = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await mkdir(join(cwd, '.products-cli'), { recursive: true });
      await writeFile(
        join(cwd, '.products-cli', 'state.json'),
        JSON.stringify({
          version: 1,
          current: 'local',
          local: {
            url: 'http://127.0.0.1:9/prod',
            port: 9,
            stage: 'prod',
            pid: stranger.pid,
            dynamodbEndpoint: 'http://127.0.0.1:9',
            startedAt: new Date().toISOString(),
          },
        }),
      );

      // Act
      const run = await runCli(['teardown', '--local', '--yes', '--json'], { cwd });

      // Assess
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ status: 'not-running', pid: stranger.pid });
      expect(alive(stranger.pid as number)).toBe(true);
      expect(existsSync(join(cwd, '.products-cli', 'state.json'))).toBe(false);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('succeeds with nothing to do when no stack is recorded', async () => {
    const run = await runCli(['teardown', '--local', '--yes', '--json'], { cwd });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'absent' });
  });
});

describe('local (foreground)', () => {
  /** Starts `products-cli local`, resolves with the child and its first JSON line. */
  function startForeground(extra: string[] = []): Promise<{
    child: ChildProcess;
    ready: { url: string; pid: number };
    output: () => { stdout: string; stderr: string };
  }> {
    return new Promise((resolve, reject) => {
      const { child, stdout, stderr } = startCli(['local', '--port', '0', ...extra], { cwd });
      child.stdout.on('data', () => {
        const line = stdout().split('\n')[0];
        if (stdout().includes('\n') && line)
          resolve({ child, ready: JSON.parse(line), output: () => ({ stdout: stdout(), stderr: stderr() }) });
      });
      child.on('exit', (code) => reject(new Error(`local exited early with ${code}: ${stderr()}`)));
    });
  }

  function exited(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  it('serves until Ctrl-C, then stops cleanly and forgets itself', async () => {
    const { child, ready } = await startForeground(['--json', '--in-memory']);
    const state = await readState(cwd);
    const created = await signedFetch(
      `${ready.url}/product`,
      { method: 'POST', body: '{"title":"X","price":1}' },
      state.local?.credentials as KeyPair,
    );
    child.removeAllListeners('exit');

    const code = exited(child);
    child.kill('SIGINT');

    expect(state.local).toMatchObject({ url: ready.url, pid: child.pid });
    expect(created.status).toBe(201);
    expect(await code).toBe(130);
    expect(existsSync(join(cwd, '.products-cli', 'state.json'))).toBe(false);
  });

  it('is stopped by teardown --local, which checks it first', async () => {
    const { child } = await startForeground(['--json']);
    child.removeAllListeners('exit');
    const code = exited(child);

    const run = await runCli(['teardown', '--local', '--yes', '--json'], { cwd });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'stopped', pid: child.pid });
    expect(await code).toBe(0);
  });

  it('refuses to start while a background stack is running here', async () => {
    const { url } = JSON.parse((await runCli(['setup', '--local', '--port', '0', '--json'], { cwd })).stdout);

    const run = await runCli(['local', '--port', '0'], { cwd });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(url);
    expect(run.stderr).toContain('teardown --local');
  });
});
