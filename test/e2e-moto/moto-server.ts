/**
 * moto's server mode (`moto.server.main`, in a python that ends when its stdin closes) on a free port; or, when
 * PRODUCTS_CLI_MOTO_URL is set, an emulator that is already running at that URL.
 *
 * A worker runs its files one after another, so a moto a file has stopped with is reset (`/moto-api/reset`,
 * every account and region emptied) and handed to the worker's next file: starting moto costs 2.5–5 s of CPU,
 * a reset a few milliseconds. A moto started with settings of its own is the file's alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, inject } from 'vitest';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/aws/clients.js';
import type { MotoTarget } from '../global-setup.js';

/** Whether this run has moto; the global setup has said in one line what is skipped when it has not. */
export const motoAvailable = inject('moto') !== null;
/** Whether this run starts moto itself (and so may start it with settings of its own). */
export const motoStartable = motoAvailable && !('url' in (inject('moto') ?? {}));

export interface Emulator {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess | undefined, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child && child.exitCode !== null)
      throw new Error(`moto exited with code ${child.exitCode} before it was up:\n${output()}`);
    try {
      const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`moto did not answer at ${url} within 30 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Starts moto with the python the run's global setup found, or uses the emulator running at its URL. `env` is
 * added to a started moto's environment (moto's own settings, such as INITIAL_NO_AUTH_ACTION_COUNT).
 */
export async function startEmulator(
  target: MotoTarget = inject('moto'),
  env: Record<string, string> = {},
): Promise<Emulator> {
  if (!target)
    throw new Error(
      'no moto: the global setup (test/global-setup.ts) found none, so this suite should have been skipped',
    );
  if ('url' in target) {
    if (Object.keys(env).length > 0)
      throw new Error(
        `the emulator at ${target.url} runs with its own settings; this suite starts moto with ${Object.keys(env).join(', ')}`,
      );
    await waitUntilUp(target.url, undefined, () => '');
    return { url: target.url, stop: async () => undefined };
  }
  const { python } = target;
  if (Object.keys(env).length > 0) return spawnMoto(python, env);
  for (let idle = idleMotos.pop(); idle; idle = idleMotos.pop()) {
    if (await reset(idle.url)) return reusable(idle);
    await idle.stop();
  }
  return reusable(await spawnMoto(python, {}));
}

/**
 * The motos of this worker that no file is using. Kept on the global object, which the worker's files share
 * whether or not they share this module.
 */
const IDLE_MOTOS: unique symbol = Symbol.for('products-cli.test.idle-motos');
const pools = globalThis as { [IDLE_MOTOS]?: Emulator[] };
const idleMotos: Emulator[] = (pools[IDLE_MOTOS] ??= []);

/** Whether moto emptied every account and region. */
async function reset(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** `moto` handed to a file: stopping it gives it back to the worker's idle ones. */
function reusable(moto: Emulator): Emulator {
  let released = false;
  return {
    url: moto.url,
    stop: async () => {
      if (released) return;
      released = true;
      idleMotos.push(moto);
    },
  };
}

async function spawnMoto(python: string, env: Record<string, string>): Promise<Emulator> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  // moto's server, ended when its stdin closes: a worker that is killed, not stopped, leaves no moto behind.
  const serve = `import os, sys, threading
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
from moto.server import main
main(['-H', '127.0.0.1', '-p', '${port}'])`;
  const child = spawn(python, ['-c', serve], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  child.stdout?.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  child.stderr?.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  try {
    await waitUntilUp(url, child, () => output);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/**
 * For a suite that calls the emulator itself: starts it and SDK clients to it before the suite's tests, stops
 * both after them, and hands them to `use` (the suite keeps them in its own variables).
 */
export function useEmulator(region: string, use: (emulator: Emulator, clients: AwsClients) => void): void {
  let emulator: Emulator | undefined;
  let clients: AwsClients | undefined;
  beforeAll(async () => {
    emulator = await startEmulator();
    clients = createAwsClients({ region, endpointUrl: emulator.url });
    use(emulator, clients);
  }, 60_000);
  afterAll(async () => {
    if (clients) destroyAwsClients(clients);
    await emulator?.stop();
  });
}
