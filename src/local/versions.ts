/**
 * The local function's versions, as Lambda keeps them behind alias live: each loaded bundle is a version with its
 * own pool of environments, and live names the one requests go to. A deploy starts the new version's pool before
 * live moves to it, and the pool it replaced keeps answering what it already took, so no request fails or is
 * dropped; a rollback moves live back to a pool that is still running.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NotFoundError, UsageError } from '../errors.js';
import type { InvokeOutcome, LambdaRuntime } from './lambda-runtime.js';

export interface LocalVersion {
  version: string;
  /** The bundle's SHA-256, base64-encoded as Lambda reports `CodeSha256`. */
  codeSha256: string;
  publishedAt: string;
}

export interface VersionSwitch {
  version: string;
  replacedVersion: string;
  /** False when live already ran this bundle (deploy) or version (rollback). */
  moved: boolean;
}

export interface LocalVersions {
  invoke(event: unknown, requestId: string): Promise<InvokeOutcome>;
  list(): LocalVersion[];
  live(): string;
  /** Loads the bundle as a new version and moves live to it (unless live runs the same bundle). */
  deploy(zipPath: string): Promise<VersionSwitch>;
  /** Moves live to `to`, or to the version before it. */
  rollback(to?: string): VersionSwitch;
  /** Loads the bundle as a new version and sends it `weight` (0–1) of the requests; live keeps the rest. */
  startCanary(zipPath: string, weight: number): Promise<{ version: string; stable: string }>;
  /** Each version's invocations and failed invocations (an error or a timeout) since the canary began. */
  figures(): Record<string, { invocations: number; errors: number }>;
  /** Ends the canary: live moves to its version (`promote`), or keeps its own. */
  endCanary(promote: boolean): VersionSwitch;
  canary(): { version: string; weight: number } | undefined;
  environments(): { active: number; coldStarts: number };
  stop(): Promise<void>;
}

/** Versions kept running for a rollback besides the live one; older pools are stopped. */
const KEEP_RUNNING = 4;

/**
 * The versions of a function whose pools `start` makes from a bundle (and the version it becomes); the first is `zipPath`. `drainMs` is how
 * long a replaced pool may still be answering when it is stopped (the integration timeout).
 */
export async function startLocalVersions(
  zipPath: string,
  start: (zipPath: string, version: string) => Promise<LambdaRuntime>,
  drainMs: number,
): Promise<LocalVersions> {
  const pools = new Map<string, LambdaRuntime>();
  const versions: LocalVersion[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let live = '';
  let canary: { version: string; weight: number } | undefined;
  let counts = new Map<string, { invocations: number; errors: number }>();
  const count = (version: string, outcome: InvokeOutcome) => {
    const figures = counts.get(version) ?? { invocations: 0, errors: 0 };
    figures.invocations += 1;
    if (outcome.kind !== 'result') figures.errors += 1;
    counts.set(version, figures);
  };
  const load = async (path: string): Promise<LocalVersion> => {
    const codeSha256 = createHash('sha256')
      .update(await readBundle(path))
      .digest('base64');
    const version: LocalVersion = {
      version: String(versions.length + 1),
      codeSha256,
      publishedAt: new Date().toISOString(),
    };
    const pool = await start(path, version.version);
    versions.push(version);
    pools.set(version.version, pool);
    return version;
  };
  const retire = () => {
    const running = versions.filter((v) => pools.has(v.version) && v.version !== live && v.version !== canary?.version);
    for (const old of running.slice(0, Math.max(0, running.length - KEEP_RUNNING))) {
      const pool = pools.get(old.version) as LambdaRuntime;
      pools.delete(old.version);
      const timer = setTimeout(() => {
        timers.delete(timer);
        void pool.stop();
      }, drainMs);
      timer.unref();
      timers.add(timer);
    }
  };
  live = (await load(zipPath)).version;
  return {
    async invoke(event, requestId) {
      // Weighted routing, as an alias's AdditionalVersionWeights: each request goes to the canary with its weight.
      const version = canary && Math.random() < canary.weight ? canary.version : live;
      const outcome = await (pools.get(version) as LambdaRuntime).invoke(event, requestId);
      count(version, outcome);
      return outcome;
    },
    async startCanary(path, weight) {
      canary = undefined;
      const version = (await load(path)).version;
      counts = new Map();
      canary = { version, weight };
      return { version, stable: live };
    },
    figures: () => Object.fromEntries([...counts].map(([v, f]) => [v, { ...f }])),
    endCanary(promote) {
      const replaced = live;
      const ended = canary;
      canary = undefined;
      if (promote && ended) live = ended.version;
      retire();
      return { version: live, replacedVersion: replaced, moved: Boolean(ended) };
    },
    canary: () => (canary ? { ...canary } : undefined),
    list: () => versions.map((v) => ({ ...v })),
    live: () => live,
    async deploy(path) {
      canary = undefined;
      const replaced = live;
      const sha = createHash('sha256')
        .update(await readBundle(path))
        .digest('base64');
      if (versions.find((v) => v.version === live)?.codeSha256 === sha)
        return { version: live, replacedVersion: replaced, moved: false };
      live = (await load(path)).version;
      retire();
      return { version: live, replacedVersion: replaced, moved: true };
    },
    rollback(to) {
      // With a canary, taking it out is the rollback, as on AWS.
      if (canary && to === undefined) {
        canary = undefined;
        return { version: live, replacedVersion: live, moved: true };
      }
      canary = undefined;
      const replaced = live;
      const running = versions.filter((v) => pools.has(v.version) && v.version !== live).map((v) => v.version);
      const choices = running.length
        ? `versions it can use: ${running.join(', ')}`
        : 'there is no other version running to go back to';
      const target = to ?? running.filter((v) => Number(v) < Number(live)).at(-1);
      if (target === live) return { version: live, replacedVersion: replaced, moved: false };
      if (!target || !pools.has(target))
        throw new NotFoundError(
          `${to ? `version ${to} is not running in the local stack` : `no version before ${live} is running`}; ${choices}`,
        );
      live = target;
      return { version: live, replacedVersion: replaced, moved: true };
    },
    environments: () =>
      [...pools.values()]
        .map((p) => p.environments())
        .reduce((a, b) => ({ active: a.active + b.active, coldStarts: a.coldStarts + b.coldStarts }), {
          active: 0,
          coldStarts: 0,
        }),
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([...pools.values()].map((p) => p.stop()));
    },
  };
}

async function readBundle(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`the bundle ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
    });
  }
}
