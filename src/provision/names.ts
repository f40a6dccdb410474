/** Resource names and tags: the tutorial's names, prefixed with `--stack NAME` so several copies share an account. */
import { DEFAULT_API_NAME, DEFAULT_FUNCTION_NAME, DEFAULT_STAGE, DEFAULT_TABLE_NAME } from '../defaults.js';
import { UsageError } from '../errors.js';
import { checkStageName } from '../stack/stage-name.js';

/** The tag every resource carries; teardown deletes only what carries it with this stack's value. */
export const STACK_TAG = 'products-cli:stack';
/** Who manages the stack's resources: products-cli, or (after a hand-over) CloudFormation. */
export const MANAGED_BY_TAG = 'products-cli:managed-by';
/** Its value once CloudFormation manages the stack (the template writes it). */
export const CLOUDFORMATION_MANAGER = 'cloudformation';
/** The tag value of the unnamed stack. */
export const DEFAULT_STACK = 'default';

export interface ResourceNames {
  stack: string;
  table: string;
  role: string;
  rolePolicy: string;
  function: string;
  logGroup: string;
  api: string;
  stage: string;
  usagePlan: string;
  apiKey: string;
}

const STACK_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,19}$/;

/** Checks a `--stack` value: a letter, then letters, digits and hyphens, 20 characters at most. */
export function checkStackName(stack: string): void {
  if (!STACK_PATTERN.test(stack)) {
    throw new UsageError(
      `--stack ${JSON.stringify(stack)} is not a valid stack name: use a letter, then letters, digits or hyphens (20 at most)`,
    );
  }
}

/** AWS's limits on each name, so that a name that would fail is refused before the first call. */
const LIMITS: Array<{ key: keyof ResourceNames; what: string; pattern: RegExp; rule: string }> = [
  {
    key: 'table',
    what: 'table name',
    pattern: /^[A-Za-z0-9_.-]{3,255}$/,
    rule: '3-255 characters of A-Z a-z 0-9 _ . -',
  },
  { key: 'role', what: 'IAM role name', pattern: /^[\w+=,.@-]{1,64}$/, rule: 'at most 64 characters' },
  { key: 'rolePolicy', what: 'IAM policy name', pattern: /^[\w+=,.@-]{1,128}$/, rule: 'at most 128 characters' },
  {
    key: 'function',
    what: 'Lambda function name',
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    rule: 'at most 64 characters of A-Z a-z 0-9 _ -',
  },
  { key: 'logGroup', what: 'log group name', pattern: /^[.\-_/#A-Za-z0-9]{1,512}$/, rule: 'at most 512 characters' },
];

/** Checks every derived name against AWS's limits; the error names the flag that made it. */
export function checkResourceNames(names: ResourceNames): void {
  for (const { key, what, pattern, rule } of LIMITS) {
    if (!pattern.test(names[key]))
      throw new UsageError(
        `--stack ${JSON.stringify(names.stack)} makes the ${what} ${JSON.stringify(names[key])}, which AWS refuses (${rule})`,
      );
  }
}

/** The names of every resource of a stack; `stack` undefined gives the tutorial's names. */
export function resourceNames(stack?: string, stage: string = DEFAULT_STAGE): ResourceNames {
  if (stack !== undefined) checkStackName(stack);
  checkStageName(stage);
  const prefix = stack ? `${stack}-` : '';
  const fn = `${prefix}${DEFAULT_FUNCTION_NAME}`;
  const names: ResourceNames = {
    stack: stack ?? DEFAULT_STACK,
    table: `${prefix}${DEFAULT_TABLE_NAME}`,
    role: `${fn}Role`,
    rolePolicy: `${fn}Policy`,
    function: fn,
    logGroup: `/aws/lambda/${fn}`,
    api: `${prefix}${DEFAULT_API_NAME}`,
    stage,
    usagePlan: `${prefix}${DEFAULT_API_NAME}-plan`,
    apiKey: `${prefix}${DEFAULT_API_NAME}-key`,
  };
  checkResourceNames(names);
  return names;
}

/** The tags every resource of the stack carries. */
export function stackTags(names: Pick<ResourceNames, 'stack'>): Record<string, string> {
  return { [STACK_TAG]: names.stack, [MANAGED_BY_TAG]: 'products-cli' };
}

/** True when a resource's tags mark it as this stack's. */
export function isOurs(tags: Record<string, string> | undefined, names: Pick<ResourceNames, 'stack'>): boolean {
  return tags?.[STACK_TAG] === names.stack;
}

/** Why teardown leaves a resource alone: it lacks this stack's tag. */
export function notOursDetail(stack: string): string {
  return `not tagged ${STACK_TAG}=${stack}; --force deletes it`;
}

/** Tags as the Key/Value list that DynamoDB and IAM take. */
export function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** A Key/Value list back into a map. */
export function tagMap(list: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { Key, Value } of list ?? []) if (Key !== undefined) map[Key] = Value ?? '';
  return map;
}
