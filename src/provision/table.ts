/** The product table on AWS: tagged as this stack's, corrected when it drifts, with point-in-time recovery; removed with its data counted. */
import {
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  ListTagsOfResourceCommand,
  ScanCommand,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { systemClock } from '../aws/clock.js';
import { errorName, isNotFound, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import { keySchemaOf, PRODUCT_TABLE } from '../stack/table-definition.js';
import { createTable, describeTable, waitForTable, type TableTarget } from '../stack/table.js';
import { notOursDetail, STACK_TAG, tagList, tagMap } from './names.js';
import { readOnce, type FirstReads } from './read-once.js';

export { describeTable } from '../stack/table.js';

export interface TableContext extends TableTarget {
  /** When set, an existing table must carry this stack tag value to be changed or deleted. */
  stack?: string;
  /** Teardown: delete even without our tag. */
  force?: boolean;
  /** Turn on point-in-time recovery once the table is ACTIVE (AWS only; the local engine has none). */
  pitr?: boolean;
  /** Take over a table of this name that lacks our tag (setup --adopt). */
  adopt?: boolean;
  /** During setup: the name check's answers (see read-once.ts). */
  firstReads?: FirstReads;
}

/** The table as `describeTable` gives it, read once per setup (see read-once.ts). */
export function describeTableOnce(ctx: TableContext): Promise<TableDescription | undefined> {
  return readOnce(ctx.firstReads, 'table', () => describeTable(ctx));
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/**
 * DynamoDB's tags are eventually consistent: ListTagsOfResource may answer an empty set for a few seconds
 * after a table is created with tags or tagged (DynamoDB API reference). An empty set is read again for
 * this long before it is believed, so that our own new table never reads as foreign.
 */
export const TAGS_SETTLE_MS = 6_000;
const TAGS_POLL_MS = 1_000;

/** The table's tags (empty when the table has none, after TAGS_SETTLE_MS of empty answers). */
export function tableTags(ctx: TableContext, arn: string): Promise<Record<string, string>> {
  return readOnce(ctx.firstReads, `table tags ${arn}`, () => readTableTags(ctx, arn));
}

async function readTableTags(ctx: TableContext, arn: string): Promise<Record<string, string>> {
  const clock = ctx.clock ?? systemClock;
  const started = clock.now();
  for (;;) {
    const tags = await listTableTags(ctx, arn);
    if (Object.keys(tags).length > 0 || clock.now() - started + TAGS_POLL_MS > TAGS_SETTLE_MS) return tags;
    await clock.sleep(TAGS_POLL_MS, ctx.signal);
  }
}

async function listTableTags(ctx: TableContext, arn: string): Promise<Record<string, string>> {
  try {
    const tags: Record<string, string> = {};
    let NextToken: string | undefined;
    do {
      const page = await ctx.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken }));
      Object.assign(tags, tagMap(page.Tags));
      NextToken = page.NextToken;
    } while (NextToken);
    return tags;
  } catch (error) {
    throw translateAwsError(error, 'dynamodb:ListTagsOfResource');
  }
}

/** What differs between the table and what setup makes: key schema, billing mode, tags. */
export function tableDrift(
  table: TableDescription,
  tags: Record<string, string>,
  wanted: Record<string, string>,
): { fixable: string[]; fatal: string[] } {
  const fixable: string[] = [];
  const fatal: string[] = [];
  const key = keyText(table.KeySchema ?? []);
  const wantedKey = keyText(keySchemaOf(PRODUCT_TABLE).KeySchema);
  if (key !== wantedKey) fatal.push(`key is ${key || 'unknown'}, not ${wantedKey}`);
  const { name, type } = PRODUCT_TABLE.key;
  const idType = table.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
  if (idType !== undefined && idType !== type) fatal.push(`${name} is of type ${idType}, not ${type}`);
  const billing = table.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
  if (billing !== PRODUCT_TABLE.billingMode) fixable.push(`billing mode ${billing}, not ${PRODUCT_TABLE.billingMode}`);
  const missing = Object.entries(wanted).filter(([k, v]) => tags[k] !== v);
  if (missing.length > 0) fixable.push(`tags ${missing.map(([k]) => k).join(', ')} missing`);
  return { fixable, fatal };
}

