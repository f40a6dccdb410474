// Which DynamoDB calls a batch create should make, measured on the local stack's engine (dynalite, in a process
// of its own): N new items written as conditional PutItems with 16 in flight, as BatchWriteItem of 25 with 4
// in flight, and as BatchGetItem of 100 (the existence check a batch create needs, since BatchWriteItem takes
// no condition) followed by BatchWriteItem of the missing. TransactWriteItems (all-or-nothing, twice the write
// cost) is tried too and reported as not served when the engine lacks it, as dynalite does. The variants run
// interleaved, each on fresh ids, and the median of the rounds is quoted.
//
//   node scripts/bench/batch-writes.mjs [--items 5000] [--rounds 3] [--json]
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { finish, median, reason, row } from './figures.mjs';
import { startEngineProcess } from './engine-process.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const ITEMS = arg('items', 5000);
const ROUNDS = arg('rounds', 3);
const TABLE = 'product';

const item = (id) => ({
  id: { S: id },
  title: { S: `Product ${id}` },
  description: { S: 'A generated product for the batch write benchmark' },
  price: { N: '19.99' },
  createdAt: { S: '2026-01-01T00:00:00.000Z' },
  updatedAt: { S: '2026-01-01T00:00:00.000Z' },
  version: { N: '1' },
});
const chunk = (list, size) =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** Runs `work` over `tasks` with at most `limit` in flight. */
async function pool(tasks, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) await work(tasks[next++]);
    }),
  );
}

/** BatchWriteItem of `requests` (at most 25), sent again with what came back unprocessed. */
async function batchWrite(client, requests) {
  let pending = requests;
  for (let tries = 0; pending.length > 0; tries++) {
    if (tries > 10) throw new Error(`${pending.length} items stayed unprocessed`);
    const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: pending } }));
    pending = out.UnprocessedItems?.[TABLE] ?? [];
  }
}

const variants = {
  'conditional PutItem, 16 in flight': async (client, ids) => {
    let written = 0;
    await pool(ids, 16, async (id) => {
      await client.send(
        new PutItemCommand({ TableName: TABLE, Item: item(id), ConditionExpression: 'attribute_not_exists(id)' }),
      );
      written += 1;
    });
    return written;
  },
  'BatchWriteItem of 25, 4 in flight': async (client, ids) => {
    await pool(chunk(ids, 25), 4, (ids25) =>
      batchWrite(
        client,
        ids25.map((id) => ({ PutRequest: { Item: item(id) } })),
      ),
    );
    return ids.length;
  },
  'BatchGetItem of 100 then BatchWriteItem of the missing': async (client, ids) => {
    let written = 0;
    await pool(chunk(ids, 100), 4, async (ids100) => {
      const out = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [TABLE]: {
              Keys: ids100.map((id) => ({ id: { S: id } })),
              ConsistentRead: true,
              ProjectionExpression: 'id',
            },
          },
        }),
      );
      if (Object.keys(out.UnprocessedKeys ?? {}).length > 0) throw new Error('unprocessed keys');
      const found = new Set((out.Responses?.[TABLE] ?? []).map((it) => it.id.S));
      const missing = ids100.filter((id) => !found.has(id));
      for (const ids25 of chunk(missing, 25))
        await batchWrite(
          client,
          ids25.map((id) => ({ PutRequest: { Item: item(id) } })),
        );
      written += missing.length;
    });
    return written;
  },
  'TransactWriteItems of 25 conditional puts, 4 in flight': async (client, ids) => {
    await pool(chunk(ids, 25), 4, (ids25) =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: ids25.map((id) => ({
            Put: { TableName: TABLE, Item: item(id), ConditionExpression: 'attribute_not_exists(id)' },
          })),
        }),
      ),
    );
    return ids.length;
  },
};

const engine = await startEngineProcess();
const client = new DynamoDBClient({
  endpoint: engine.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const rates = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
const problems = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(variants)) {
      if (problems[name]) continue;
      const ids = Array.from({ length: ITEMS }, (_, i) => `bw-${round}-${name.length}-${i}`);
      const started = performance.now();
      try {
        const written = await run(client, ids);
        if (written !== ITEMS) throw new Error(`wrote ${written} of ${ITEMS}`);
        rates[name].push(ITEMS / ((performance.now() - started) / 1000));
      } catch (error) {
        problems[name] = reason(error);
      }
      process.stderr.write(
        `round ${round + 1} ${name}: ${problems[name] ?? `${Math.round(rates[name].at(-1))} rows/s`}\n`,
      );
    }
  }
} finally {
  client.destroy();
  await engine.stop();
}

const putRate = median(rates['conditional PutItem, 16 in flight'] ?? [0]);
const rows = Object.keys(variants).map((name) => {
  const rate = rates[name].length ? median(rates[name]) : 0;
  const figure = `${Math.round(rate).toLocaleString('en-US')} rows/s`;
  if (name.startsWith('TransactWriteItems') && problems[name])
    return row(name, 'not served', 'measured where the engine serves it', true);
  if (name.startsWith('conditional')) return row(name, figure, 'the baseline', rate > 0, problems[name]);
  return row(name, figure, `beside the baseline (${(rate / putRate).toFixed(1)}x)`, rate > 0, problems[name]);
});
finish(
  `batch writes: ${ITEMS.toLocaleString('en-US')} new items per variant, median of ${ROUNDS} rounds, on dynalite`,
  rows,
);
