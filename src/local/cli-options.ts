/** The command-line options of `setup --local` and `local`, checked and turned into stack options. */
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS, DEFAULT_INTEGRATION_TIMEOUT_MS, DEFAULT_STAGE, DEFAULT_THROTTLE } from '../defaults.js';
import { UsageError } from '../errors.js';
import { DEFAULT_LOCAL_PORT, isValidStage, type LocalStackOptions } from './stack.js';

/** As commander hands them over: strings, or absent. */
export interface LocalCliOptions {
  port?: string | number;
  stage?: string;
  rateLimit?: string | number;
  burstLimit?: string | number;
  /** The function's timeout in seconds. */
  timeout?: string | number;
  /** The gateway's integration timeout in seconds. */
  integrationTimeout?: string | number;
  dynamodbEndpoint?: string;
  json?: boolean;
}

export type CheckedLocalOptions = Required<Pick<LocalStackOptions, 'port' | 'stage' | 'timeoutMs' | 'functionTimeoutMs'>> & {
  throttle: { rateLimit: number; burstLimit: number };
  dynamodbEndpoint?: string;
};

function number(value: string | number, flag: string, check: (n: number) => boolean, rule: string): number {
  const parsed = typeof value === 'number' ? value : /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed) || !check(parsed)) throw new UsageError(`${flag} must be ${rule}, not "${value}"`);
  return parsed;
}

/** The stack options for checked flags; the embedded engine keeps its data in `dataDir`, or in memory without one. */
export function toStackOptions(options: CheckedLocalOptions, dataDir: string | undefined): LocalStackOptions {
  return {
    port: options.port,
    stage: options.stage,
    timeoutMs: options.timeoutMs,
    functionTimeoutMs: options.functionTimeoutMs,
    throttle: options.throttle,
    ...(dataDir ? { dataDir } : {}),
    ...(options.dynamodbEndpoint ? { dynamodbEndpoint: options.dynamodbEndpoint } : {}),
  };
}

/** Checks the flags; each bad value is a one-line usage error naming its flag. */
export function checkLocalOptions(opts: LocalCliOptions): CheckedLocalOptions {
  const port = opts.port === undefined ? DEFAULT_LOCAL_PORT : number(opts.port, '--port', (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number from 0 (any free port) to 65535');
  const stage = opts.stage ?? DEFAULT_STAGE;
  if (!isValidStage(stage)) throw new UsageError(`--stage must be 1 to 128 letters, digits, - or _, not "${stage}"`);
  const rateLimit = opts.rateLimit === undefined ? DEFAULT_THROTTLE.rateLimit : number(opts.rateLimit, '--rate-limit', (n) => n > 0, 'a number of requests per second above 0');
  const burstLimit = opts.burstLimit === undefined ? DEFAULT_THROTTLE.burstLimit : number(opts.burstLimit, '--burst-limit', (n) => Number.isInteger(n) && n >= 1, 'a whole number of requests, at least 1');
  const timeoutMs =
    opts.integrationTimeout === undefined
      ? DEFAULT_INTEGRATION_TIMEOUT_MS
      : number(opts.integrationTimeout, '--integration-timeout', (n) => n > 0 && n <= 900, 'a number of seconds above 0 and at most 900') * 1000;
  // The same rule as on AWS, so that a stack that works locally can be set up there with the same flags.
  const functionTimeoutMs =
    opts.timeout === undefined
      ? DEFAULT_FUNCTION_TIMEOUT_SECONDS * 1000
      : number(opts.timeout, '--timeout', (n) => Number.isInteger(n) && n >= 1 && n <= 29, 'a whole number of seconds from 1 to 29 (API Gateway gives up after 29 s)') * 1000;
  let dynamodbEndpoint: string | undefined;
  if (opts.dynamodbEndpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(opts.dynamodbEndpoint);
    } catch {
      throw new UsageError(`--dynamodb-endpoint must be a URL such as http://127.0.0.1:8000, not "${opts.dynamodbEndpoint}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--dynamodb-endpoint must be an http:// or https:// URL, not "${opts.dynamodbEndpoint}"`);
    dynamodbEndpoint = url.toString().replace(/\/$/, '');
  }
  return { port, stage, timeoutMs, functionTimeoutMs, throttle: { rateLimit, burstLimit }, dynamodbEndpoint };
}
