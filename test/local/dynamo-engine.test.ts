import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
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
});
