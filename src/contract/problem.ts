/** RFC 9457 problem details: the one error body of the product API. */
import type { FieldError } from './product.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

/** The problem types the API answers with, by a stable slug; `type` is `about:blank` or a URN from this list. */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'Invalid request' },
  malformedJson: { status: 400, title: 'Body is not valid JSON' },
  badQuery: { status: 400, title: 'Invalid query parameter' },
  badHeader: { status: 400, title: 'Invalid header' },
  notFound: { status: 404, title: 'Product not found' },
  conflict: { status: 409, title: 'Product already exists' },
  preconditionFailed: { status: 412, title: 'Version mismatch' },
  tooLarge: { status: 413, title: 'Body too large' },
  unsupportedMediaType: { status: 415, title: 'Unsupported media type' },
  methodNotAllowed: { status: 405, title: 'Method not allowed' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service busy' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

/** The `type` URI of a problem kind. */
export function problemType(kind: ProblemKind): string {
  return `urn:products-cli:problem:${kind}`;
}

/** Builds a problem body of a known kind. */
export function problem(kind: ProblemKind, detail: string, errors?: FieldError[]): Problem {
  const { status, title } = PROBLEM_TYPES[kind];
  const body: Problem = { type: problemType(kind), title, status, detail };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

/** True when a parsed body has the shape of a problem. */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.title === 'string' && typeof candidate.status === 'number';
}
