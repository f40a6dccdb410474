/** Turns an API's error answer, or a failure to reach it, into the CLI's one-line errors. */
import { isProblem, type Problem } from '../contract/problem.js';
import { ApiError, ConflictError, NotFoundError, UsageError, type AppError } from '../errors.js';
import { networkCode } from './retry.js';

export interface ErrorContext {
  method: string;
  url: string;
  status: number;
  body: unknown;
  attempts: number;
}

/** API Gateway's own error body: `{"message": "..."}`. */
function gatewayMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const message = (body as { message?: unknown }).message;
  return typeof message === 'string' ? message : undefined;
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
  const problem = isProblem(body) ? body : undefined;
  if (problem) {
    if (status === 404) return new NotFoundError(problem.detail || problem.title);
    if (status === 409 || status === 412) return new ConflictError(problem.detail || problem.title);
    if (status === 400 || status === 413 || status === 415) return new UsageError(problemText(problem));
    return new ApiError(`${problemText(problem)} (HTTP ${status} from ${method} ${url})${afterAttempts(attempts)}`, status);
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
    return new ApiError(`${method} ${url} was refused (403 ${message ?? 'Forbidden'}); if the API needs a key, set PRODUCTS_API_KEY`, status);
  }
  if (status === 429) {
    return new ApiError(`the API is throttling requests (429 ${message ?? 'Too Many Requests'})${afterAttempts(attempts)}; wait a moment and retry`, status);
  }
  if (status === 404) return new NotFoundError(`${method} ${url} answered 404${message ? ` ${message}` : ''}`);
  if (status === 409 || status === 412) return new ConflictError(`${method} ${url} answered ${status}${message ? ` ${message}` : ''}`);
  const detail = message ?? (typeof body === 'string' && body.trim() !== '' ? oneLine(body) : undefined);
  return new ApiError(`${method} ${url} answered ${status}${detail ? ` ${detail}` : ''}${afterAttempts(attempts)}`, status);
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
  const reason = (code && NETWORK_REASONS[code]) ?? `${(error as Error)?.message ?? String(error)}${code ? ` (${code})` : ''}`;
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  const hint = code === 'ECONNREFUSED' ? '; is the API running? `products-cli setup --local` starts one' : '';
  return new ApiError(`cannot reach ${url} for ${method}: ${reason}${tries}${hint}`, undefined, { cause: error });
}
