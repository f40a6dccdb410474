/** The local stack's flags (`setup --local`, `local`) with their defaults, as stack options. */
import { checkAccessFlags } from '../cli/access-flags.js';
import type { AccessSettings } from '../contract/auth.js';
import type { LocalStackFlags } from '../cli/option-sets.js';
import {
  DEFAULT_FUNCTION_TIMEOUT_SECONDS,
  DEFAULT_INTEGRATION_TIMEOUT_MS,
  DEFAULT_STAGE,
  DEFAULT_THROTTLE,
} from '../defaults.js';
import { DEFAULT_LOCAL_PORT, type LocalStackOptions } from '../local/stack.js';

export type LocalSettings = Required<Pick<LocalStackOptions, 'port' | 'stage' | 'timeoutMs' | 'functionTimeoutMs'>> & {
  throttle: { rateLimit: number; burstLimit: number };
  dynamodbEndpoint?: string;
  access: AccessSettings;
  concurrency?: number;
};

/** The stack options for the settings; the embedded engine keeps its data in `dataDir`, or in memory without one. */
export function toStackOptions(options: LocalSettings, dataDir: string | undefined): LocalStackOptions {
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

/** The flags with their defaults, and the access flags checked against each other. */
export function localSettings(opts: LocalStackFlags): LocalSettings {
  return {
    port: opts.port ?? DEFAULT_LOCAL_PORT,
    stage: opts.stage ?? DEFAULT_STAGE,
    timeoutMs: opts.integrationTimeout ?? DEFAULT_INTEGRATION_TIMEOUT_MS,
    functionTimeoutMs: opts.functionTimeout ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS * 1000,
    throttle: {
      rateLimit: opts.rateLimit ?? DEFAULT_THROTTLE.rateLimit,
      burstLimit: opts.burstLimit ?? DEFAULT_THROTTLE.burstLimit,
    },
    ...(opts.dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint: opts.dynamodbEndpoint }),
    access: checkAccessFlags(opts),
    ...(opts.functionConcurrency === undefined ? {} : { concurrency: opts.functionConcurrency }),
  };
}
