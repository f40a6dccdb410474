/** The local stack's flags (`setup --local`, `local`), checked and turned into stack options. */
import { checkAccessFlags, type AccessFlags, type AccessSettings } from '../access-flags.js';
import { FLAG } from '../cli/option-sets.js';
import { DEFAULT_FUNCTION_TIMEOUT_SECONDS, DEFAULT_INTEGRATION_TIMEOUT_MS, DEFAULT_STAGE, DEFAULT_THROTTLE } from '../defaults.js';
import { DEFAULT_LOCAL_PORT, type LocalStackOptions } from '../local/stack.js';

/** As the CLI hands them over (parsed), or as text from programmatic callers; absent when not given. */
export interface LocalCliOptions extends AccessFlags {
  port?: string | number;
  stage?: string;
  rateLimit?: string | number;
  burstLimit?: string | number;
  /** The function's timeout in seconds. */
  timeout?: string | number;
  /** The gateway's integration timeout in seconds. */
  integrationTimeout?: string | number;
  dynamodbEndpoint?: string;
  /** Execution environments for the function, at most. */
  concurrency?: string | number;
  json?: boolean;
}

export type CheckedLocalOptions = Required<Pick<LocalStackOptions, 'port' | 'stage' | 'timeoutMs' | 'functionTimeoutMs'>> & {
  throttle: { rateLimit: number; burstLimit: number };
  dynamodbEndpoint?: string;
  access: AccessSettings;
  concurrency?: number;
};

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
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  };
}

/** The flags with their defaults, each checked by the parser declared with it. */
export function checkLocalOptions(opts: LocalCliOptions): CheckedLocalOptions {
  return {
    port: opts.port === undefined ? DEFAULT_LOCAL_PORT : FLAG.port(opts.port),
    stage: opts.stage === undefined ? DEFAULT_STAGE : FLAG.stage(opts.stage),
    timeoutMs: opts.integrationTimeout === undefined ? DEFAULT_INTEGRATION_TIMEOUT_MS : FLAG.integrationTimeout(opts.integrationTimeout) * 1000,
    functionTimeoutMs: (opts.timeout === undefined ? DEFAULT_FUNCTION_TIMEOUT_SECONDS : FLAG.timeout(opts.timeout)) * 1000,
    throttle: {
      rateLimit: opts.rateLimit === undefined ? DEFAULT_THROTTLE.rateLimit : FLAG.rateLimit(opts.rateLimit),
      burstLimit: opts.burstLimit === undefined ? DEFAULT_THROTTLE.burstLimit : FLAG.burstLimit(opts.burstLimit),
    },
    dynamodbEndpoint: opts.dynamodbEndpoint === undefined ? undefined : FLAG.dynamodbEndpoint(opts.dynamodbEndpoint),
    access: checkAccessFlags(opts),
    ...(opts.concurrency === undefined ? {} : { concurrency: FLAG.concurrency(opts.concurrency) }),
  };
}
