/** Products written straight into the local stack's table, as another tool (or an earlier import) leaves them. */
import { BatchWriteItemCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { LocalStack } from '../../src/local/stack.js';

/** Writes a product for each id (title = id, price 1, version 1), and any `raw` items as they are. */
export async function storeProducts(
  stack: LocalStack,
  ids: readonly string[],
  raw: Record<string, AttributeValue>[] = [],
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: stack.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const now = '2026-01-01T00:00:00.000Z';
  const items = [
    ...ids.map((id) => ({
      id: { S: id },
      title: { S: id },
      description: { S: '' },
      price: { N: '1' },
      version: { N: '1' },
      createdAt: { S: now },
      updatedAt: { S: now },
    })),
    ...raw,
  ];
  try {
    for (let i = 0; i < items.length; i += 25) {
      const puts = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { product: puts } }));
      if ((UnprocessedItems?.product ?? []).length > 0) throw new Error('the engine left items unwritten');
    }
  } finally {
    client.destroy();
  }
}
