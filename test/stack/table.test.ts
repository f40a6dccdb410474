// The product table on a real engine (dynalite): created once, keyed by id, on demand; a second call takes it as it is.
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keySchemaOf, PRODUCT_TABLE } from '../../src/stack/table-definition.js';
import { createTableIfMissing, describeTable } from '../../src/stack/table.js';

let server: ReturnType<typeof dynalite>;
let dynamodb: DynamoDBClient;

beforeEach(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  dynamodb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
});
afterEach(async () => {
  dynamodb.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the product table', () => {
  it('is keyed by a string id, on demand', () => {
    expect(keySchemaOf(PRODUCT_TABLE)).toEqual({
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    });
    expect(PRODUCT_TABLE.billingMode).toBe('PAY_PER_REQUEST');
  });

  it('is created when missing and taken as it is the next time', async () => {
    // Act
    expect(await describeTable({ dynamodb, tableName: 'product' })).toBeUndefined();
    const created = await createTableIfMissing({ dynamodb, tableName: 'product', maxWaitSeconds: 5 });
    const again = await createTableIfMissing({ dynamodb, tableName: 'product', maxWaitSeconds: 5 });

    // Assess
    expect(created).toMatchObject({
      TableName: 'product',
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    });
    expect(created.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(again.TableArn).toBe(created.TableArn);
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'product' }));
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
  });
});
