/** The Lambda entry point: `index.handler` in the deployed bundle. */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHandler, type HandlerDeps } from './create-handler.js';

/** Dependencies from the environment: `TABLE_NAME`, and the SDK's own endpoint and region variables. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): HandlerDeps {
  // The SDK client reads AWS_ENDPOINT_URL_DYNAMODB itself, so the same bundle runs against a local engine.
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    client,
    tableName: env.TABLE_NAME ?? 'product',
    log: (line) => process.stdout.write(`${line}\n`),
    now: () => new Date(),
    newId: () => randomUUID(),
  };
}

export const handler = createHandler(defaultDeps());
export { createHandler } from './create-handler.js';
