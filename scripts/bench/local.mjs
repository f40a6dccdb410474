// Local throughput: GET /product/{id} through the local gateway at 16 concurrent connections, beside what bounds
// it, all against the same engine in the same run. The stack runs in its own process, as `setup --local` runs
// it; the load comes from this process over keep-alive connections. Printed beside the gateway's figure:
// - the engine's floor: GetItem as raw HTTP with a pre-built body (undici Pool), no client cost at all;
// - the function's own call: the same GetItem through the handler's DynamoDB client, from this process, at as
//   many in flight as the stack has execution environments (each serves one event, so one GetItem, at a time:
//   the like-for-like floor for the gateway) and at --connections in flight (what the engine takes at most);
// - the handler's in-process rate: the artifact's handler called directly in this process for GET /product/{id}.
// Short rounds of each alternate, so that load from other processes falls on all alike; medians are printed.
// Every answer is checked (status 200 and the product); a figure with any other answer, or fewer than
// --min successes a round, is MISS and the script exits 1.
//
//   npm run bench:local [-- --seconds 2 --connections 16 --rounds 7 --min 200 --concurrency N --json] [-- --logs]
// --concurrency N: the function's execution environments (default: the stack's own default).
// --logs has the stack write its request log as `setup --local` does (here to /dev/null); off by default.
// Needs `npm run build` first (it runs build/local/serve.js and dist/handler.zip).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { finish, median, reason, row, tally } from './figures.mjs';
import { proxyEvent } from './handler-cpu.mjs';
import { undiciLoad } from './http-load.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '7' },
    logs: { type: 'boolean', default: false },
    min: { type: 'string', default: '200' },
    // The function's execution environments; default the stack's own (as `setup --local` runs it).
    concurrency: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const minimum = Number(values.min);
const functionConcurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);

const serveJs = join(root, 'build', 'local', 'serve.js');
if (!existsSync(serveJs) || !existsSync(join(root, 'dist', 'handler.zip'))) {
  console.error('bench-local: run `npm run build` first');
  process.exit(2);
}
// The stack's own default pool size, read from the runtime itself.
const { defaultConcurrency } = await import(pathToFileURL(join(root, 'build', 'local', 'lambda-runtime.js')).href);
const environments = functionConcurrency ?? defaultConcurrency();

/** Starts the stack in a child process with throttling off (the bench measures capacity, not the stage limit). */
function startStack(concurrency = functionConcurrency) {
  const options = { port: 0, throttle: null, quiet: !values.logs, ...(concurrency ? { concurrency } : {}) };
  const child = spawn(process.execPath, [serveJs, JSON.stringify(options)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      if (message.type === 'ready') resolve({ child, ...message });
      else reject(new Error(message.message));
    });
    child.once('exit', (code) => reject(new Error(`the stack exited with code ${code}`)));
  });
}

/** Sends `request` over `connections` keep-alive connections for `duration` s; returns the rate and a tally. */
const load = (origin, request, check, duration = seconds) =>
  undiciLoad(origin, { seconds: duration, connections, request: () => request, check });

const isProduct = (status, text) =>
  status !== 200 ? `status ${status}` : text.includes('"IPhone"') ? true : 'not the product';

const stack = await startStack();
// The same stack with a single execution environment, beside it: what the function pool adds on this machine.
const single = await startStack(1);
const id = 'bench-1';
const product = { id, title: 'IPhone', description: 'This is an IPhone', price: 900 };
for (const each of [stack, single]) {
  const created = await fetch(`${each.url}/product`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(product),
  });
  if (created.status !== 201) throw new Error(`creating the product answered ${created.status}`);
}

const viaGatewayOf = (url) => (duration) =>
  load(url.origin, { method: 'GET', path: `${url.pathname}/product/${id}` }, isProduct, duration);
const viaGateway = viaGatewayOf(new URL(stack.url));
const viaSingle = viaGatewayOf(new URL(single.url));
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
    isProduct,
    duration,
  );

// The same GetItem the function sends (its own client, consistent read), from this process.
const { createDynamoClient } = await import(
  pathToFileURL(join(root, 'build', 'handler', 'dynamo-client', 'client.js')).href
);
const client = createDynamoClient({
  target: { url: new URL(stack.dynamodbEndpoint), region: 'us-east-1' },
  credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
});
async function directClient(duration = seconds, inFlight = connections) {
  const deadline = performance.now() + duration * 1000;
  const answers = tally();
  const loop = async () => {
    while (performance.now() < deadline) {
      const verdict = await client.getItem({ TableName: 'product', Key: { id }, ConsistentRead: true }).then(
        ({ Item }) => (Item?.title === 'IPhone' ? true : 'not the product'),
        (error) => error.name,
      );
      answers.record(verdict);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, loop));
  return { rate: answers.ok / ((performance.now() - started) / 1000), answers };
}
const directClientAsPool = (duration) => directClient(duration, environments);

