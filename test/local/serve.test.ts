import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { identifyRecordedStack } from '../../src/local/control.js';
import type { ServeMessage } from '../../src/local/serve.js';
import { writeTestFunctionZip } from './test-function.js';

const serveJs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'local', 'serve.js');

interface Started {
  child: ChildProcess;
  port: number;
  url: string;
  secret: string;
  pid: number;
  exited: Promise<{ code: number | null; at: number }>;
}

/** The stack as `setup --local` runs it: its own process, reporting over IPC. */
async function startServe(options: Record<string, unknown>): Promise<Started> {
  const child = spawn(
    process.execPath,
    [serveJs, JSON.stringify({ port: 0, throttle: null, quiet: true, ...options })],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  const ready = await new Promise<Extract<ServeMessage, { type: 'ready' }>>((resolve, reject) => {
    child.once('message', (message: ServeMessage) =>
      message.type === 'ready' ? resolve(message) : reject(new Error(message.message)),
    );
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { child, port: ready.port, url: ready.url, secret: ready.secret, pid: ready.pid, exited };
}

/** A GET on a connection of its own; resolves with the status and body, or the error code. */
function get(url: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

let running: Started | undefined;
afterEach(() => {
  if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  running = undefined;
});

describe('stopping the background stack', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s answers every request in flight, refuses new connections and exits 0',
    async (signal) => {
      const zip = await writeTestFunctionZip();
      running = await startServe({ handlerZip: zip, concurrency: 16 });
      let lastAnswerAt = 0;
      const inFlight = Array.from({ length: 24 }, () =>
        get(`${running!.url}/product/delay`).finally(() => (lastAnswerAt = Date.now())),
      );
      // Every request has reached the stack before the signal.
      const inFlightNow = async () => (await identifyRecordedStack(running!, { withStats: true }))?.stats?.inFlight;
      while ((await inFlightNow()) !== 25) await new Promise((resolve) => setTimeout(resolve, 20));

      running.child.kill(signal);
      // The first connection refused after the signal (the stack answers the others meanwhile).
      let late = await get(`${running.url}/product`);
      while (late.error === undefined) late = await get(`${running.url}/product`);
      // A connection caught in the accept queue as the socket closes is reset; the next one finds nothing listening.
      if (late.error === 'ECONNRESET') late = await get(`${running.url}/product`);
      const refusedAt = Date.now();
      const answers = await Promise.all(inFlight);
      const { code } = await running.exited;

      expect(late.error).toBe('ECONNREFUSED');
      expect(refusedAt).toBeLessThan(lastAnswerAt);
      expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
      expect(answers.every((answer) => answer.body?.startsWith('done '))).toBe(true);
      expect(code).toBe(0);
    },
  );

  it('exits within its bound when a request would outlast it', async () => {
    const zip = await writeTestFunctionZip();
    running = await startServe({ handlerZip: zip, drainMs: 500 });
    const stuck = get(`${running.url}/product/slow`);
    await new Promise((resolve) => setTimeout(resolve, 150));

    const signalled = Date.now();
    running.child.kill('SIGTERM');
    const { at } = await running.exited;

    // The drain (0.5 s) and the time to stop the function and engine; the function itself would take 60 s.
    expect(at - signalled).toBeLessThan(8_000);
    expect((await stuck).status).toBeUndefined();
  });
});