function keyText(key: ReadonlyArray<{ AttributeName?: string; KeyType?: string }>): string {
  return key.map((k) => `${k.AttributeName} ${k.KeyType}`).join(', ');
}

/** Creates the table when it is missing, brings an existing one of ours in line, then waits until it is ACTIVE. */
export async function ensureTable(
  ctx: TableContext,
): Promise<{ outcome: EnsureOutcome; table: TableDescription; detail?: string }> {
  let outcome: EnsureOutcome = 'unchanged';
  let detail: string | undefined;
  const described = await describeTableOnce(ctx);
  const existing =
    described?.TableStatus === 'DELETING' ? await waitForTable(ctx, 'gone').then(() => undefined) : described;
  if (!existing) {
    if (await createTable(ctx)) outcome = 'created';
  } else if (ctx.stack !== undefined && existing.TableArn) {
    const tags = await tableTags(ctx, existing.TableArn);
    // A table made by hand carries no stack tag; --adopt takes it over (tags it, keeps its items).
    if (tags[STACK_TAG] !== ctx.stack && !(ctx.adopt && tags[STACK_TAG] === undefined)) {
      throw new AwsError(
        `a table named ${ctx.tableName} already exists and is not this stack's (no ${STACK_TAG}=${ctx.stack} tag); run setup --adopt to take it over, or pick other names with --stack NAME`,
      );
    }
    const drift = tableDrift(existing, tags, ctx.tags ?? {});
    if (drift.fatal.length > 0) {
      throw new AwsError(
        `table ${ctx.tableName} cannot be used: its ${drift.fatal.join('; ')}; run teardown (with --backup FILE) and setup again`,
      );
    }
    if (drift.fixable.length > 0) {
      await waitForTable(ctx, 'ACTIVE');
      try {
        if (drift.fixable.some((d) => d.startsWith('billing'))) {
          await ctx.dynamodb.send(
            new UpdateTableCommand({ TableName: ctx.tableName, BillingMode: PRODUCT_TABLE.billingMode }),
          );
        }
        if (drift.fixable.some((d) => d.startsWith('tags'))) {
          await ctx.dynamodb.send(
            new TagResourceCommand({ ResourceArn: existing.TableArn, Tags: tagList(ctx.tags ?? {}) }),
          );
        }
      } catch (error) {
        throw translateAwsError(
          error,
          errorName(error) === 'AccessDeniedException'
            ? 'dynamodb:UpdateTable or dynamodb:TagResource'
            : 'dynamodb:UpdateTable',
        );
      }
      outcome = 'updated';
      detail = drift.fixable.join('; ');
    }
  }
  const table =
    existing?.TableStatus === 'ACTIVE' && outcome === 'unchanged' ? existing : await waitForTable(ctx, 'ACTIVE');
  if (ctx.pitr && (await pointInTimeRecovery(ctx)) !== 'ENABLED') {
    await enablePointInTimeRecovery(ctx);
    if (outcome === 'unchanged') {
      outcome = 'updated';
      detail = [detail, 'point-in-time recovery on'].filter(Boolean).join('; ');
    }
  }
  return { outcome, table, ...(detail ? { detail } : {}) };
}

/** The table's point-in-time recovery status (ENABLED, DISABLED), or undefined when it cannot be read. */
export async function pointInTimeRecovery(ctx: TableContext): Promise<string | undefined> {
  try {
    const out = await ctx.dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: ctx.tableName }));
    return out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'dynamodb:DescribeContinuousBackups');
  }
}

/**
 * Turns point-in-time recovery on. CreateTable cannot, and for a while after a table becomes ACTIVE
 * UpdateContinuousBackups answers ContinuousBackupsUnavailableException ("Backups are being enabled"): that
 * is waited out.
 */
