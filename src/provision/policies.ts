/** IAM documents for the function's role, built by pure functions. */

/** An IAM policy document; `R` is how a resource is written (an ARN, or a template's intrinsic function). */
export interface PolicyDocument<R = string> {
  Version: '2012-10-17';
  Statement: Array<{
    Sid?: string;
    Effect: 'Allow' | 'Deny';
    Principal?: { Service: string };
    Action: string | string[];
    Resource?: R | R[];
  }>;
}

/** Lets Lambda assume the role, and nothing else. */
export function trustPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
}

/** The item actions of the console's "Simple microservice permissions" template. */
export const TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
] as const;

/** One statement of the function's inline policy: actions on one resource of the stack, named by the ARN it needs. */
export interface Grant {
  Sid: string;
  Action: readonly string[];
  on: 'table' | 'logGroupStreams';
}

/**
 * The function's grants: the template's five item actions on this one table (not `table/*`), and log writing
 * on this function's own log group (which we create, so the function needs no CreateLogGroup).
 */
export const EXECUTION_GRANTS: readonly Grant[] = [
  { Sid: 'ProductTableItems', Action: TABLE_ACTIONS, on: 'table' },
  { Sid: 'OwnLogGroup', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], on: 'logGroupStreams' },
];

/** The function's inline policy: each grant on its resource's ARN. */
export function executionPolicy<R = string>(
  arns: Record<Grant['on'], R>,
  grants: readonly Grant[] = EXECUTION_GRANTS,
): PolicyDocument<R> {
  return {
    Version: '2012-10-17',
    Statement: grants.map(({ Sid, Action, on }) => ({ Sid, Effect: 'Allow', Action: [...Action], Resource: arns[on] })),
  };
}

/**
 * IAM returns policy documents URL-encoded (RFC 3986); this decodes and parses one, so that it can be
 * compared with what we would write. Returns undefined when the text is not a JSON document.
 */
export function parsePolicyDocument(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  for (const candidate of [text, safeDecode(text)]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // Try the decoded form next.
    }
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Compares two documents regardless of key order and of a single action written as a string or a list. */
export function samePolicy(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return value.length === 1 ? canonical(value[0]) : `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
