/** Finding, checking and stopping a local stack that runs in another process. */
import { request } from 'node:http';
import { join } from 'node:path';
import { stateDir, type LocalState } from '../state/state-file.js';
import { HEALTH_PATH } from './gateway.js';
import { isProcessAlive } from './process-alive.js';

export { isProcessAlive };
import { STACK_SERVICE_NAME } from './stack.js';

/** What a stack answers at its health path. */
export interface StackIdentity {
  service: string;
  pid: number;
  stage: string;
  port: number;
  url: string;
  dynamodbEndpoint: string;
  startedAt: string;
}

/** `.products-cli/local`: the background stack's data and log. */
export function localDir(cwd: string): string {
  return join(stateDir(cwd), 'local');
}

/** Where the embedded engine keeps its data for the CLI's stacks. */
export function localDataDir(cwd: string): string {
  return join(localDir(cwd), 'data');
}

/** `.products-cli/local/stack.log`: the background stack's output. */
export function localLogPath(cwd: string): string {
  return join(localDir(cwd), 'stack.log');
}

/** Asks whatever listens on 127.0.0.1:port who it is; undefined when nothing answers as a local stack. */
export function probeStack(port: number, timeoutMs = 1500): Promise<StackIdentity | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: HEALTH_PATH, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StackIdentity;
          resolve(res.statusCode === 200 && body.service === STACK_SERVICE_NAME ? body : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** True when the recorded stack is up and is the very process recorded (same pid on the same port). */
export async function isRecordedStackRunning(local: LocalState): Promise<StackIdentity | undefined> {
  const identity = await probeStack(local.port);
  return identity && identity.pid === local.pid ? identity : undefined;
}

/** Sends SIGTERM and waits for the process to exit; SIGKILL after `graceMs`. Resolves true once it is gone. */
export async function stopProcess(pid: number, graceMs = 15_000): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return !isProcessAlive(pid);
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  return !isProcessAlive(pid);
}
