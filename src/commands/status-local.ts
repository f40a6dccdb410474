/** `status --local`: the local stack's URL, process, data and figures, and a live check through its API. */
import type { Context } from '../context.js';
import { CheckFailedError } from '../errors.js';
import { formatBytes, formatUptime } from '../output/format.js';
import type { Style } from '../output/style.js';
import type { StackStats } from '../local/health.js';

export interface LocalStatusResult {
  target: 'local';
  stateFile: string;
  /** Whether a stack proved itself (see verifyStack), and where it was found. */
  running: boolean;
  foundBy?: 'state' | 'lock';
  /** How its pid was matched to its port. */
  portCheck?: 'socket' | 'proof';
  url?: string;
  pid?: number;
  startedAt?: string;
  stats?: StackStats;
  live?: { ok: boolean; status?: number; detail?: string };
  /** Why it is not running, for people. */
  detail?: string;
}

/** Looks for the stack, asks it for its figures with the secret, and checks `GET /product` through its URL. */
export async function statusLocal(ctx: Context): Promise<LocalStatusResult> {
  const [{ readState, statePath }, { locateStack }] = await Promise.all([import('../state/state-file.js'), import('../local/locate.js')]);
  const state = await readState(ctx.cwd);
  const stateFile = statePath(ctx.cwd);
  const found = await locateStack(ctx.cwd, state, { withStats: true });
  if (found.kind !== 'running') {
    const detail =
      found.kind === 'held'
        ? `process ${found.owner.pid} holds ${found.dataDir} but does not answer as the local stack`
        : found.stale
          ? `the local stack recorded at ${found.stale.url} (pid ${found.stale.pid}) is not running`
          : 'no local stack is recorded here';
    return { target: 'local', stateFile, running: false, detail };
  }
  const { identity } = found;
  let live: LocalStatusResult['live'];
  try {
    const response = await fetch(`${identity.url}/product?limit=1`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    live = response.status === 200 ? { ok: true, status: 200 } : { ok: false, status: response.status, detail: `GET /product answered ${response.status}` };
  } catch (error) {
    live = { ok: false, detail: `GET /product failed: ${(error as Error).message}` };
  }
  return {
    target: 'local',
    stateFile,
    running: true,
    foundBy: found.source,
    portCheck: identity.portCheck,
    url: identity.url,
    pid: identity.pid,
    startedAt: identity.startedAt,
    ...(identity.stats ? { stats: identity.stats } : {}),
    live,
  };
}

/** Ends `status --local` with exit 1 when no stack runs or its live check failed. */
export function assertLocalHealthy(result: LocalStatusResult): void {
  if (!result.running) throw new CheckFailedError(`${result.detail}; start it with products-cli setup --local`);
  if (result.live && !result.live.ok) throw new CheckFailedError(`the live check of ${result.url} failed: ${result.live.detail}`);
}

/** The status for people. */
export function renderLocalStatus(result: LocalStatusResult, style: Style): string {
  if (!result.running) return [`Local stack: ${style.red('not running')} (${result.detail})`, style.dim(`State: ${result.stateFile}`)].join('\n');
  const stats = result.stats;
  const statuses = stats ? Object.entries(stats.statuses).sort(([a], [b]) => a.localeCompare(b)).map(([code, count]) => `${code}: ${count}`).join(', ') : '';
  const rows: [string, string][] = [
    ['invoke URL', style.bold(result.url ?? '')],
    ['pid', `${result.pid}${result.foundBy === 'lock' ? style.dim(' (found by its data lock; the state file did not name it)') : ''}`],
    ['uptime', stats ? formatUptime(stats.uptimeSeconds) : '?'],
    ['data', stats?.dataDir ? `${stats.dataDir} (${formatBytes(stats.dataBytes ?? 0)})` : 'in memory or in an external engine'],
    ['items', stats?.items === undefined ? '?' : String(stats.items)],
    ['requests', stats ? `${stats.requests}${statuses ? ` (${statuses})` : ''}${stats.inFlight > 1 ? `, ${stats.inFlight - 1} in flight` : ''}` : '?'],
    ['functions', stats ? `${stats.environments.active} environment${stats.environments.active === 1 ? '' : 's'}, ${stats.environments.coldStarts} cold start${stats.environments.coldStarts === 1 ? '' : 's'}` : '?'],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  const lines = [`Local stack: ${style.green('running')}`, ...rows.map(([key, value]) => `  ${style.dim(key.padEnd(width))}  ${value}`)];
  if (result.live) lines.push(result.live.ok ? `Live check: GET /product answered ${result.live.status}.` : style.red(`Live check failed: ${result.live.detail}`));
  lines.push(style.dim(`State: ${result.stateFile}`));
  return lines.join('\n');
}
