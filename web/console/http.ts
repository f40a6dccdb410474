/** The page's calls: the console's /api (which signs and forwards to the stack) and its import and export. */
import type { FieldError, Product } from '../../src/contract/product.js';

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** The API's problem body, or API Gateway's `{ message }`. */
export interface Problem {
  title?: string;
  detail?: string;
  message?: string;
  errors?: FieldError[];
}

/** Sends one operation through the console; `version` becomes If-Match. */
export async function call<T = unknown>(
  method: string,
  path: string,
  options: { body?: unknown; version?: number } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.version !== undefined) headers['if-match'] = `"${options.version}"`;
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // a text answer, such as the console's own refusals
  }
  return { status: response.status, body: body as T };
}

export const productPath = (id: string) => `/product/${encodeURIComponent(id).replace(/%3A/gi, ':')}`;

/** One line for a failed answer: the problem's detail, the gateway's message, or the status. */
export function describeFailure(answer: Answer): string {
  const problem = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Problem;
  return (
    problem.detail ??
    problem.message ??
    (typeof answer.body === 'string' && answer.body.trim() !== ''
      ? answer.body.trim()
      : `the API answered ${answer.status}`)
  );
}

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
}
