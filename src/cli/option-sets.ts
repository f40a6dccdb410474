/**
 * The option sets commands share (AWS, access, local stack), each flag with its parser. The target and output
 * options are in target-options.ts, apart, so that the product commands load none of these modules.
 */
import type { AccessFlags } from './access-flags.js';
import { AUTH_MODES } from '../contract/auth.js';
import { checkCorsOrigin } from '../contract/cors.js';
import { DEFAULT_INTEGRATION_TIMEOUT_MS, RETENTION_DAYS } from '../defaults.js';
import { DEFAULT_ALARM_THRESHOLDS } from '../provision/alarm-spec.js';
import { ARCHITECTURES, MEMORY_MB, RUNTIMES } from '../provision/context.js';
import { UsageError } from '../errors.js';
import { checkStackName } from '../provision/names.js';
import { checkStageName } from '../stack/stage-name.js';
import type { OptionSpec } from './command.js';
import { checkedText, duration, httpUrl, numberFlag, oneOf } from './parsers.js';

const whole = (n: number) => Number.isInteger(n);
const GATEWAY_TIMEOUT_S = DEFAULT_INTEGRATION_TIMEOUT_MS / 1000;

/** The function's timeout in whole seconds, in ms; the same rule locally as on AWS, so that a stack that works locally sets up there with the same flags. */
function functionTimeoutFlag(flag: string): (text: string) => number {
  const seconds = numberFlag(
    flag,
    `a whole number of seconds from 1 to ${GATEWAY_TIMEOUT_S} (API Gateway gives up after ${GATEWAY_TIMEOUT_S} s)`,
    (n) => whole(n) && n >= 1 && n <= GATEWAY_TIMEOUT_S,
  );
  return (text) => seconds(text) * 1000;
}

function functionConcurrencyFlag(flag: string): (text: string) => number {
  return numberFlag(
    flag,
    'a whole number of execution environments from 1 to 64',
    (n) => whole(n) && n >= 1 && n <= 64,
  );
}

/** The parsers of the shared flags: each returns the value the commands receive. */
export const FLAG = {
  stack: checkedText(checkStackName),
  stage: checkedText(checkStageName),
  port: numberFlag('--port', 'a port number from 0 (any free port) to 65535', (n) => whole(n) && n >= 0 && n <= 65535),
  rateLimit: numberFlag('--rate-limit', 'a number of requests per second above 0', (n) => n > 0),
  burstLimit: numberFlag('--burst-limit', 'a whole number of requests, at least 1', (n) => whole(n) && n >= 1),
  functionTimeout: functionTimeoutFlag('--function-timeout'),
  integrationTimeout: duration('--integration-timeout', 900_000, 'a number of seconds above 0 and at most 900'),
  dynamodbEndpoint: httpUrl('--dynamodb-endpoint', 'http://127.0.0.1:8000'),
  functionConcurrency: functionConcurrencyFlag('--function-concurrency'),
  auth: oneOf('--auth', AUTH_MODES, { rule: 'iam, api-key or none' }),
};

/** The AWS flags as commander hands them over (`--stage` where the command declares it). */
export interface AwsTargetOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  stack?: string;
  stage?: string;
  json?: boolean;
}

type AwsFlag = 'region' | 'profile' | 'endpointUrl' | 'stack';

/** `--region`, `--profile`, `--endpoint-url`, `--stack`; `prefix` and `describe` adapt the help to the command. */
export function awsOptions(prefix = '', describe: Partial<Record<AwsFlag, string>> = {}): OptionSpec[] {
  const text = (flag: AwsFlag, fallback: string) => `${prefix}${describe[flag] ?? fallback}`;
  return [
    {
      flags: '--region <region>',
      description: text('region', 'the region (default: the one setup recorded, then AWS_REGION)'),
    },
    {
      flags: '--profile <name>',
      description: text('profile', 'the credentials profile (default: AWS_PROFILE, then default)'),
    },
    {
      flags: '--endpoint-url <url>',
      description: text('endpointUrl', 'send every AWS call to this endpoint (an AWS-compatible emulator)'),
    },
    {
      flags: '--stack <name>',
      description: text('stack', 'the stack (default: the one setup recorded)'),
      parse: FLAG.stack,
    },
  ];
}

/** Who may call the API and which browser origins may read it: on AWS and on the local stack alike. */
export const ACCESS_OPTIONS: OptionSpec[] = [
  {
    flags: '--auth <mode>',
    description:
      'who may call the API: iam (writes need SigV4-signed requests; the default), api-key (writes need x-api-key), none (anyone)',
    parse: FLAG.auth,
  },
  { flags: '--private-reads', description: 'GET needs the same authorization as writes (default: anyone may read)' },
  {
    flags: '--cors-origin <origin>',
    description:
      'let browsers on this origin call the API (repeatable; * for any origin when browsers send no credentials)',
    repeatable: true,
    parse: checkedText((text) => {
      const rule = checkCorsOrigin(text);
      if (rule) throw new UsageError(`--cors-origin ${rule}, not "${text}"`);
    }),
  },
];