async function enablePointInTimeRecovery(ctx: TableContext): Promise<void> {
  const clock = ctx.clock ?? systemClock;
  const started = clock.now();
  for (;;) {
    try {
      await ctx.dynamodb.send(
        new UpdateContinuousBackupsCommand({
          TableName: ctx.tableName,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      );
      return;
    } catch (error) {
      if (
        errorName(error) !== 'ContinuousBackupsUnavailableException' ||
        clock.now() - started > (ctx.maxWaitSeconds ?? 300) * 1000
      ) {
        throw translateAwsError(error, 'dynamodb:UpdateContinuousBackups');
      }
    }
    await clock.sleep(ctx.pollMs ?? 500, ctx.signal);
  }
}

/** Counts the table's items (a paginated COUNT scan), or undefined when there is no table. */
export async function countTableItems(ctx: TableContext): Promise<number | undefined> {
  let count = 0;
  let ExclusiveStartKey: Record<string, never> | undefined;
  try {
    do {
      const page = await ctx.dynamodb.send(
        new ScanCommand({ TableName: ctx.tableName, Select: 'COUNT', ExclusiveStartKey }),
      );
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey as never;
    } while (ExclusiveStartKey);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'dynamodb:Scan');
  }
  return count;
}

/** Every item of the table, page by page, as plain objects. */
export async function* scanTablePages(ctx: TableContext): AsyncGenerator<Record<string, unknown>[]> {
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    let page;
    try {
      page = await ctx.dynamodb.send(new ScanCommand({ TableName: ctx.tableName, ExclusiveStartKey }));
    } catch (error) {
      throw translateAwsError(error, 'dynamodb:Scan');
    }
    yield (page.Items ?? []).map((item) => unmarshall(item) as Record<string, unknown>);
    ExclusiveStartKey = page.LastEvaluatedKey as never;
  } while (ExclusiveStartKey);
}

export type RemoveOutcome = { outcome: 'removed' | 'absent' | 'kept'; detail?: string };

/**
 * Deletes the table and waits until it is gone. A missing table is already done; a table without our tag is
 * kept unless `force`; a table still CREATING or UPDATING (ResourceInUseException) is waited on, then deleted.
 */
export async function removeTable(
  ctx: TableContext,
  known?: { table: TableDescription | undefined; tags?: Record<string, string> },
): Promise<RemoveOutcome> {
  const table = known ? known.table : await describeTable(ctx);
  if (!table) return { outcome: 'absent' };
  if (ctx.stack !== undefined && !ctx.force && table.TableArn) {
    const tags = known?.tags ?? (await tableTags(ctx, table.TableArn));
    if (tags[STACK_TAG] !== ctx.stack) return { outcome: 'kept', detail: notOursDetail(ctx.stack) };
  }
  if (table.DeletionProtectionEnabled) {
    return {
      outcome: 'kept',
      detail:
        'deletion protection is on; turn it off in the console or with aws dynamodb update-table, then run teardown again',
    };
  }
  const clock = ctx.clock ?? systemClock;
  const started = clock.now();
  for (;;) {
    try {
      await ctx.dynamodb.send(new DeleteTableCommand({ TableName: ctx.tableName }));
      break;
    } catch (error) {
      if (isNotFound(error)) return { outcome: 'absent' };
      if (errorName(error) !== 'ResourceInUseException') throw translateAwsError(error, 'dynamodb:DeleteTable');
      // CREATING, UPDATING or already DELETING: wait for ACTIVE (or gone) and try again.
      if (clock.now() - started > (ctx.maxWaitSeconds ?? 300) * 1000) {
        throw new AwsError(
          `table ${ctx.tableName} stayed in use for ${ctx.maxWaitSeconds ?? 300} s; run teardown again later`,
          { cause: error },
        );
      }
      const current = await describeTable(ctx);
      if (!current) return { outcome: 'removed' };
      if (current.TableStatus === 'DELETING') break;
      await clock.sleep(ctx.pollMs ?? 500, ctx.signal);
    }
  }
  await waitForTable(ctx, 'gone');
  return { outcome: 'removed' };
}
