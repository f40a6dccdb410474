/**
 * The product table on any DynamoDB engine (AWS, the local stack's dynalite, DynamoDB Local): read, created
 * when missing and waited on until ACTIVE.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock } from '../aws/clock.js';
import { errorName, isNotFound, translateAwsError } from '../aws/errors.js';
import { waitFor } from '../aws/retry.js';
import { AwsError } from '../errors.js';
import { keySchemaOf, PRODUCT_TABLE } from './table-definition.js';

/** A table on one engine, and how long to wait for it. */
export interface TableTarget {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** Tags given at creation (AWS); omitted for an engine that needs none. */
  tags?: Record<string, string>;
  /** Longest wait for the table to become ACTIVE (or to go), in seconds. */
  maxWaitSeconds?: number;
  clock?: Clock;
  pollMs?: number;
  signal?: AbortSignal;
}

/** Describes the table, or returns undefined when it does not exist. */
export async function describeTable(target: TableTarget): Promise<TableDescription | undefined> {
  try {
    const { Table } = await target.dynamodb.send(new DescribeTableCommand({ TableName: target.tableName }));
    return Table;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'dynamodb:DescribeTable');
  }
}

/** The table as it is, with one that is being deleted (a teardown just before) waited out and read as missing. */
export async function currentTable(target: TableTarget): Promise<TableDescription | undefined> {
  const table = await describeTable(target);
  if (table?.TableStatus !== 'DELETING') return table;
  await waitForTable(target, 'gone');
  return undefined;
}

/** Creates the table on demand, keyed by `id`; false when another run created it first. */
export async function createTable(target: TableTarget): Promise<boolean> {
  try {
    await target.dynamodb.send(
      new CreateTableCommand({
        TableName: target.tableName,
        ...keySchemaOf(PRODUCT_TABLE),
        BillingMode: PRODUCT_TABLE.billingMode,
        ...(target.tags && Object.keys(target.tags).length > 0
          ? { Tags: Object.entries(target.tags).map(([Key, Value]) => ({ Key, Value })) }
          : {}),
      }),
    );
    return true;
  } catch (error) {
    // Another run created it first: converge on the existing table.
    if (errorName(error) !== 'ResourceInUseException') throw translateAwsError(error, 'dynamodb:CreateTable');
    return false;
  }
}

/** Creates the table when it is missing and waits until it is ACTIVE (an existing table is taken as it is). */
export async function createTableIfMissing(target: TableTarget): Promise<TableDescription> {
  const existing = await currentTable(target);
  if (!existing) await createTable(target);
  return existing?.TableStatus === 'ACTIVE' ? existing : waitForTable(target, 'ACTIVE');
}

/** Waits until the table is in `status` (ACTIVE), or until it is gone (`gone`). */
export async function waitForTable(target: TableTarget, status: 'ACTIVE'): Promise<TableDescription>;
export async function waitForTable(target: TableTarget, status: 'gone'): Promise<true>;
export async function waitForTable(target: TableTarget, status: 'ACTIVE' | 'gone'): Promise<TableDescription | true> {
  const clock = target.clock ?? systemClock;
  const timeoutMs = (target.maxWaitSeconds ?? 300) * 1000;
  return waitFor<TableDescription | true>(
    status === 'ACTIVE' ? `table ${target.tableName} to become ACTIVE` : `table ${target.tableName} to be deleted`,
    async () => {
      const table = await describeTable(target);
      if (status === 'gone') return table ? undefined : true;
      if (!table)
        throw new AwsError(`table ${target.tableName} disappeared while it was being created; run the command again`);
      return table.TableStatus === 'ACTIVE' ? table : undefined;
    },
    {
      clock,
      timeoutMs,
      intervalMs: target.pollMs ?? 500,
      hint: 'the table may still finish; run the command again later',
      ...(target.signal ? { signal: target.signal } : {}),
    },
  );
}
