// Local throughput: GET /product/{id} through the local gateway at 16 concurrent connections, against the same
// GetItem sent straight to the same engine, in the same run. The stack runs in its own process, as
// `setup --local` runs it; the load comes from this process over keep-alive connections.
//
// "The same GetItem" is measured two ways, both printed:
// - with the SDK's document client, exactly the call the function makes for this request (the goal: the
//   gateway reaches at least 80% of it);
// - as raw HTTP with a pre-built body (undici Pool), the engine's own ceiling with no client cost at all.
// Short rounds of each alternate, so that load from other processes falls on both alike; medians are printed.
//
//   npm run bench:local [-- --seconds 2 --connections 16 --rounds 7] [-- --logs]
// --logs has the stack write its request log as `setup --local` does (here to /dev/null); off by default.
// Needs `npm run build` first (it runs build/local/serve.js and dist/handler.zip).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '7' },
    logs: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);

const serveJs = join(root, 'build', 'local', 'serve.js');
if (!existsSync(serveJs) || !existsSync(join(root, 'dist', 'handler.zip'))) {
  console.error('bench-local: run `npm run build` first');
  process.exit(2);
}

/** Starts the stack in a child process with throttling off (the bench measures capacity, not the stage limit). */
function startStack() {
  const options = { port: 0, throttle: null, quiet: !values.logs };
  const child = spawn(process.execPath, [serveJs, JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      if (message.type === 'ready') resolve({ child, ...message });
      else reject(new Error(message.message));
    });
    child.once('exit', (code) => reject(new Error(`the stack exited with code ${code}`)));
  });
}

/** Sends requests over `connections` keep-alive connections for `seconds`; returns requests per second. */
async function load(origin, request, check, duration = seconds) {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const deadline = performance.now() + duration * 1000;
  let done = 0;
  let failed = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const { statusCode, body } = await pool.request(request);
      const text = await body.text();
      if (check(statusCode, text)) done += 1;
      else failed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  if (failed > 0) throw new Error(`${failed} requests got an unexpected answer`);
  return done / elapsed;
}

const stack = await startStack();
const id = 'bench-1';
const product = { id, title: 'IPhone', description: 'This is an IPhone', price: 900 };
const created = await fetch(`${stack.url}/product`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(product),
});
if (created.status !== 201) throw new Error(`creating the product answered ${created.status}`);

const gatewayUrl = new URL(stack.url);
const viaGateway = (duration) =>
  load(
    gatewayUrl.origin,
    { method: 'GET', path: `${gatewayUrl.pathname}/product/${id}` },
    (status, text) => status === 200 && text.includes('"IPhone"'),
    duration,
  );
const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
const direct = (duration) =>
  load(
    stack.dynamodbEndpoint,
    {
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.GetItem',
        'x-amz-date': amzDate,
        // The engine checks the Authorization header's form, not the signature.
        authorization: `AWS4-HMAC-SHA256 Credential=local/${amzDate.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00`,
      },
      body: JSON.stringify({ TableName: 'product', Key: { id: { S: id } } }),
    },
    (status, text) => status === 200 && text.includes('"IPhone"'),
    duration,
  );

// The same GetItem the handler sends (document client, consistent read), from a client in this process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, GetCommand } = await import('@aws-sdk/lib-dynamodb');
const sdk = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
);
async function directSdk(duration = seconds) {
  const deadline = performance.now() + duration * 1000;
  let done = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const { Item } = await sdk.send(new GetCommand({ TableName: 'product', Key: { id }, ConsistentRead: true }));
      if (Item?.title !== 'IPhone') throw new Error('GetItem returned the wrong item');
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, loop));
  return done / ((performance.now() - started) / 1000);
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const rates = { gateway: [], sdk: [], raw: [] };
try {
  // A short warm-up of every path, then alternating rounds so that none profits from running later.
  await viaGateway(1);
  await directSdk(1);
  await direct(1);
  for (let round = 0; round < rounds; round += 1) {
    rates.sdk.push(await directSdk());
    rates.gateway.push(await viaGateway());
    rates.raw.push(await direct());
  }
  const line = (label, list) => `  ${label}${median(list).toFixed(0).padStart(7)} req/s   (rounds: ${list.map((r) => r.toFixed(0)).join(', ')})`;
  console.log(`${connections} concurrent connections, ${rounds} rounds of ${seconds} s, medians:`);
  console.log(line('GET /product/{id} via the gateway        ', rates.gateway));
  console.log(line('GetItem straight to the engine, SDK client', rates.sdk));
  console.log(line('GetItem straight to the engine, raw HTTP  ', rates.raw));
  console.log(`  gateway / SDK GetItem: ${((median(rates.gateway) / median(rates.sdk)) * 100).toFixed(1)}%  (goal: at least 80%)`);
  console.log(`  gateway / raw GetItem: ${((median(rates.gateway) / median(rates.raw)) * 100).toFixed(1)}%  (the engine's own ceiling, for reference)`);
} finally {
  sdk.destroy();
  stack.child.kill('SIGTERM');
}
