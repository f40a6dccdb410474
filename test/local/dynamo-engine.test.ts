import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startDynamoEngine, type DynamoEngine } from '../../src/local/dynamo-engine.js';

// A client in another process: says "ready", waits 200 ms, lists the tables and prints when it had the answer.
const CLIENT = `
const endpoint = process.argv[1];
console.log('ready');
setTimeout(async () => {
  const answer = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      'x-amz-date': '20260101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: '{}',
  });
  console.log(JSON.stringify({ status: answer.status, body: await answer.json(), at: Date.now() }));
}, 200);
`;

/** One DynamoDB call to the engine (which reads the signature's form, not its value). */
function call(endpoint: string, operation: string, body: unknown, signal?: AbortSignal) {
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': '20260101T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

describe('the embedded engine', () => {
  let engine: DynamoEngine | undefined;
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });

  it('answers while the thread that started it is busy, since it runs in a thread of its own', async () => {
    // Prepare
    engine = await startDynamoEngine();
    const client = spawn(process.execPath, ['-e', CLIENT, engine.endpoint], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: client.stdout })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready');

    // Act: this thread does nothing else for 2 s, as a gateway busy with other requests would not
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
    const busyUntil = Date.now();
    const answer = JSON.parse((await lines.next()).value as string) as { status: number; body: unknown; at: number };
    await once(client, 'exit');

    // Assess
    expect(answer).toMatchObject({ status: 200, body: { TableNames: [] } });
    expect(answer.at).toBeLessThan(busyUntil);
  });

  it('refuses a port already taken, naming why', async () => {
    // Prepare
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));

    // Act
    const starting = startDynamoEngine({ port: (taken.address() as AddressInfo).port });

    // Assess
    await expect(starting).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: expect.stringContaining('the DynamoDB engine did not start'),
    });
    taken.close();
  });

  it('finishes the writes it was given before it stops, even those whose client has gone', async () => {
    // Prepare: a table on disk, and batches of writes whose clients give up as soon as they are sent
    const dataDir = await mkdtemp(join(tmpdir(), 'products-cli-engine-drain-'));
    const first = await startDynamoEngine({ dataDir });
    await call(first.endpoint, 'CreateTable', {
      TableName: 'product',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }).then((answer) => expect(answer.status).toBe(200));
    const ids = Array.from({ length: 8 * 25 }, (_, i) => `d${i}`);
    const gone = new AbortController();
    const sent = Array.from({ length: 8 }, (_, batch) =>
      call(
        first.endpoint,
        'BatchWriteItem',
        {
          RequestItems: {
            product: ids.slice(batch * 25, batch * 25 + 25).map((id) => ({
              PutRequest: { Item: { id: { S: id }, title: { S: 'x'.repeat(20_000) } } },
            })),
          },
        },
        gone.signal,
      ).catch(() => undefined),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    gone.abort();

    // Act
    await first.stop();
    await Promise.all(sent);
    engine = await startDynamoEngine({ dataDir });

    // Assess: the writes it had begun are on disk, and none met the store closed (which dynalite throws as an
    // uncaught "Database is closed", failing this run)
    const scanned = (await (await call(engine.endpoint, 'Scan', { TableName: 'product', Select: 'COUNT' })).json()) as {
      Count: number;
    };
    expect(scanned.Count).toBeGreaterThan(0);
    await engine.stop();
    engine = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });
});