/**
 * The old spelling of a renamed flag: hidden from --help, read with `parse` (which names the old flag in its
 * errors), and handed to the command under the new name, with a notice on stderr.
 */
function oldSpelling(flags: string, renamed: OptionSpec, parse: (text: string) => unknown): OptionSpec {
  return { flags, description: renamed.description, parse, replacedBy: renamed.flags };
}

const FUNCTION_TIMEOUT: OptionSpec = {
  flags: '--function-timeout <seconds>',
  description: `the function's timeout, 1-${GATEWAY_TIMEOUT_S} s; past it the invocation fails and the API answers 502 (default: 10)`,
  parse: FLAG.functionTimeout,
};
const FUNCTION_CONCURRENCY: OptionSpec = {
  flags: '--function-concurrency <n>',
  description:
    'local stack: most execution environments running the function at once, each serving one request (default: the number of CPUs)',
  parse: FLAG.functionConcurrency,
};

/** LOCAL_STACK_OPTIONS as commander hands them over, each value checked by its parser; absent when not given. */
export interface LocalStackFlags extends AccessFlags {
  port?: number;
  stage?: string;
  rateLimit?: number;
  burstLimit?: number;
  /** The function's timeout, in ms (`--function-timeout` takes seconds). */
  functionTimeout?: number;
  /** The gateway's integration timeout, in ms. */
  integrationTimeout?: number;
  dynamodbEndpoint?: string;
  /** Execution environments for the function, at most. */
  functionConcurrency?: number;
  json?: boolean;
}

/** The help's note on the old spellings among LOCAL_STACK_OPTIONS. */
export const OLD_SPELLINGS_HELP =
  'The former --timeout and --concurrency still work as --function-timeout and --function-concurrency, with a notice.';

/** The local stack's flags, shared by `setup` (also on AWS where they apply) and `local`. */
export const LOCAL_STACK_OPTIONS: OptionSpec[] = [
  {
    flags: '--port <n>',
    description: 'local stack: port of the API on 127.0.0.1, 0 = any free port (default: 3000)',
    parse: FLAG.port,
  },
  {
    flags: '--stage <name>',
    description: 'the stage, the first segment of the invoke URL path (default: prod)',
    parse: FLAG.stage,
  },
  {
    flags: '--rate-limit <n>',
    description: 'stage throttle: steady requests per second before 429 (default: 100)',
    parse: FLAG.rateLimit,
  },
  {
    flags: '--burst-limit <n>',
    description: 'stage throttle: requests allowed in a burst (default: 200)',
    parse: FLAG.burstLimit,
  },
  FUNCTION_TIMEOUT,
  {
    flags: '--integration-timeout <seconds>',
    description: 'local stack: how long the gateway waits for the function before 504 (default: 29, as on AWS)',
    parse: FLAG.integrationTimeout,
  },
  {
    flags: '--dynamodb-endpoint <url>',
    description: 'local stack: use this DynamoDB-compatible engine instead of the embedded one',
    parse: FLAG.dynamodbEndpoint,
  },
  ...ACCESS_OPTIONS,
  FUNCTION_CONCURRENCY,
  // `--timeout` and `--concurrency` mean the wait per answer and the requests in flight for the other commands.
  oldSpelling('--timeout <seconds>', FUNCTION_TIMEOUT, functionTimeoutFlag('--timeout')),
  oldSpelling('--concurrency <n>', FUNCTION_CONCURRENCY, functionConcurrencyFlag('--concurrency')),
];

