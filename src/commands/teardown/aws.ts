/** `teardown` (AWS): removes the stack in dependency order, asking first, backing up the table if asked. */
import { createWriteStream } from 'node:fs';
import type { AwsTargetOptions } from '../../cli/option-sets.js';
import { confirmOrCancel } from '../../output/confirm.js';
import type { Context } from '../../context.js';
import { withTerminalProgress } from '../../output/progress.js';
import { AppError, UsageError } from '../../errors.js';
import type { StepResult } from '../../provision/context.js';
import { awsTarget, openSession, type AwsDeps } from '../../provision/session.js';
import { removeStack, tableContext } from '../../provision/stack.js';
import { refuseCloudFormationStack } from '../../provision/cloudformation-owner.js';
import {
  countTableItems,
  describeTable,
  pointInTimeRecovery,
  scanTablePages,
  tableTags,
} from '../../provision/table.js';
import { STACK_TAG } from '../../provision/names.js';
import { writeNdjson } from '../../transfer/write-ndjson.js';
import { timelineOf, type TimelineEntry } from '../timeline.js';

/** What AWS keeps when a table with point-in-time recovery on is deleted (DynamoDB developer guide). */
const SYSTEM_BACKUP_NOTE =
  'point-in-time recovery is on, so DynamoDB keeps a system backup of the table for 35 days, restorable with aws dynamodb restore-table-from-backup';

export interface TeardownAwsOptions extends AwsTargetOptions {
  yes?: boolean;
  force?: boolean;
  backup?: string;
}

export interface TeardownAwsResult {
  target: 'aws';
  region: string;
  stack: string;
  steps: StepResult[];
  removed: string[];
  kept: string[];
  tableItems?: number;
  backup?: { file: string; items: number };
  /** The table had point-in-time recovery on, so DynamoDB kept a system backup of it (35 days). */
  systemBackup?: boolean;
  stateCleared: boolean;
  ms: number;
  /** When each step started and ended, in ms from the start of the command. */
  timeline: TimelineEntry[];
}

/** Writes every item of the table to `file`, one JSON object per line. */
async function backupTable(file: string, pages: AsyncIterable<Record<string, unknown>[]>): Promise<number> {
  const out = createWriteStream(file, { flags: 'w', mode: 0o600 });
  const opened = new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new AppError(`cannot write the backup ${file}: ${(error as Error).message}`, undefined, { cause: error });
  }
  const count = await writeNdjson(pages, out);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return count;
}

/** Removes the AWS stack; asks unless `yes`, and refuses without `yes` when stdin is not a terminal. */
export async function teardownAws(
  opts: TeardownAwsOptions,
  ctx: Context,
  deps: Partial<AwsDeps> = {},
): Promise<TeardownAwsResult> {
  if ((opts as { keepData?: unknown }).keepData !== undefined)
    throw new UsageError(
      '--keep-data applies to teardown --local only; use --backup FILE to keep the items of the AWS table',
    );
  const session = await openSession(
    { ...awsTarget(opts), force: Boolean(opts.force) },
    withTerminalProgress(ctx),
    deps,
  );
  const { pctx, progress, store } = session;
  const started = pctx.clock.now();
  try {
    await refuseCloudFormationStack(pctx, 'teardown');
    // Count the items first, so that the question (and the backup) can say how many would be lost.
    const tctx = tableContext(pctx);
    // The account id is needed only later; the table's reads do not wait for it.
    const account = pctx.accountId();
    account.catch(() => undefined);
    const table = await describeTable(tctx);
    const tags = table?.TableArn ? await tableTags(tctx, table.TableArn) : undefined;
    const deletable = Boolean(table) && (Boolean(opts.force) || tags?.[STACK_TAG] === pctx.names.stack);
    const [tableItems, pitr] =
      table && deletable
        ? await Promise.all([countTableItems(tctx), pointInTimeRecovery(tctx).catch(() => undefined)])
        : [undefined, undefined];
    const systemBackup = pitr === 'ENABLED';
    await account;
    // The time a person takes to answer is not the teardown's: it is left out of the reported duration.
    let answerMs = 0;
    if (!opts.yes) {
      const fate = opts.backup
        ? `, backed up to ${opts.backup} first`
        : systemBackup
          ? `; ${SYSTEM_BACKUP_NOTE}`
          : ' that will be lost';
      const what = `stack ${pctx.names.stack} in ${pctx.region}${tableItems ? ` (table ${pctx.names.table} holds ${tableItems} item${tableItems === 1 ? '' : 's'}${fate})` : ''}`;
      const asked = pctx.clock.now();
      await confirmOrCancel(
        ctx,
        `Delete ${what}?`,
        `teardown deletes ${what}; run it again with --yes to confirm (stdin is not a terminal, so it cannot ask)`,
      );
      answerMs = pctx.clock.now() - asked;
    }
    let backup: TeardownAwsResult['backup'];
    if (opts.backup && table && deletable) {
      const items = await progress.step(`backup of ${pctx.names.table}`, async () => {
        const n = await backupTable(opts.backup as string, scanTablePages(tctx));
        return { outcome: 'created' as const, detail: `${n} items to ${opts.backup}`, n };
      });
      backup = { file: opts.backup, items: items.n };
    }
    progress.note(`removing stack ${pctx.names.stack} in ${pctx.region}…`);
    // The table was read just now; a backup, if any, does not change it.
    const steps = await removeStack(pctx, progress, { table, ...(tags ? { tags } : {}) });
    const kept = steps.filter((s) => s.outcome === 'kept').map((s) => `${s.resource} ${s.name}: ${s.detail ?? 'kept'}`);
    const removed = steps.filter((s) => s.outcome === 'removed').map((s) => `${s.resource} ${s.name}`);
    let stateCleared = false;
    const recorded = await store.read();
    if (
      kept.length === 0 &&
      recorded &&
      (recorded.stack ?? 'default') === pctx.names.stack &&
      (recorded.region === pctx.region || recorded.region === 'unknown')
    ) {
      await store.clear();
      stateCleared = true;
    }
    return {
      target: 'aws',
      region: pctx.region,
      stack: pctx.names.stack,
      steps,
      removed,
      kept,
      ...(tableItems !== undefined ? { tableItems } : {}),
      ...(backup ? { backup } : {}),
      ...(systemBackup && removed.includes(`table ${pctx.names.table}`) ? { systemBackup: true } : {}),
      stateCleared,
      ms: pctx.clock.now() - started - answerMs,
      // Every step runs after the answer, so their times are counted without it too.
      timeline: timelineOf(progress.timings, started + answerMs),
    };
  } finally {
    session.close();
  }
}
