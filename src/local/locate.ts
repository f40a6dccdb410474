/**
 * Finding the local stack of a state directory: the one the state file records, or, when that entry is lost
 * or stale, the one that holds the data directory by its lock. Either must prove itself (see identifyRecordedStack).
 */
import type { DataOwner } from '../state/data-lock.js';
import type { LocalState, State } from '../state/state-file.js';
import {
  findDataHolder,
  localDataDir,
  identifyRecordedStack,
  type ProbeOptions,
  type StackIdentity,
} from './control.js';

export type LocatedStack =
  /** A stack that proved itself; `record` is what to keep in the state file for it. */
  | { kind: 'running'; identity: StackIdentity; record: LocalState; source: 'state' | 'lock' }
  /** No stack answers, but a live process holds the data by its lock and cannot be identified as a stack. */
  | { kind: 'held'; owner: DataOwner; dataDir: string; stale?: LocalState }
  /** Nothing runs; `stale` is the state entry of a stack that is gone, if any. */
  | { kind: 'none'; stale?: LocalState };

function fromOwner(owner: DataOwner, dataDir: string, identity: StackIdentity): LocalState {
  return {
    url: identity.url,
    port: identity.port,
    stage: identity.stage,
    pid: owner.pid,
    dataDir,
    dynamodbEndpoint: owner.dynamodbEndpoint ?? '',
    startedAt: identity.startedAt,
    ...(owner.secret ? { secret: owner.secret } : {}),
  };
}

/** Looks for the stack of `cwd`'s state directory; `withStats` also fetches its figures, `metrics` its series over a window. */
export async function locateStack(
  cwd: string,
  state: State,
  options: Pick<ProbeOptions, 'withStats' | 'metrics'> = {},
): Promise<LocatedStack> {
  const recorded = state.local;
  if (recorded) {
    const identity = await identifyRecordedStack(recorded, options);
    if (identity) return { kind: 'running', identity, record: recorded, source: 'state' };
  }
  const dataDir = recorded?.dataDir ?? localDataDir(cwd);
  const holder = await findDataHolder(dataDir);
  if (holder?.kind === 'stack') {
    const identity =
      options.withStats || options.metrics
        ? ((await identifyRecordedStack({ ...holder.owner, port: holder.identity.port }, options)) ?? holder.identity)
        : holder.identity;
    return { kind: 'running', identity, record: fromOwner(holder.owner, dataDir, identity), source: 'lock' };
  }
  if (holder?.kind === 'unknown')
    return { kind: 'held', owner: holder.owner, dataDir, ...(recorded ? { stale: recorded } : {}) };
  return { kind: 'none', ...(recorded ? { stale: recorded } : {}) };
}