/** The parsers of the AWS-only setup flags (setup and template). */
export const SETUP_FLAG = {
  runtime: oneOf('--runtime', RUNTIMES, { rule: `${RUNTIMES.join(' or ')} (older Node.js runtimes are deprecated)` }),
  arch: oneOf('--arch', ARCHITECTURES, { rule: ARCHITECTURES.join(' or ') }),
  memory: numberFlag(
    '--memory',
    `a whole number of MB from ${MEMORY_MB.min} to ${MEMORY_MB.max}`,
    (n) => Number.isInteger(n) && n >= MEMORY_MB.min && n <= MEMORY_MB.max,
  ),
  logRetention: numberFlag('--log-retention', `one of ${RETENTION_DAYS.join(', ')} days`, (n) =>
    (RETENTION_DAYS as readonly number[]).includes(n),
  ),
  rolePath: checkedText((path: string) => {
    if (!/^\/([\x21-\x7e]{0,510}\/)?$/.test(path))
      throw new UsageError(
        `--role-path ${JSON.stringify(path)} is not an IAM path: it starts and ends with / (such as /service-role/)`,
      );
  }),
  alarmEmail: checkedText((address: string) => {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address))
      throw new UsageError(`--alarm-email ${JSON.stringify(address)} is not an email address`);
  }),
  alarmPercent: (flag: string) => numberFlag(flag, 'a percentage above 0 and at most 100', (n) => n > 0 && n <= 100),
  alarmCount: (flag: string) => numberFlag(flag, 'a whole number, at least 1', (n) => Number.isInteger(n) && n >= 1),
  alarmMs: numberFlag('--alarm-p99', 'a number of milliseconds above 0', (n) => n > 0),
  permissionsBoundary: checkedText((arn: string) => {
    if (!/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/.+/.test(arn))
      throw new UsageError(
        `--permissions-boundary ${JSON.stringify(arn)} is not the ARN of a managed policy (arn:aws:iam::ACCOUNT:policy/NAME)`,
      );
  }),
};

/** The AWS-only flags that decide what the stack is made of; `template` takes them too. */
export const STACK_SETTINGS_OPTIONS: OptionSpec[] = [
  {
    flags: '--runtime <runtime>',
    description: `AWS: ${RUNTIMES.join(' or ')} (default: ${RUNTIMES[0]})`,
    parse: SETUP_FLAG.runtime,
  },
  {
    flags: '--arch <arch>',
    description: `AWS: ${ARCHITECTURES.join(' or ')} (default: ${ARCHITECTURES[0]})`,
    parse: SETUP_FLAG.arch,
  },
  {
    flags: '--memory <mb>',
    description: `AWS: function memory, ${MEMORY_MB.min}-${MEMORY_MB.max} MB (default: 256)`,
    parse: SETUP_FLAG.memory,
  },
  {
    flags: '--log-retention <days>',
    description: "AWS: days to keep the function's logs (default: 14)",
    parse: SETUP_FLAG.logRetention,
  },
  {
    flags: '--api-key',
    description:
      'AWS: the same as --auth api-key (a usage plan and key are created; the key is kept in the state file)',
  },
  {
    flags: '--no-pitr',
    description: 'AWS: leave point-in-time recovery of the table off (it is turned on by default)',
  },
  {
    flags: '--role-path <path>',
    description: "AWS: the IAM path of the function's role, such as /service-role/ (default: /)",
    parse: SETUP_FLAG.rolePath,
  },
  {
    flags: '--alarm-email <address>',
    description:
      'AWS: mail this address when an alarm fires (repeatable); makes an SNS topic and CloudWatch alarms, see the README',
    repeatable: true,
    parse: SETUP_FLAG.alarmEmail,
  },
  {
    flags: '--alarm-5xx <percent>',
    description: `AWS: alarm when more than this % of requests answer 5XX in 3 of 5 minutes (default: ${DEFAULT_ALARM_THRESHOLDS.serverErrorPercent})`,
    parse: SETUP_FLAG.alarmPercent('--alarm-5xx'),
  },
  {
    flags: '--alarm-4xx <percent>',
    description: `AWS: alarm when more than this % of requests answer 4XX, throttled 429s among them, in 3 of 5 minutes (default: ${DEFAULT_ALARM_THRESHOLDS.clientErrorPercent})`,
    parse: SETUP_FLAG.alarmPercent('--alarm-4xx'),
  },
  {
    flags: '--alarm-p99 <ms>',
    description: `AWS: alarm when the API's p99 latency is above this in 3 of 5 minutes (default: ${DEFAULT_ALARM_THRESHOLDS.p99LatencyMs})`,
    parse: SETUP_FLAG.alarmMs,
  },
  {
    flags: '--alarm-errors <n>',
    description: `AWS: alarm at this many function errors in 5 minutes (default: ${DEFAULT_ALARM_THRESHOLDS.functionErrors})`,
    parse: SETUP_FLAG.alarmCount('--alarm-errors'),
  },
  {
    flags: '--alarm-throttles <n>',
    description: `AWS: alarm at this many throttled invocations, or table reads and writes, in 5 minutes (default: ${DEFAULT_ALARM_THRESHOLDS.throttles})`,
    parse: SETUP_FLAG.alarmCount('--alarm-throttles'),
  },
  {
    flags: '--permissions-boundary <arn>',
    description: "AWS: the permissions boundary of the function's role, when the organisation requires one",
    parse: SETUP_FLAG.permissionsBoundary,
  },
];
