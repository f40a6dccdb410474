/** `teardown --local`: stops the recorded local stack, once it has proved to be ours, and deletes its data. */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Context } from '../context.js';
import { AppError } from '../errors.js';
import { isProcessAlive, isRecordedStackRunning, localDir, stopProcess } from '../local/control.js';
import { confirmOrCancel } from '../output/confirm.js';
import { note } from '../output/print.js';
import { readState, updateState } from '../state/state-file.js';

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
  const state = await readState(ctx.cwd);
  const local = state.local;
  const dir = localDir(ctx.cwd);
  const hasData = existsSync(dir);
  if (!local && (!hasData || opts.keepData)) {
    return { target: 'local', status: 'absent', ...(hasData ? { keptData: dir } : {}) };
  }

  if (!opts.yes) {
    const what = [local ? `stop the local stack at ${local.url}` : undefined, opts.keepData || !hasData ? undefined : `delete its data in ${dir}`]
      .filter(Boolean)
      .join(' and ');
    await confirmOrCancel(
      ctx,
      `This will ${what}. Continue?`,
      'teardown --local stops the local stack and deletes its data; stdin is not a terminal, so pass --yes to confirm',
    );
  }

  let status: TeardownLocalResult['status'] = 'absent';
  if (local) {
    const identity = await isRecordedStackRunning(local);
    if (identity) {
      note(ctx, `Stopping the local stack (pid ${local.pid})…`);
      if (!(await stopProcess(local.pid))) throw new AppError(`the local stack (pid ${local.pid}) did not stop; stop it yourself and run teardown again`);
      status = 'stopped';
    } else {
      // No stack of ours answers there: the pid may belong to another program by now, so it is left alone.
      if (isProcessAlive(local.pid)) note(ctx, `Process ${local.pid} is not the local stack (it does not answer as one on port ${local.port}); left alone.`);
      status = 'not-running';
    }
    await updateState(ctx.cwd, (s) => {
      delete s.local;
    });
  }

  let deletedData: string | undefined;
  if (!opts.keepData && hasData) {
    await rm(dir, { recursive: true, force: true });
    deletedData = dir;
  }
  return {
    target: 'local',
    status,
    ...(local ? { url: local.url, pid: local.pid } : {}),
    ...(deletedData ? { deletedData } : {}),
    ...(opts.keepData && hasData ? { keptData: dir } : {}),
    ...(local && !local.dataDir ? { externalEngine: local.dynamodbEndpoint } : {}),
  };
}
