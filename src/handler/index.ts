/** The Lambda entry point: `index.handler` in the deployed bundle. */
import { randomUUID } from 'node:crypto';
import { CORS_ORIGINS_ENV, corsOriginsFromEnv } from '../contract/cors.js';
import { createHandler, type HandlerDeps } from './create-handler.js';
import { createDynamoClient } from './dynamo-client/client.js';

/**
 * Dependencies from the environment: `TABLE_NAME`, `CORS_ALLOWED_ORIGINS`, and the SDK's own endpoint, region and credential variables
 * (read on the first call), so the same bundle runs against a local engine.
 */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): HandlerDeps {
  return {
    client: createDynamoClient(),
    tableName: env.TABLE_NAME ?? 'product',
    log: (line) => process.stdout.write(`${line}\n`),
    now: () => new Date(),
    newId: () => randomUUID(),
    corsOrigins: corsOriginsFromEnv(env[CORS_ORIGINS_ENV]),
  };
}

export const handler = createHandler(defaultDeps());
export { createHandler } from './create-handler.js';
