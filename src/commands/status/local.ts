/** `status --local`: the local stack's URL, process, data and figures, and a live check through its API. */
import type { Context } from '../../context.js';
import type { StackSettings, StackStats } from '../../local/health.js';

export interface LocalStatusResult {
  target: 'local';
  stateFile: string;
  /** Whether a stack proved itself (see identifyRecordedStack), and where it was found. */
  running: boolean;
  foundBy?: 'state' | 'lock';
  /** How its pid was matched to its port. */
  portCheck?: 'socket' | 'proof';
  url?: string;
  pid?: number;
  startedAt?: string;
  /** What it runs with: throttle, auth, CORS, timeouts. */
  settings?: StackSettings;
  stats?: StackStats;
  live?: { ok: boolean; status?: number; detail?: string };
  /** The version live runs (with its bundle's SHA-256) and the canary in progress with its share (0–1). */
  version?: { live: string; codeSha256: string; canary?: { version: string; weight: number } };
  /** Why it is not running, for people. */
  detail?: string;
}

/** Looks for the stack, asks it for its figures with the secret, and checks `GET /product` through its URL. */
export async function statusLocal(ctx: Context): Promise<LocalStatusResult> {
  const [{ readState, statePath }, { locateStack }, { sendControl }] = await Promise.all([
    import('../../state/state-file.js'),
    import('../../local/locate.js'),
    import('../../local/control.js'),
  ]);
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
    live =
      response.status === 200
        ? { ok: true, status: 200 }
        : { ok: false, status: response.status, detail: `GET /product answered ${response.status}` };
  } catch (error) {
    live = { ok: false, detail: `GET /product failed: ${(error as Error).message}` };
  }
  // The versions come from the stack's control answer, which needs the secret; a stack found without one has none.
  let version: LocalStatusResult['version'];
  if (found.record.secret) {
    const answer = await sendControl(identity.port, found.record.secret, { action: 'versions' }, 5_000).catch(
      () => undefined,
    );
    const { live, canary, versions = [] } = answer?.status === 200 ? answer.body : {};
    const codeSha256 = versions.find((v) => v.version === live)?.codeSha256 ?? '';
    if (live) version = { live, codeSha256, ...(canary ? { canary } : {}) };
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
    ...(identity.settings ? { settings: identity.settings } : {}),
    ...(identity.stats ? { stats: identity.stats } : {}),
    ...(version ? { version } : {}),
    live,
  };
}
