/** Finding, checking and stopping a local stack that runs in another process. */
import { request } from 'node:http';
import { join } from 'node:path';
import { readDataOwner, type DataOwner } from '../state/data-lock.js';
import { stateDir, type LocalState } from '../state/state-file.js';
import {
  AUTH_HEADER,
  HEALTH_PATH,
  metricsQuery,
  STACK_SERVICE_NAME,
  type ControlRequest,
  type HealthAnswer,
  type StackSettings,
  type StackStats,
} from './health.js';
import type { MetricSeries, MetricsWindow } from '../stack/metric-series.js';
import { holdsPort } from './port-owner.js';
import { isProcessAlive } from '../state/process-alive.js';
import { clientProof, newNonce, sameHex, stackProof } from './stack-proof.js';

/** A stack that proved, on its port, that it knows the recorded secret, and whose pid holds that port. */
export interface StackIdentity {
  pid: number;
  port: number;
  stage: string;
  url: string;
  startedAt: string;
  /** What it runs with; absent from a stack of an older version. */
  settings?: StackSettings;
  stats?: StackStats;
  metrics?: MetricSeries[];
  /** How the pid was matched to the port: `socket` (this system says who listens) or `proof` (it could not tell). */
  portCheck: 'socket' | 'proof';
}

/** Where to look for a stack: what the state file or a data lock recorded. */
export type StackRecord = Pick<LocalState, 'pid' | 'port'> & { secret?: string };

/** `.products-cli/local`: the background stack's data and log. */
export function localDir(cwd: string): string {
  return join(stateDir(cwd), 'local');
}

/** Where the embedded engine keeps its data for the CLI's stacks. */
export function localDataDir(cwd: string): string {
  return join(localDir(cwd), 'data');
}

/** `.products-cli/local/stack.log`: the background stack's log (older ones in stack.log.1, .2, …). */
export function localLogPath(cwd: string): string {
  return join(localDir(cwd), 'stack.log');
}

export interface ProbeOptions {
  withStats?: boolean;
  /** Also the stack's metric series over this window (which proves the secret to it, as `withStats`). */
  metrics?: MetricsWindow;
  timeoutMs?: number;
}

/**
 * Asks whatever listens on 127.0.0.1:port to prove it knows `secret`; with `withStats` it also proves the
 * secret to the stack and gets its figures. Undefined when nothing answers, or not with a valid proof.
 */
export function probeStack(
  port: number,
  secret: string,
  options: ProbeOptions = {},
): Promise<HealthAnswer | undefined> {
  const nonce = newNonce();
  const proved = options.withStats || options.metrics;
  const headers: Record<string, string> = proved ? { [AUTH_HEADER]: clientProof(secret, nonce, Date.now()) } : {};
  // Series over a long window take more room than the health answer alone.
  const maxBytes = options.metrics ? 4 * 1024 * 1024 : 64 * 1024;
  return new Promise((resolve) => {
    const path = `${HEALTH_PATH}?nonce=${nonce}${options.metrics ? `&metrics=${metricsQuery(options.metrics)}` : ''}`;
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers, timeout: options.timeoutMs ?? 3_000, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Whatever listens there may not be ours: it gets no more than a health answer's worth of memory.
          if (size > maxBytes) req.destroy();
          else chunks.push(chunk);
        });
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as HealthAnswer;
            const valid =
              res.statusCode === 200 &&
              body.service === STACK_SERVICE_NAME &&
              Number.isInteger(body.pid) &&
              body.port === port &&
              typeof body.proof === 'string' &&
              sameHex(body.proof, stackProof(secret, nonce, body.pid, port));
            resolve(valid ? body : undefined);
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * The recorded stack when it is up and is the very process recorded: the pid runs, the stack on the port
 * proves the secret and names that pid, and the pid holds the port (where the system can tell).
 */
export async function identifyRecordedStack(
  record: StackRecord,
  options: Pick<ProbeOptions, 'withStats' | 'metrics'> = {},
): Promise<StackIdentity | undefined> {
  if (!record.secret || !isProcessAlive(record.pid)) return undefined;
  const answer = await probeStack(record.port, record.secret, options);
  if (!answer || answer.pid !== record.pid) return undefined;
  const holds = await holdsPort(record.pid, record.port);
  if (holds === false) return undefined;
  return {
    pid: answer.pid,
    port: answer.port,
    stage: answer.stage,
    url: answer.url,
    startedAt: answer.startedAt,
    ...(answer.settings ? { settings: answer.settings } : {}),
    ...(answer.stats ? { stats: answer.stats } : {}),
    ...(answer.metrics ? { metrics: answer.metrics } : {}),
    portCheck: holds ? 'socket' : 'proof',
  };
}

/** What holds the CLI's data directory, when a lock names a process: the stack found through the lock, or a live process that cannot be identified. */
export type DataHolder =
  | { kind: 'stack'; owner: DataOwner; identity: StackIdentity }
  | { kind: 'unknown'; owner: DataOwner };

/** The process that holds `dataDir` by its lock, if one is alive; undefined when the data is free. */
export async function findDataHolder(dataDir: string): Promise<DataHolder | undefined> {
  const owner = await readDataOwner(dataDir);
  if (!owner || owner.pid <= 0 || !isProcessAlive(owner.pid)) return undefined;
  if (owner.port !== undefined && owner.secret) {
    const identity = await identifyRecordedStack({ pid: owner.pid, port: owner.port, secret: owner.secret });
    if (identity) return { kind: 'stack', owner, identity };
    // A pid now used by another program, no longer listening where the stack did: the lock is stale.
    if ((await holdsPort(owner.pid, owner.port)) === false) return undefined;
  }
  return { kind: 'unknown', owner };
}

/** Sends SIGTERM and waits for the process to exit; SIGKILL after `graceMs`. Resolves true once it is gone. */
export async function stopProcess(pid: number, graceMs = 20_000): Promise<boolean> {
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

/** What the stack answered a control request: its status and JSON body. */
export interface ControlAnswer {
  status: number;
  body: {
    message?: string;
    exitCode?: number;
    version?: string;
    replacedVersion?: string;
    stable?: string;
    moved?: boolean;
    live?: string;
    versions?: Array<{ version: string; codeSha256: string; publishedAt: string }>;
    /** The canary in progress: its version and share (0–1). */
    canary?: { version: string; weight: number };
    figures?: Record<string, { invocations: number; errors: number }>;
  };
}

/** Sends a control request to the stack on `port`, proving `secret`; a deploy may take as long as a cold start. */
export function sendControl(
  port: number,
  secret: string,
  control: ControlRequest,
  timeoutMs = 60_000,
): Promise<ControlAnswer> {
  const nonce = newNonce();
  const payload = Buffer.from(JSON.stringify(control));
  return new Promise((resolve, reject) => {
    const headers = {
      [AUTH_HEADER]: clientProof(secret, nonce, Date.now()),
      'content-type': 'application/json',
      'content-length': String(payload.length),
    };
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `${HEALTH_PATH}?nonce=${nonce}`,
        method: 'POST',
        headers,
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ControlAnswer['body'],
            });
          } catch (error) {
            reject(new Error(`the local stack on port ${port} did not answer in JSON`, { cause: error }));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`the local stack on port ${port} did not answer within ${timeoutMs / 1000} s`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}
