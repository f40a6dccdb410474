/** `teardown --local`: stops the recorded local stack, once it has proved to be ours, and deletes its data. */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { findDataHolder, localDataDir, localDir, stopProcess } from '../../local/control.js';
import { isProcessAlive } from '../../state/process-alive.js';
import { locateStack } from '../../local/locate.js';
import { confirmOrCancel } from '../../output/confirm.js';
import { note } from '../../output/print.js';
import { readState, removeStateDirIfEmpty, stateDir, updateState } from '../../state/state-file.js';

export interface TeardownLocalOptions {
  yes?: boolean;
  keepData?: boolean;
  json?: boolean;
}

export interface TeardownLocalResult {
  target: 'local';
  /** `stopped` a running stack; `not-running` when the recorded one was already gone; `absent` when none was recorded. */
  status: 'stopped' | 'not-running' | 'absent';
  url?: string;
  pid?: number;
  /** The directory deleted, when data was deleted. */
  deletedData?: string;
  keptData?: string;
  /** The external engine the stack used; its table is left as it is. */
  externalEngine?: string;
}

/** Stops the local stack and deletes `.products-cli/local` (unless --keep-data), then forgets it in the state. */
export async function teardownLocal(opts: TeardownLocalOptions, ctx: Context): Promise<TeardownLocalResult> {
  const { refuseSymlink } = await import('../../state/safe-path.js');
  // A link here would make the deletion below reach whatever it points at.
  await refuseSymlink(stateDir(ctx.cwd));
  const dir = localDir(ctx.cwd);
  await refuseSymlink(dir);
  const state = await readState(ctx.cwd);
  const found = await locateStack(ctx.cwd, state);
  const running = found.kind === 'running' ? found.record : undefined;
  const local = running ?? state.local;
  const hasData = existsSync(dir);
  if (!local && found.kind === 'none' && (!hasData || opts.keepData)) {
    return { target: 'local', status: 'absent', ...(hasData ? { keptData: dir } : {}) };
  }
  if (found.kind === 'held' && !opts.keepData) {
    throw new AppError(
      `not deleting ${found.dataDir}: process ${found.owner.pid} holds it and does not answer as the local stack; stop that process first, or pass --keep-data`,
    );
  }

  if (!opts.yes) {
    const what = [
      running ? `stop the local stack at ${running.url}` : local ? `forget the local stack at ${local.url}` : undefined,
      opts.keepData || !hasData ? undefined : `delete its data in ${dir}`,
    ]
      .filter(Boolean)
      .join(' and ');
    await confirmOrCancel(
      ctx,
      `This will ${what}. Continue?`,
      'teardown --local stops the local stack and deletes its data; stdin is not a terminal, so pass --yes to confirm',
    );
  }

  let status: TeardownLocalResult['status'] = 'absent';
  if (running) {
    if (found.kind === 'running' && found.source === 'lock')
      note(ctx, `Found the local stack that holds ${running.dataDir} (pid ${running.pid}) by its lock.`);
    note(ctx, `Stopping the local stack (pid ${running.pid})…`);
    if (!(await stopProcess(running.pid)))
      throw new AppError(`the local stack (pid ${running.pid}) did not stop; stop it yourself and run teardown again`);
    status = 'stopped';
  } else if (local) {
    // No stack of ours answers there: the pid may belong to another program by now, so it is left alone.
    if (isProcessAlive(local.pid))
      note(
        ctx,
        `Process ${local.pid} is not the local stack (it does not prove itself on port ${local.port}); left alone.`,
      );
    status = 'not-running';
  }
  if (local) {
    await updateState(ctx.cwd, (s) => {
      delete s.local;
    });
  }

  let deletedData: string | undefined;
  if (!opts.keepData && hasData) {
    // Checked again now that the stack is stopped: data that a live process holds is never deleted.
    const holder = await findDataHolder(local?.dataDir ?? localDataDir(ctx.cwd));
    if (holder)
      throw new AppError(`not deleting ${dir}: process ${holder.owner.pid} still holds its data; stop it first`);
    await rm(dir, { recursive: true, force: true });
    deletedData = dir;
  }
  await removeStateDirIfEmpty(ctx.cwd);
  return {
    target: 'local',
    status,
    ...(local ? { url: local.url, pid: local.pid } : {}),
    ...(deletedData ? { deletedData } : {}),
    ...(opts.keepData && hasData ? { keptData: dir } : {}),
    ...(local && !local.dataDir ? { externalEngine: local.dynamodbEndpoint } : {}),
  };
}
