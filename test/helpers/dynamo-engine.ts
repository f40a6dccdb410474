/** A real DynamoDB engine (dynalite, in memory) on a loopback port, with the product table created. */
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDynamoClient, type DynamoClient } from '../../src/handler/dynamo-client/client.js';
import { createTableIfMissing } from '../../src/stack/table.js';

export interface TestEngine {
  endpoint: string;
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  /** The handler's own client, pointed at this engine. */
  itemClient: DynamoClient;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite in memory and creates the table `tableName` as the local stack does. With
 * TEST_DYNAMODB_ENDPOINT set (DynamoDB Local, say), uses that engine instead and deletes the table on stop.
 */
export async function startTestEngine(tableName = 'product'): Promise<TestEngine> {
  const external = process.env.TEST_DYNAMODB_ENDPOINT;
  const server = external ? undefined : dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  if (server) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : (external as string);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await createTableIfMissing({ dynamodb: client, tableName, maxWaitSeconds: 10 });
  const itemClient = createDynamoClient({ target: { url: new URL(endpoint), region: 'us-east-1' } });
  return {
    endpoint,
    client,
    documentClient: DynamoDBDocumentClient.from(client),
    itemClient,
    tableName,
    async stop() {
      if (!server) await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
      itemClient.destroy();
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
