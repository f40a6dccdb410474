/** An error that carries the HTTP status and problem body it answers with. */
import { problem, type FieldError, type Problem, type ProblemKind } from '../contract/index.js';

export class HttpError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(
    kind: ProblemKind,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'HttpError';
    this.problem = problem(kind, detail, options.errors);
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return this.problem.status;
  }
}
