/** A handler wired to a real engine, with its log lines captured and helpers to read responses. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createHandler, type ProxyHandler } from '../../src/handler/create-handler.js';
import type { TestEngine } from './dynamo-engine.js';

export interface Harness {
  handler: ProxyHandler;
  logs: string[];
}

let counter = 0;

/** Builds a handler over the engine's table, with a deterministic id generator. */
export function harness(engine: TestEngine): Harness {
  const logs: string[] = [];
  const handler = createHandler({
    client: engine.itemClient,
    tableName: engine.tableName,
    log: (line) => logs.push(line),
    now: () => new Date(),
    newId: () => `generated-${++counter}`,
  });
  return { handler, logs };
}

/** The response body parsed as JSON. */
export function bodyOf<T = Record<string, any>>(result: APIGatewayProxyResult): T {
  return JSON.parse(result.body) as T;
}