// The artifact's handler, called in this process against the stack's engine: the function's cost alone.
const { unpackHandler } = await import(pathToFileURL(join(root, 'build', 'local', 'handler-code.js')).href);
Object.assign(process.env, {
  TABLE_NAME: 'product',
  AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbEndpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});
delete process.env.AWS_SESSION_TOKEN;
const code = await unpackHandler(join(root, 'dist', 'handler.zip'));
const { handler } = await import(pathToFileURL(code.entry).href);
const getEvent = proxyEvent('GET', '/product/{id}', { id });
async function inProcess(duration = seconds) {
  const write = process.stdout.write;
  process.stdout.write = () => true; // the handler's request log lines
  try {
    const answers = tally();
    const deadline = performance.now() + duration * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          const result = await handler(getEvent);
          answers.record(isProduct(result.statusCode, result.body));
        }
      }),
    );
    return { rate: answers.ok / ((performance.now() - started) / 1000), answers };
  } finally {
    process.stdout.write = write;
  }
}

const paths = {
  gateway: viaGateway,
  single: viaSingle,
  raw: direct,
  client: directClient,
  clientPool: directClientAsPool,
  handler: inProcess,
};
const rates = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
const answers = Object.fromEntries(Object.keys(paths).map((name) => [name, tally()]));
const samples = {};
let rows;
try {
  // A short warm-up of every path, then alternating rounds so that none profits from running later.
  for (const run of Object.values(paths)) await run(1);
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of Object.entries(paths)) {
      const result = await run();
      rates[name].push(result.rate);
      answers[name].merge(result.answers);
      samples[name] ??= result.sample;
    }
  }
  const least = minimum * rounds;
  const problems = Object.fromEntries(Object.entries(answers).map(([name, t]) => [name, t.problem(least)]));
  const rate = (name) => `${median(rates[name]).toFixed(0)} req/s`;
  const asserted = `all 200 with the product, >= ${least}`;
  const share = (a, b) => (median(rates[a]) / median(rates[b])) * 100;
  rows = [
    row(
      `GET /product/{id} via the local gateway (${connections} conn)`,
      rate('gateway'),
      asserted,
      true,
      problems.gateway,
    ),
    row(
      `GET /product/{id} via the local gateway, 1 function environment`,
      rate('single'),
      asserted,
      true,
      problems.single,
    ),
    row(`GetItem straight to the engine, raw HTTP: the engine's floor`, rate('raw'), asserted, true, problems.raw),
    row(
      `GetItem straight to the engine, the function's client (${connections} in flight)`,
      rate('client'),
      asserted,
      true,
      problems.client,
    ),
    row(
      `GetItem straight to the engine, the function's client (${environments} in flight, one per environment)`,
      rate('clientPool'),
      asserted,
      true,
      problems.clientPool,
    ),
    row(
      `handler in this process, GET /product/{id} (${connections} concurrent)`,
      rate('handler'),
      asserted,
      true,
      problems.handler,
    ),
    row(
      `  function pool (${functionConcurrency ?? 'default'}) / 1 environment`,
      `${share('gateway', 'single').toFixed(1)}%`,
      'none: whether the pool helps here',
      true,
      problems.gateway ?? problems.single,
    ),
    // Not a floor for the gateway: these GetItems share one thread and its event-loop turns, while each
    // environment runs its event alone in its own thread and pays every wake-up itself (the handler alone costs
    // about twice the CPU per request at one in flight as at 16). The peers bench holds the gateway to a goal.
    row(
      `  gateway / the function's GetItem at ${environments} in flight`,
      `${share('gateway', 'clientPool').toFixed(1)}%`,
      'none: where the time goes',
      true,
      problems.gateway ?? problems.clientPool,
    ),
    row(
      `  gateway / the function's GetItem at ${connections} in flight`,
      `${share('gateway', 'client').toFixed(1)}%`,
      'none: what the pool leaves of the engine',
      true,
      problems.gateway ?? problems.client,
    ),
    row(
      '  gateway / handler in-process',
      `${share('gateway', 'handler').toFixed(1)}%`,
      'none: where the time goes',
      true,
      problems.gateway ?? problems.handler,
    ),
    row(
      '  gateway / engine floor',
      `${share('gateway', 'raw').toFixed(1)}%`,
      'none: where the time goes',
      true,
      problems.gateway ?? problems.raw,
    ),
  ];
  if (!values.json) {
    console.log(`sample answer via the gateway: ${samples.gateway}`);
    for (const [name, list] of Object.entries(rates))
      console.log(`rounds, ${name}: ${list.map((r) => r.toFixed(0)).join(', ')} req/s`);
  }
} catch (error) {
  rows = [row('GET /product/{id} via the local gateway', '', 'a run that completes', false, reason(error))];
} finally {
  client.destroy();
  stack.child.kill('SIGTERM');
  single.child.kill('SIGTERM');
}
finish(
  `local stack, ${connections} concurrent connections, ${environments} function environments${functionConcurrency ? '' : ' (the default)'}, ${rounds} rounds of ${seconds} s, medians`,
  rows,
  { rates },
);
