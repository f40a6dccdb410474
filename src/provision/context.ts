/** What every provisioning step receives: clients, names, settings, clock and a way to record progress. */
import type { FirstReads } from './read-once.js';
import type { AwsClients } from '../aws/clients.js';
import type { AuthSettings } from '../contract/auth.js';
import type { ApiGatewayPacer } from '../aws/apigateway-pacer.js';
import type { Clock } from '../aws/clock.js';
import type { AlarmSettings } from './alarm-spec.js';
import type { Where } from './arns.js';
import type { ResourceNames } from './names.js';

/** The Lambda runtimes setup accepts (older Node.js runtimes are deprecated), the default first. */
export const RUNTIMES = ['nodejs24.x', 'nodejs22.x'] as const;
export const ARCHITECTURES = ['arm64', 'x86_64'] as const;
/** Lambda's bounds on a function's memory, in MB. */
export const MEMORY_MB = { min: 128, max: 10240 } as const;

export type Runtime = (typeof RUNTIMES)[number];
export type Architecture = (typeof ARCHITECTURES)[number];

export interface ProvisionSettings {
  runtime: Runtime;
  architecture: Architecture;
  memoryMb: number;
  timeoutSeconds: number;
  logRetentionDays: number;
  throttle: { rateLimit: number; burstLimit: number };
  /** Methods require an API key, with a usage plan and key (`auth.mode` is api-key). */
  apiKey: boolean;
  /** Point-in-time recovery on the table (`--no-pitr` turns this off; setup never turns it off on AWS). */
  pitr: boolean;
  /** Take over untagged resources of our names (`--adopt`). */
  adopt: boolean;
  /** Who may call which method: AWS_IAM, an API key, or nobody checked. */
  auth: AuthSettings;
  /** Browser origins allowed by CORS; empty = no CORS configuration at all. */
  corsOrigins: string[];
  /** The IAM path of the function's role (`--role-path`, default `/`). */
  rolePath?: string;
  /** The permissions boundary the function's role gets (`--permissions-boundary ARN`). */
  permissionsBoundary?: string;
  /** `--alarm-email` and the alarms' thresholds; without an address, no alarms. */
  alarms: AlarmSettings;
}

/** Bounds and polling intervals of every wait, in milliseconds; tests and the bench shorten nothing but the clock. */
export interface WaitSettings {
  tableActiveMs: number;
  tableGoneMs: number;
  functionActiveMs: number;
  rolePropagationMs: number;
  tablePollMs: number;
  functionPollMs: number;
}

export const DEFAULT_WAITS: WaitSettings = {
  tableActiveMs: 300_000,
  tableGoneMs: 300_000,
  functionActiveMs: 300_000,
  // AWS publishes no bound for IAM propagation; two minutes is well beyond what is observed.
  rolePropagationMs: 120_000,
  tablePollMs: 250,
  functionPollMs: 250,
};

export type Outcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'removed'
  | 'absent'
  | 'kept'
  | 'missing'
  | 'present'
  | 'drifted';

/** What one step did (setup, teardown) or found (status, dry run). */
export interface StepResult {
  resource: string;
  name: string;
  outcome: Outcome;
  /** What differs, what was changed, or why it was kept. */
  detail?: string;
  /** The identifier to record (an API id, an ARN). */
  id?: string;
  /** Nothing was asked for and nothing was there (no CORS for a stack without it): not worth a line. */
  unreported?: boolean;
}

export interface ProvisionContext {
  /** During setup: the name check's answers, for each step's first read (see read-once.ts). */
  firstReads?: FirstReads;
  /** The AWS-compatible emulator every call goes to, when the stack lives in one. */
  endpointUrl?: string;
  clients: AwsClients;
  apigateway: ApiGatewayPacer;
  region: string;
  /** The caller's account id (STS), fetched once and shared by every step. */
  accountId: () => Promise<string>;
  names: ResourceNames;
  tags: Record<string, string>;
  settings: ProvisionSettings;
  waits: WaitSettings;
  clock: Clock;
  /** A progress message for people ("waiting for IAM…"); silent with --json. */
  note: (text: string) => void;
  /** Teardown: also delete resources that lack our stack tag. */
  force: boolean;
  /** Reads the Lambda bundle. */
  code: () => Promise<Uint8Array>;
  /** Records a resource identifier in the state file (undefined removes it). */
  record: (key: string, value: string | undefined) => Promise<void>;
  /** Identifiers recorded by an earlier run. */
  recorded: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** The account and region, for ARN builders. */
export async function whereOf(ctx: ProvisionContext): Promise<Where> {
  return { region: ctx.region, accountId: await ctx.accountId() };
}
