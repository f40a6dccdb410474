/** The product table: created on demand, keyed by `id`, and waited on until ACTIVE. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

export interface TableContext {
  dynamodb: DynamoDBClient;
  tableName: string;
  tags?: Record<string, string>;
  /** Longest wait for the table to become ACTIVE, in seconds. */
  maxWaitSeconds?: number;
}

export type EnsureOutcome = 'created' | 'unchanged';

/** Describes the table, or returns undefined when it does not exist. */
export async function describeTable(ctx: TableContext): Promise<TableDescription | undefined> {
  try {
    const { Table } = await ctx.dynamodb.send(new DescribeTableCommand({ TableName: ctx.tableName }));
    return Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Creates the table when it is missing, then waits until it is ACTIVE. */
export async function ensureTable(ctx: TableContext): Promise<{ outcome: EnsureOutcome; table: TableDescription }> {
  let outcome: EnsureOutcome = 'unchanged';
  const existing = await describeTable(ctx);
  if (!existing) {
    try {
      await ctx.dynamodb.send(
        new CreateTableCommand({
          TableName: ctx.tableName,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          Tags: Object.entries(ctx.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      outcome = 'created';
    } catch (error) {
      // Another run created it first: converge on the existing table.
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
  }
  if (existing?.TableStatus !== 'ACTIVE') {
    await waitUntilTableExists(
      { client: ctx.dynamodb, maxWaitTime: ctx.maxWaitSeconds ?? 300, minDelay: 1, maxDelay: 5 },
      { TableName: ctx.tableName },
    );
  }
  const table = await describeTable(ctx);
  if (!table) throw new Error(`table ${ctx.tableName} disappeared while it was being created`);
  return { outcome, table };
}
