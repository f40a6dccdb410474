/** DynamoDB's JSON error answers as errors shaped like the SDK's: `name`, `$fault`, `$metadata`, `$response`. */
import type { HttpAnswer } from './http.js';

export interface ServiceError extends Error {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode: number; requestId?: string; attempts?: number };
  $response: { statusCode: number; headers: Record<string, string | string[] | undefined> };
}

/** `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"…"}` → that name. */
export function toServiceError(answer: HttpAnswer): ServiceError {
  let parsed: { __type?: string; message?: string; Message?: string } = {};
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    // Not JSON (a proxy's page, say): the status alone names it.
  }
  const type = parsed.__type ?? String(answer.headers['x-amzn-errortype'] ?? '');
  const name = type.split('#').pop()?.split(':')[0] || `Http${answer.status}Error`;
  const message = parsed.message ?? parsed.Message ?? `DynamoDB answered HTTP ${answer.status}`;
  const requestId = answer.headers['x-amzn-requestid'];
  return Object.assign(new Error(message), {
    name,
    $fault: answer.status >= 500 ? ('server' as const) : ('client' as const),
    $metadata: { httpStatusCode: answer.status, ...(typeof requestId === 'string' ? { requestId } : {}) },
    $response: { statusCode: answer.status, headers: answer.headers },
  });
}

const AMBIGUOUS = Symbol('ambiguous');

/** Marks an error that came after an attempt which may have been applied (a timeout or a 5xx on the way). */
export function markAmbiguous(error: Error): void {
  (error as Error & { [AMBIGUOUS]?: true })[AMBIGUOUS] = true;
}

/** True when an earlier attempt of the failed call may have been applied, so the item may already hold it. */
export function isAmbiguous(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [AMBIGUOUS]?: true })[AMBIGUOUS] === true;
}
