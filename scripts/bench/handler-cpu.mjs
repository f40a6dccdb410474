// The handler's CPU cost per request, beside the floor for a JavaScript client: the same DynamoDB call made as a
// minimal signed HTTP request (node:http, a keep-alive agent, @smithy/signature-v4, JSON.parse of the answer).
// The engine runs in a process of its own, so process.cpuUsage() counts only this process: the handler (or
// the floor's few lines) and its client. Rounds of each alternate; medians are reported.
import { Agent, request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';
import { median, tally } from './figures.mjs';

/** CPU µs per call of `call(i)` over `count` calls, `concurrency` at a time; `check` says of each result true or why not. */
export async function cpuPerCall(call, check, { count, concurrency }) {
  let next = 0;
  let sample;
  const answers = tally();
  const worker = async () => {
    while (next < count) {
      const result = await call(next++);
      const verdict = check(result);
      answers.record(verdict);
      if (verdict === true) sample ??= result;
    }
  };
  const before = process.cpuUsage();
  const wallStarted = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - wallStarted;
  const used = process.cpuUsage(before);
  return { micros: (used.user + used.system) / count, answers, sample, perSecond: count / (wallMs / 1000) };
}

/** The floor: one signed DynamoDB JSON call over node:http, answer parsed. */
export function signedCaller(endpoint) {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const signer = new SignatureV4({
    service: 'dynamodb',
    region: 'us-east-1',
    sha256: Hash.bind(null, 'sha256'),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const call = async (target, payload) => {
    const body = JSON.stringify(payload);
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${target}`,
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
    return new Promise((resolve, reject) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  call.close = () => agent.destroy();
  return call;
}

/** A REST proxy event as API Gateway sends it, for the handler. */
export function proxyEvent(method, resource, { id, body, query } = {}) {
  const path = id ? `/product/${id}` : '/product';
  return {
    resource,
    path,
    httpMethod: method,
    headers: body ? { 'Content-Type': 'application/json' } : null,
    multiValueHeaders: body ? { 'Content-Type': ['application/json'] } : null,
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: id ? { id } : null,
    stageVariables: null,
    requestContext: {
      stage: 'prod',
      requestId: 'bench',
      path: `/prod${path}`,
      resourcePath: resource,
      httpMethod: method,
    },
    body: body ? JSON.stringify(body) : null,
    isBase64Encoded: false,
  };
}

export const SEEDED = 100;
export const PAGE = 50;
const seededId = (i) => `p${i % SEEDED}`;
const item = (i) => ({
  id: { S: seededId(i) },
  title: { S: `Product ${i}` },
  description: { S: `Seeded product ${i}` },
  price: { N: String(i) },
  createdAt: { S: '2026-01-01T00:00:00.000Z' },
  updatedAt: { S: '2026-01-01T00:00:00.000Z' },
  version: { N: '1' },
});

/** Puts `count` seeded products (ids p0…, default the SEEDED used by the calls) into the engine's table with the floor's caller. */
export async function seed(caller, count = SEEDED) {
  for (let i = 0; i < count; i++) {
    const { status } = await caller('PutItem', { TableName: 'product', Item: { ...item(i), id: { S: `p${i}` } } });
    if (status !== 200) throw new Error(`seeding answered ${status}`);
  }
}

/** The four floor calls, each the DynamoDB call the handler makes for its route. */
export function floorCalls(caller, run) {
  const ok200 = (r) => r.status === 200 || `HTTP ${r.status} ${r.body?.__type ?? ''}`;
  return {
    GetItem: [
      (i) => caller('GetItem', { TableName: 'product', Key: { id: { S: seededId(i) } }, ConsistentRead: true }),
      (r) => (ok200(r) === true ? (r.body.Item ? true : 'no Item') : ok200(r)),
    ],
    PutItem: [
      (i) =>
        caller('PutItem', {
          TableName: 'product',
          Item: { ...item(i), id: { S: `f${run}-${i}` } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ok200,
    ],
    UpdateItem: [
      (i) =>
        caller('UpdateItem', {
          TableName: 'product',
          Key: { id: { S: seededId(i) } },
          UpdateExpression: 'SET #version = #version + :one, #updatedAt = :updatedAt, #price = :price',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeNames: { '#version': 'version', '#updatedAt': 'updatedAt', '#price': 'price' },
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':updatedAt': { S: new Date().toISOString() },
            ':price': { N: String(i) },
          },
          ReturnValues: 'ALL_NEW',
        }),
      (r) => (ok200(r) === true ? (r.body.Attributes ? true : 'no Attributes') : ok200(r)),
    ],
    Scan: [
      () => caller('Scan', { TableName: 'product', Limit: PAGE }),
      (r) => (ok200(r) === true ? (r.body.Items?.length === PAGE ? true : `${r.body.Items?.length} items`) : ok200(r)),
    ],
  };
}

/** The handler's four routes, each checked for the status and body it must answer. */
export function handlerCalls(handler, run) {
  const want = (status, test) => (r) =>
    r.statusCode !== status ? `status ${r.statusCode}` : test(JSON.parse(r.body)) ? true : 'unexpected body';
  return {
    GET: [
      (i) => handler(proxyEvent('GET', '/product/{id}', { id: seededId(i) })),
      want(200, (b) => b.id?.startsWith('p')),
    ],
    POST: [
      (i) => handler(proxyEvent('POST', '/product', { body: { id: `h${run}-${i}`, title: `New ${i}`, price: i } })),
      want(201, (b) => b.version === 1),
    ],
    PATCH: [
      (i) => handler(proxyEvent('PATCH', '/product/{id}', { id: seededId(i), body: { price: i } })),
      want(200, (b) => b.version >= 2),
    ],
    'list page': [
      () => handler(proxyEvent('GET', '/product', { query: { limit: String(PAGE) } })),
      want(200, (b) => b.items?.length === PAGE),
    ],
  };
}

/** The pairs compared: each handler route beside the DynamoDB call it makes. */
export const PAIRS = [
  ['GET', 'GetItem'],
  ['POST', 'PutItem'],
  ['PATCH', 'UpdateItem'],
  ['list page', 'Scan'],
];

/**
 * Imports the handler from `entry` (the unpacked artifact) against an engine in its own process and measures
 * CPU µs per request of each route and of its floor: a warm-up round, then `rounds` alternating rounds of
 * `count` calls each, `concurrency` at a time. Returns per figure the median µs, the rate, a tally of the
 * answers and one sample answer.
 */
export async function measureHandlerCpu({ entry, startEngine, rounds = 5, count = 1500, concurrency = 16 }) {
  const engine = await startEngine();
  const caller = signedCaller(engine.endpoint);
  const saved = { ...process.env };
  const writeStdout = process.stdout.write;
  const figures = {};
  try {
    await seed(caller);
    Object.assign(process.env, {
      TABLE_NAME: 'product',
      AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    delete process.env.AWS_SESSION_TOKEN;
    const { handler } = await import(entry);
    for (let run = 0; run <= rounds; run++) {
      const measured = [];
      process.stdout.write = () => true; // the handler's request log lines
      try {
        for (const [name, [call, check]] of Object.entries(handlerCalls(handler, run)))
          measured.push([name, await cpuPerCall(call, check, { count, concurrency })]);
      } finally {
        process.stdout.write = writeStdout;
      }
      for (const [name, [call, check]] of Object.entries(floorCalls(caller, run)))
        measured.push([name, await cpuPerCall(call, check, { count, concurrency })]);
      for (const [name, result] of measured) {
        const figure = (figures[name] ??= { micros: [], perSecond: [], answers: tally(), sample: undefined });
        figure.answers.merge(result.answers);
        figure.sample ??= result.sample;
        if (run === 0) continue; // the warm-up round counts for the checks, not for the figures
        figure.micros.push(result.micros);
        figure.perSecond.push(result.perSecond);
      }
    }
    const minimum = (rounds + 1) * count;
    return Object.fromEntries(
      Object.entries(figures).map(([name, f]) => [
        name,
        {
          micros: median(f.micros),
          perSecond: median(f.perSecond),
          rounds: f.micros,
          problem: f.answers.problem(minimum),
          sample: f.sample,
        },
      ]),
    );
  } finally {
    process.stdout.write = writeStdout;
    process.env = saved;
    caller.close();
    await engine.stop();
  }
}
