/** What a rerun of `setup --local` asks to change on the running stack: the flags given, against what it reports. */
import type { LocalStackFlags } from '../../cli/option-sets.js';
import type { StackSettings } from '../../local/health.js';
import { localSettings, type LocalSettings } from '../local-options.js';

/** The flags that decide a local stack's settings (the others, such as --json, change nothing). */
const SETTING_FLAGS = [
  'port',
  'stage',
  'rateLimit',
  'burstLimit',
  'functionTimeout',
  'integrationTimeout',
  'dynamodbEndpoint',
  'auth',
  'privateReads',
  'corsOrigin',
  'apiKey',
  'functionConcurrency',
] as const satisfies readonly (keyof LocalStackFlags)[];

/** The setting flags given; `--port 0` (any free port) asks for no particular port, so it is left out. */
export function givenSettingFlags(opts: LocalStackFlags): LocalStackFlags {
  const given: Record<string, unknown> = {};
  for (const flag of SETTING_FLAGS) if (opts[flag] !== undefined) given[flag] = opts[flag];
  if (given.port === 0) delete given.port;
  return given as LocalStackFlags;
}

/** The flags that would start the running stack again as it is. */
export function flagsOfRunning(settings: StackSettings, port: number, stage: string): LocalStackFlags {
  return {
    port,
    stage,
    ...(settings.throttle ? { rateLimit: settings.throttle.rateLimit, burstLimit: settings.throttle.burstLimit } : {}),
    functionTimeout: settings.functionTimeoutMs,
    integrationTimeout: settings.integrationTimeoutMs,
    ...(settings.dynamodbEndpoint ? { dynamodbEndpoint: settings.dynamodbEndpoint } : {}),
    auth: settings.auth.mode,
    privateReads: settings.auth.privateReads,
    corsOrigin: settings.corsOrigins,
    functionConcurrency: settings.concurrency,
  };
}

/** The running stack's flags with those given over them; a new --auth none (or --api-key) drops what no longer applies. */
export function mergeFlags(running: LocalStackFlags, given: LocalStackFlags): LocalStackFlags {
  const merged = { ...running, ...given };
  if (given.apiKey) merged.auth = given.auth ?? 'api-key';
  delete merged.apiKey;
  if (merged.auth === 'none' && given.privateReads === undefined) merged.privateReads = false;
  return merged;
}

const seconds = (ms: number) => `${ms / 1000} s`;
const listed = (values: readonly string[]) => (values.length ? values.join(', ') : 'none');

/** Each setting as people read it, by label. */
function describeSettings(settings: LocalSettings): [string, string][] {
  return [
    ['port', String(settings.port)],
    ['stage', settings.stage],
    ['rate limit', String(settings.throttle.rateLimit)],
    ['burst limit', String(settings.throttle.burstLimit)],
    ['function timeout', seconds(settings.functionTimeoutMs)],
    ['integration timeout', seconds(settings.timeoutMs)],
    ['DynamoDB engine', settings.dynamodbEndpoint ?? 'embedded'],
    ['auth', settings.access.auth.mode],
    ['private reads', settings.access.auth.privateReads ? 'on' : 'off'],
    ['CORS origins', listed(settings.access.corsOrigins)],
    ['function concurrency', String(settings.concurrency ?? '')],
  ];
}

/** The settings that differ between the running stack's flags and the wanted ones, as `label from → to`. */
export function settingChanges(running: LocalStackFlags, wanted: LocalStackFlags): string[] {
  const before = new Map(describeSettings(localSettings(running)));
  return describeSettings(localSettings(wanted))
    .filter(([label, value]) => before.get(label) !== value)
    .map(([label, value]) => `${label} ${before.get(label)} → ${value}`);
}
