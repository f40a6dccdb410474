/** DynamoDB: a table is CREATING, then ACTIVE, and DELETING before it goes; its tags read late. */
import {
  type AttributeDefinition,
  type AttributeValue,
  type BillingMode,
  type DescribeContinuousBackupsOutput,
  ContinuousBackupsUnavailableException,
  ResourceNotFoundException,
  ResourceInUseException,
  type KeySchemaElement,
  type TableDescription,
  type TableStatus,
} from '@aws-sdk/client-dynamodb';
import { type FakeCore, type Handlers, meta, tagList, tagRecord } from './core.js';

export interface TableRecord {
  name: string;
  arn: string;
  createdAt: number;
  deletedAt?: number;
  billing: BillingMode;
  key: KeySchemaElement[];
  attrs: AttributeDefinition[];
  tags: Record<string, string>;
  items: Map<string, Record<string, AttributeValue>>;
  protection?: boolean;
  pitr?: boolean;
  tagsVisibleAt?: number;
}

/** The table of that name, unless it has finished deleting (then it is forgotten). */
function liveTable(aws: FakeCore, name: string | undefined): TableRecord | undefined {
  const table = aws.tables.get(name ?? '');
  if (table?.deletedAt !== undefined && aws.clock.now() >= table.deletedAt + aws.model.tableDeleteMs) {
    aws.tables.delete(table.name);
    return undefined;
  }
  return table;
}

function tableStatus(aws: FakeCore, t: TableRecord): TableStatus {
  if (t.deletedAt !== undefined) return 'DELETING';
  return aws.clock.now() >= t.createdAt + aws.model.tableActiveMs ? 'ACTIVE' : 'CREATING';
}

function tableDescription(aws: FakeCore, t: TableRecord): TableDescription {
  return {
    TableName: t.name,
    TableArn: t.arn,
    TableStatus: tableStatus(aws, t),
    KeySchema: t.key,
    AttributeDefinitions: t.attrs,
    BillingModeSummary: { BillingMode: t.billing },
    ItemCount: t.items.size,
    DeletionProtectionEnabled: Boolean(t.protection),
  };
}

function tableOrThrow(aws: FakeCore, name: string | undefined): TableRecord {
  const table = liveTable(aws, name);
  if (!table)
    throw new ResourceNotFoundException({ message: `Requested resource not found: Table: ${name} not found`, ...meta });
  return table;
}

function tableByArn(aws: FakeCore, arn: string | undefined): TableRecord {
  const t = [...aws.tables.values()].find((x) => x.arn === arn && liveTable(aws, x.name));
  if (!t)
    throw new ResourceNotFoundException({
      message: `Requested resource not found: ResourcArn: ${arn} not found`,
      ...meta,
    });
  return t;
}

function backupsDescription(t: TableRecord): DescribeContinuousBackupsOutput {
  return {
    ContinuousBackupsDescription: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: t.pitr ? 'ENABLED' : 'DISABLED' },
    },
  };
}

/** DynamoDB's control plane, and the few item calls the CLI makes itself (its data goes through dynalite). */
export function dynamodbHandlers(aws: FakeCore) {
  return {
    CreateTable(input) {
      const name = input.TableName ?? '';
      if (liveTable(aws, name)) throw new ResourceInUseException({ message: `Table already exists: ${name}`, ...meta });
      const t: TableRecord = {
        name,
        arn: `arn:aws:dynamodb:${aws.region}:${aws.accountId}:table/${name}`,
        createdAt: aws.clock.now(),
        billing: input.BillingMode ?? 'PROVISIONED',
        key: input.KeySchema ?? [],
        attrs: input.AttributeDefinitions ?? [],
        tags: tagRecord(input.Tags),
        items: new Map(),
        tagsVisibleAt: aws.clock.now() + aws.model.tableTagsVisibleMs,
      };
      aws.tables.set(t.name, t);
      return { TableDescription: tableDescription(aws, t) };
    },

    DescribeTable(input) {
      return { Table: tableDescription(aws, tableOrThrow(aws, input.TableName)) };
    },

    UpdateTable(input) {
      const t = tableOrThrow(aws, input.TableName);
      if (input.BillingMode) t.billing = input.BillingMode;
      return { TableDescription: tableDescription(aws, t) };
    },

    DeleteTable(input) {
      const t = tableOrThrow(aws, input.TableName);
      const status = tableStatus(aws, t);
      if (status !== 'ACTIVE')
        throw new ResourceInUseException({
          message: `Attempt to change a resource which is still in use: Table is being ${status === 'DELETING' ? 'deleted' : 'created'}: ${t.name}`,
          ...meta,
        });
      t.deletedAt = aws.clock.now();
      if (t.pitr) aws.systemBackups.push(`${t.name}$DeletedTableBackup`);
      return { TableDescription: tableDescription(aws, t) };
    },

    DescribeContinuousBackups(input) {
      return backupsDescription(tableOrThrow(aws, input.TableName));
    },

    UpdateContinuousBackups(input) {
      const t = tableOrThrow(aws, input.TableName);
      if (
        tableStatus(aws, t) !== 'ACTIVE' ||
        aws.clock.now() < t.createdAt + aws.model.tableActiveMs + aws.model.backupsUnavailableMs
      ) {
        throw new ContinuousBackupsUnavailableException({
          message: `Backups are being enabled for the table: ${t.name}. Please retry later`,
          ...meta,
        });
      }
      t.pitr = Boolean(input.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled);
      return backupsDescription(t);
    },

    ListTagsOfResource(input) {
      const t = tableByArn(aws, input.ResourceArn);
      // Tags are eventually consistent: for a while after tagging, the set reads empty.
      if (aws.clock.now() < (t.tagsVisibleAt ?? 0)) return { Tags: [] };
      return { Tags: tagList(t.tags) };
    },

    TagResource(input) {
      const t = tableByArn(aws, input.ResourceArn);
      Object.assign(t.tags, tagRecord(input.Tags));
      t.tagsVisibleAt = aws.clock.now() + aws.model.tableTagsVisibleMs;
    },

    PutItem(input) {
      const t = tableOrThrow(aws, input.TableName);
      t.items.set(JSON.stringify(input.Item?.id), input.Item ?? {});
    },

    /** Two items a page, so a caller has to follow LastEvaluatedKey. */
    Scan(input) {
      const t = tableOrThrow(aws, input.TableName);
      const all = [...t.items.values()];
      const after = JSON.stringify(input.ExclusiveStartKey?.id);
      const start = input.ExclusiveStartKey ? all.findIndex((i) => JSON.stringify(i.id) === after) + 1 : 0;
      const page = all.slice(start, start + 2);
      const lastId = page.at(-1)?.id;
      const last = start + 2 < all.length && lastId ? { id: lastId } : undefined;
      return input.Select === 'COUNT'
        ? { Count: page.length, LastEvaluatedKey: last }
        : { Items: page, Count: page.length, LastEvaluatedKey: last };
    },
  } satisfies Handlers<'dynamodb'>;
}
