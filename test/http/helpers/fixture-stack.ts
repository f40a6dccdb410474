/**
 * A small stand-in for the local stack: a real HTTP server that turns requests into REST proxy events for the
 * handler over a real dynalite engine, and answers as API Gateway does for unknown routes (403).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchResource } from '../../../src/contract/index.js';
import { startTestEngine, type TestEngine } from '../../helpers/dynamo-engine.js';
import { harness } from '../../helpers/handler-harness.js';
import { proxyEvent } from '../../helpers/proxy-event.js';

export interface FixtureStack {
  url: string;
  port: number;
  dynamodbEndpoint: string;
  engine: TestEngine;
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
}

/** Starts the engine, the table and the server on a free port; stage `prod`. */
export async function startFixtureStack(stage = 'prod'): Promise<FixtureStack> {
  const engine = await startTestEngine();
  const { handler } = harness(engine);
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    const prefix = `/${stage}`;
    const path = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : undefined;
    const match = path === undefined ? undefined : matchResource(path);
    const method = request.method ?? 'GET';
    if (!match || !match.methods.includes(method as never)) {
      response.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Missing Authentication Token"}');
      return;
    }
    const query: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
    const event = proxyEvent(method, match.resource, {
      pathParameters: match.pathParameters ?? undefined,
      query: Object.keys(query).length > 0 ? query : undefined,
      headers,
      body: body ?? undefined,
      stage,
    });
    if (body === undefined) event.body = null;
    const result = await handler(event);
    response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/${stage}`,
    port,
    dynamodbEndpoint: engine.endpoint,
    engine,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.stop();
    },
  };
}
