/** Turns an API's error answer, or a failure to reach it, into the CLI's one-line errors. */
import { isProblem, type Problem } from '../contract/problem.js';
import { ApiError, ConflictError, NotFoundError, UsageError, type AppError } from '../errors.js';
import { networkCode, parseRetryAfter } from './retry.js';

export interface ErrorContext {
  method: string;
  url: string;
  status: number;
  body: unknown;
  attempts: number;
  /** The answer's headers, for its content type and `Retry-After`. */
  headers?: Record<string, string | string[] | undefined>;
}

/** An answer that neither the product API nor API Gateway would give: the URL points at some other server. */
export class NotProductApiError extends ApiError {
  constructor(message: string, status: number) {
    super(message, status);
    this.name = 'NotProductApiError';
  }
}

/** A 429 (or 503) answer: the request was not acted on and may be sent again later. */
export class ThrottledError extends ApiError {
  /** What the answer's `Retry-After` asked for, when it had one. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, status: number, retryAfterMs: number | undefined) {
    super(message, status);
    this.name = 'ThrottledError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** API Gateway's own error body: `{"message": "..."}` (`{"Message": ...}` for some IAM refusals). */
function gatewayMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { message, Message } = body as { message?: unknown; Message?: unknown };
  if (typeof message === 'string') return message;
  return typeof Message === 'string' ? Message : undefined;
}

function header(headers: ErrorContext['headers'], name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * True when an answer has a shape the product API or API Gateway gives: a problem body, API Gateway's own
 * `{"message"}`, a JSON success, or an empty 204. A static file server or another application answers otherwise.
 */
export function looksLikeProductApi(status: number, body: unknown): boolean {
  if (isProblem(body) || gatewayMessage(body) !== undefined) return true;
  if (status === 204) return body === undefined;
  return status >= 200 && status < 300 && typeof body === 'object' && body !== null;
}

/** The error for an answer of some other server: `… does not look like the product API (got 404 text/html)`. */
export function notProductApi(url: string, status: number, headers: ErrorContext['headers']): NotProductApiError {
  const type = header(headers, 'content-type')?.split(';')[0]?.trim() || 'no content type';
  const base = url.replace(/\/product(\/.*)?(\?.*)?$/, '');
  return new NotProductApiError(
    `${base} does not look like the product API (got ${status} ${type}); check --url, PRODUCTS_API_URL or the stack that setup recorded`,
    status,
  );
}

function problemText(problem: Problem): string {
  const fields = problem.errors?.map((error) => `${error.field} ${error.message}`) ?? [];
  if (fields.length > 0) return `${problem.title}: ${fields.join('; ')}`;
  return problem.detail ? `${problem.title}: ${problem.detail}` : problem.title;
}

function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}

/** The error for an answer that is not a success, by status: 404, 409/412, 4xx input errors, and the rest. */
export function errorFromResponse(context: ErrorContext): AppError {
  const { method, url, status, body, attempts } = context;
  if (!looksLikeProductApi(status, body)) return notProductApi(url, status, context.headers);
  const problem = isProblem(body) ? body : undefined;
  if (problem) {
    if (status === 404) return new NotFoundError(problem.detail || problem.title);
    if (status === 409 || status === 412) return new ConflictError(problem.detail || problem.title);
    if (status === 400 || status === 413 || status === 415) return new UsageError(problemText(problem));
    if (status === 503) {
      // The function refused the request because DynamoDB throttled it: nothing was written.
      return new ThrottledError(
        `${problemText(problem)} (HTTP 503 from ${method} ${url})${afterAttempts(attempts)}`,
        status,
        parseRetryAfter(context.headers?.['retry-after']),
      );
    }
    return new ApiError(
      `${problemText(problem)} (HTTP ${status} from ${method} ${url})${afterAttempts(attempts)}`,
      status,
    );
  }
  const message = gatewayMessage(body);
  if (status === 403 && message === 'Missing Authentication Token') {
    // API Gateway's answer for a resource or method it does not have, most often a URL without its stage.
    return new ApiError(
      `API Gateway has no ${method} ${new URL(url).pathname} (403 Missing Authentication Token); check that the URL ends with the stage, such as https://abc123.execute-api.us-east-1.amazonaws.com/prod, and that the API is deployed`,
      status,
    );
  }
  if (status === 403) {
    return new ApiError(
      `${method} ${url} was refused (403 ${message ?? 'Forbidden'}); if the API needs a key, set PRODUCTS_API_KEY`,
      status,
    );
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(context.headers?.['retry-after']);
    return new ThrottledError(
      `the API is throttling requests (429 ${message ?? 'Too Many Requests'})${afterAttempts(attempts)}; wait a moment and retry`,
      status,
      retryAfterMs,
    );
  }
  if (status === 404) return new NotFoundError(`${method} ${url} answered 404${message ? ` ${message}` : ''}`);
  if (status === 409 || status === 412)
    return new ConflictError(`${method} ${url} answered ${status}${message ? ` ${message}` : ''}`);
  const detail = message ?? (typeof body === 'string' && body.trim() !== '' ? oneLine(body) : undefined);
  return new ApiError(
    `${method} ${url} answered ${status}${detail ? ` ${detail}` : ''}${afterAttempts(attempts)}`,
    status,
  );
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved right now',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  CONNECT_TIMEOUT: 'the connection timed out',
  HEADERS_TIMEOUT: 'no answer within the timeout',
  BODY_TIMEOUT: 'the answer stalled past the timeout',
  UND_ERR_HEADERS_TIMEOUT: 'no answer within the timeout',
  UND_ERR_BODY_TIMEOUT: 'the answer stalled past the timeout',
  UND_ERR_SOCKET: 'the connection closed before the answer',
  UND_ERR_CLOSED: 'the connection closed before the answer',
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate does not match the host",
};

/** The error for a request that got no answer: one line naming the URL and the reason. */
export function errorFromNetwork(method: string, url: string, error: unknown, attempts: number): ApiError {
  const code = networkCode(error);
  const reason =
    (code && NETWORK_REASONS[code]) ?? `${(error as Error)?.message ?? String(error)}${code ? ` (${code})` : ''}`;
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  const hint = code === 'ECONNREFUSED' ? '; is the API running? `products-cli setup --local` starts one' : '';
  return new ApiError(`cannot reach ${url} for ${method}: ${reason}${tries}${hint}`, undefined, { cause: error });
}
