/** Names and numbers that AWS provisioning and the local stack must agree on. */
import { createRequire } from 'node:module';

export const DEFAULT_TABLE_NAME = 'product';
export const DEFAULT_FUNCTION_NAME = 'productFunction';
export const DEFAULT_API_NAME = 'productApi';
export const DEFAULT_STAGE = 'prod';

/** Log retention values CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Stage throttling, set on AWS with UpdateStage and enforced by the local gateway's token bucket. A public,
 * unauthenticated API is throttled well below the account default (10,000/s) so that a runaway client cannot
 * run up a bill.
 */
export const DEFAULT_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/** The function's timeout, in seconds, on AWS and in the local stack. */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 10;

/** API Gateway's integration timeout for REST APIs. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

/** Where the CLI keeps its state and local data, relative to the working directory. */
export const STATE_DIR = '.products-cli';

/** products-cli's own version, from its package.json (one folder above both src/ and build/). */
export const PRODUCT_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;

/**
 * Above this share of failed invocations the canary is rolled back: Errors counts invocations that failed in the
 * function (an exception, a timeout, running out of memory), not the 4xx answers the handler returns, so the
 * version in service normally has none; 1% leaves room for a rare timeout of a slow dependency, and no more.
 */
export const DEFAULT_MAX_ERROR_RATE = 0.01;
