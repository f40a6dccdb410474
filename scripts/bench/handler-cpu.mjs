// The handler's CPU cost per request, beside the floor for a JavaScript client: the same DynamoDB call made as a
// minimal signed HTTP request (node:http, a keep-alive agent, @smithy/signature-v4, JSON.parse of the answer).
// The engine runs in a process of its own, so process.cpuUsage() counts only this process: the handler (or
// the floor's few lines) and its client. Rounds of each alternate; medians are reported.
import { Agent, request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';

/** CPU µs per call of `call(i)` over `count` calls, `concurrency` at a time; `check` must hold for each result. */
export async function cpuPerCall(call, check, { count, concurrency }) {
  let next = 0;
  let ok = 0;
  let sample;
  const failures = new Map();
  const worker = async () => {
    while (next < count) {
      const result = await call(next++);
      const verdict = check(result);
      if (verdict === true) {
        ok += 1;
        sample ??= result;
      } else failures.set(verdict, (failures.get(verdict) ?? 0) + 1);
    }
  };
  const before = process.cpuUsage();
  const wallStarted = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - wallStarted;
  const used = process.cpuUsage(before);
  return { micros: (used.user + used.system) / count, ok, count, failures: [...failures].map(([k, v]) => `${v}x ${k}`), sample, perSecond: count / (wallMs / 1000) };
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
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}`, 'content-length': String(Buffer.byteLength(body)) },
      body,
    });
    return new Promise((resolve, reject) => {
      const req = request({ agent, host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        res.on('error', reject);
      });
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
    requestContext: { stage: 'prod', requestId: 'bench', path: `/prod${path}`, resourcePath: resource, httpMethod: method },
    body: body ? JSON.stringify(body) : null,
    isBase64Encoded: false,
  };
}

export const SEEDED = 100;
export const PAGE = 50;
const seededId = (i) => `p${i % SEEDED}`;
const item = (i) => ({ id: { S: seededId(i) }, title: { S: `Product ${i}` }, description: { S: `Seeded product ${i}` }, price: { N: String(i) }, createdAt: { S: '2026-01-01T00:00:00.000Z' }, updatedAt: { S: '2026-01-01T00:00:00.000Z' }, version: { N: '1' } });

/** Puts the seeded products (ids p0…p99) into the engine's table with the floor's caller. */
export async function seed(caller) {
  for (let i = 0; i < SEEDED; i++) {
    const { status } = await caller('PutItem', { TableName: 'product', Item: item(i) });
    if (status !== 200) throw new Error(`seeding answered ${status}`);
  }
}

/** The four floor calls, each the DynamoDB call the handler makes for its route. */
export function floorCalls(caller, run) {
  const ok200 = (r) => r.status === 200 || `HTTP ${r.status} ${r.body?.__type ?? ''}`;
  return {
    GetItem: [(i) => caller('GetItem', { TableName: 'product', Key: { id: { S: seededId(i) } }, ConsistentRead: true }), (r) => (ok200(r) === true ? (r.body.Item ? true : 'no Item') : ok200(r))],
    PutItem: [(i) => caller('PutItem', { TableName: 'product', Item: { ...item(i), id: { S: `f${run}-${i}` } }, ConditionExpression: 'attribute_not_exists(id)' }), ok200],
    UpdateItem: [
      (i) =>
        caller('UpdateItem', {
          TableName: 'product',
          Key: { id: { S: seededId(i) } },
          UpdateExpression: 'SET #version = #version + :one, #updatedAt = :updatedAt, #price = :price',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeNames: { '#version': 'version', '#updatedAt': 'updatedAt', '#price': 'price' },
          ExpressionAttributeValues: { ':one': { N: '1' }, ':updatedAt': { S: new Date().toISOString() }, ':price': { N: String(i) } },
          ReturnValues: 'ALL_NEW',
        }),
      (r) => (ok200(r) === true ? (r.body.Attributes ? true : 'no Attributes') : ok200(r)),
    ],
    Scan: [(i) => caller('Scan', { TableName: 'product', Limit: PAGE }), (r) => (ok200(r) === true ? (r.body.Items?.length === PAGE ? true : `${r.body.Items?.length} items`) : ok200(r))],
  };
}

/** The handler's four routes, each checked for the status and body it must answer. */
export function handlerCalls(handler, run) {
  const want = (status, test) => (r) => (r.statusCode !== status ? `status ${r.statusCode}` : test(JSON.parse(r.body)) ? true : 'unexpected body');
  return {
    GET: [(i) => handler(proxyEvent('GET', '/product/{id}', { id: seededId(i) })), want(200, (b) => b.id?.startsWith('p'))],
    POST: [(i) => handler(proxyEvent('POST', '/product', { body: { id: `h${run}-${i}`, title: `New ${i}`, price: i } })), want(201, (b) => b.version === 1)],
    PATCH: [(i) => handler(proxyEvent('PATCH', '/product/{id}', { id: seededId(i), body: { price: i } })), want(200, (b) => b.version >= 2)],
    'list page': [(i) => handler(proxyEvent('GET', '/product', { query: { limit: String(PAGE) } })), want(200, (b) => b.items?.length === PAGE)],
  };
}

/** The pairs compared: each handler route beside the DynamoDB call it makes. */
export const PAIRS = [
  ['GET', 'GetItem'],
  ['POST', 'PutItem'],
  ['PATCH', 'UpdateItem'],
  ['list page', 'Scan'],
];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Imports the handler from `entry` (the unpacked artifact) against an engine in its own process and measures
 * CPU µs per request of each route and of its floor, `rounds` alternating rounds of `count` calls each.
 * `extra` adds more callers to measure in the same rounds: { name: [call, check] }.
 */
export async function measureHandlerCpu({ entry, startEngine, rounds = 5, count = 1500, concurrency = 16, extra = () => ({}) }) {
  const engine = await startEngine();
  const caller = signedCaller(engine.endpoint);
  const saved = { ...process.env };
  const writeStdout = process.stdout.write;
  try {
    await seed(caller);
    Object.assign(process.env, {
      TABLE_NAME: 'product',
      AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    delete process.env.AWS_SESSION_TOKEN;
    const { handler } = await import(entry);
    const extras = await extra(engine.endpoint);
    const samples = {};
    const micros = {};
    const failures = {};
    let perSecond = [];
    for (let run = 0; run <= rounds; run++) {
      const calls = { ...floorCalls(caller, run), ...extras };
      process.stdout.write = () => true; // the handler's request log lines
      let handlerResults;
      try {
        handlerResults = [];
        for (const [name, [call, check]] of Object.entries(handlerCalls(handler, run))) handlerResults.push([name, await cpuPerCall(call, check, { count, concurrency })]);
      } finally {
        process.stdout.write = writeStdout;
      }
      const floorResults = [];
      for (const [name, [call, check]] of Object.entries(calls)) floorResults.push([name, await cpuPerCall(call, check, { count, concurrency })]);
      if (run === 0) continue; // warm-up
      for (const [name, result] of [...handlerResults, ...floorResults]) {
        (micros[name] ??= []).push(result.micros);
        samples[name] ??= result.sample;
        failures[name] = (failures[name] ?? 0) + (result.count - result.ok);
        if (result.failures.length) (failures[`${name} why`] ??= []).push(...result.failures);
        if (name === 'GET') perSecond.push(result.perSecond);
      }
    }
    return {
      rounds,
      count,
      concurrency,
      micros: Object.fromEntries(Object.entries(micros).map(([k, v]) => [k, median(v)])),
      allMicros: micros,
      failures,
      samples,
      getPerSecond: median(perSecond),
    };
  } finally {
    process.stdout.write = writeStdout;
    process.env = saved;
    caller.close();
    await engine.stop();
  }
}
