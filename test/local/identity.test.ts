import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDataHolder, probeStack, identifyRecordedStack } from '../../src/local/control.js';
import { isOwnerLive } from '../../src/local/process-alive.js';
import { readDataOwner, takeDataLock } from '../../src/state/data-lock.js';
import { HEALTH_PATH } from '../../src/local/health.js';
import { holdsPort } from '../../src/local/port-owner.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { writeTestFunctionZip } from './test-function.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, handlerZip: await writeTestFunctionZip(), throttle: null });
});
afterAll(async () => {
  await stack?.stop();
});

/** A server the test controls, answering the health path with whatever `answer` gives. */
async function spoof(answer: (url: string) => unknown): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer(req.url ?? '')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('the health answer', () => {
  it('proves the secret for a nonce, names the stack, and never tells the engine', async () => {
    const answer = await probeStack(stack.port, stack.secret);
    const plain = await (await fetch(`http://127.0.0.1:${stack.port}${HEALTH_PATH}`)).text();

    expect(answer).toMatchObject({ service: 'products-cli-local', pid: process.pid, port: stack.port, url: stack.url });
    expect(answer?.stats).toBeUndefined();
    const engine = new URL(stack.dynamodbEndpoint).port;
    expect(JSON.stringify(answer)).not.toContain(engine);
    expect(JSON.stringify(answer)).not.toContain(stack.secret);
    expect(JSON.parse(plain)).toEqual({ service: 'products-cli-local' });
  });

  it('gives its figures only to a caller that proves the secret', async () => {
    await fetch(`${stack.url}/product`);
    await fetch(`${stack.url}/nothing`);

    const identity = await identifyRecordedStack(
      { pid: process.pid, port: stack.port, secret: stack.secret },
      { withStats: true },
    );

    expect(identity?.portCheck).toBe('socket');
    expect(identity?.stats).toMatchObject({
      requests: expect.any(Number),
      items: 0,
      environments: { active: expect.any(Number) },
    });
    expect(identity?.stats?.statuses['403']).toBeGreaterThanOrEqual(1);
    expect(identity?.stats?.statuses['200']).toBeGreaterThanOrEqual(1);
  });

  it('does not pass with another secret', async () => {
    expect(await probeStack(stack.port, 'f'.repeat(64))).toBeUndefined();
    expect(await identifyRecordedStack({ pid: process.pid, port: stack.port, secret: 'f'.repeat(64) })).toBeUndefined();
  });
});

describe('a server that copies the health answer', () => {
  it('is not taken for the stack, even naming the recorded pid and port', async () => {
    // A real answer, captured, replayed for every nonce by a server on another port.
    const captured = await probeStack(stack.port, stack.secret);
    const { server, port } = await spoof(() => ({ ...captured, port }));
    try {
      expect(await probeStack(port, stack.secret)).toBeUndefined();
      expect(await identifyRecordedStack({ pid: process.pid, port, secret: stack.secret })).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('is not taken for the stack when the real stack names a pid other than the recorded one', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      expect(
        await identifyRecordedStack({ pid: other.pid as number, port: stack.port, secret: stack.secret }),
      ).toBeUndefined();
    } finally {
      other.kill('SIGKILL');
    }
  });
});

describe('holdsPort', () => {
  it('tells the process that listens on a port from one that does not', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      expect(await holdsPort(process.pid, stack.port)).toBe(true);
      expect(await holdsPort(other.pid as number, stack.port)).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
  });
});

describe('a data lock whose pid now belongs to another program', () => {
  it('is stale: the pid runs but does not listen on the recorded port, so the data is free and the lock is taken over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'products-cli-lock-'));
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const dataDir = join(dir, 'data');
      await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: other.pid, port: stack.port, secret: stack.secret }));

      expect(await findDataHolder(dataDir)).toBeUndefined();
      const lock = await takeDataLock(dataDir, isOwnerLive);
      expect((await readDataOwner(dataDir))?.pid).toBe(process.pid);
      await lock.release();
    } finally {
      other.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is live while its pid holds the recorded port, even without a proof', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'products-cli-lock-'));
    try {
      const dataDir = join(dir, 'data');
      await writeFile(
        `${dataDir}.lock`,
        JSON.stringify({ pid: process.pid, port: stack.port, secret: 'b'.repeat(64) }),
      );

      expect(await findDataHolder(dataDir)).toMatchObject({ kind: 'unknown', owner: { pid: process.pid } });
      await expect(takeDataLock(dataDir, isOwnerLive)).rejects.toThrow(/in use/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
