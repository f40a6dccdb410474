/**
 * A DynamoDB client for the item calls the handler makes, in the document client's terms (plain values in,
 * plain values out), assembled from the SDK's own parts: @smithy/signature-v4 signs, @aws-sdk/util-dynamodb
 * marshals, and @smithy/core's StandardRetryStrategy decides retries and backoff exactly as the SDK does
 * (throttling with its longer backoff, timeouts and 5xx as transient). What it leaves out is the per-call
 * middleware stack, endpoint rule evaluation and schema-driven serde, which cost most of a request's CPU.
 */
import { Hash } from '@smithy/core/serde';
import { isServerError, isThrottlingError, isTransientError, StandardRetryStrategy } from '@smithy/core/retry';
import { SignatureV4 } from '@smithy/signature-v4';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { defaultProvider } from '../env-credentials.js';
import { resolveDynamoTarget, type DynamoTarget } from './endpoint.js';
import { markAmbiguous, toServiceError } from './errors.js';
import { createAgents, loadHttps, postOnce, type HttpTimeouts } from './http.js';

export type Item = Record<string, NativeAttributeValue>;

interface Conditional {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

export interface GetItemInput {
  TableName: string;
  Key: Item;
  ConsistentRead?: boolean;
}
export interface PutItemInput extends Conditional {
  TableName: string;
  Item: Item;
}
export interface UpdateItemInput extends Conditional {
  TableName: string;
  Key: Item;
  UpdateExpression: string;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
}
export interface DeleteItemInput extends Conditional {
  TableName: string;
  Key: Item;
}
export interface ScanInput {
  TableName: string;
  Limit?: number;
  ExclusiveStartKey?: Item;
  /** A parallel scan's segment, of TotalSegments. */
  Segment?: number;
  TotalSegments?: number;
}

export interface BatchGetItemInput {
  TableName: string;
  /** At most 100 (DynamoDB's limit for one BatchGetItem). */
  Keys: Item[];
  ConsistentRead?: boolean;
  ProjectionExpression?: string;
}
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };
export interface BatchWriteItemInput {
  TableName: string;
  /** At most 25 (DynamoDB's limit for one BatchWriteItem), no two on one key. */
  Requests: WriteRequest[];
}

/** The calls the product store makes. */
export interface DynamoClient {
  getItem(input: GetItemInput): Promise<{ Item?: Item }>;
  putItem(input: PutItemInput): Promise<Record<string, never>>;
  /** `retryAmbiguous: false` for a write that must not be applied twice: it is then never sent again after an attempt that may have landed. */
  updateItem(input: UpdateItemInput, options?: { retryAmbiguous?: boolean }): Promise<{ Attributes?: Item }>;
  deleteItem(input: DeleteItemInput): Promise<Record<string, never>>;
  scan(input: ScanInput): Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>;
  /** One table's items by key; the keys DynamoDB left unread (throttled, or past 16 MB) come back in `UnprocessedKeys`. */
  batchGetItem(input: BatchGetItemInput): Promise<{ Items: Item[]; UnprocessedKeys: Item[] }>;
  /** Unconditional puts and deletes on one table; what DynamoDB left undone comes back in `UnprocessedItems`. */
  batchWriteItem(input: BatchWriteItemInput): Promise<{ UnprocessedItems: WriteRequest[] }>;
  destroy(): void;
}

export interface DynamoClientOptions extends Partial<HttpTimeouts> {
  /** Resolved from the environment on first use when omitted. */
  target?: DynamoTarget;
  credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  /** Attempts per call, the SDK's default for DynamoDB (4) unless AWS_MAX_ATTEMPTS says otherwise. */
  maxAttempts?: number;
  /** The most one call may take across all its attempts and backoff. */
  callBudgetMs?: number;
}

/**
 * Well below the function's timeout (10 s by default), so that a stalled engine ends in a logged 503 rather
 * than in the platform killing the invocation: even a request that needs two calls stays under 7 s.
 */
export const DEFAULT_TIMEOUTS = { connectMs: 1_000, requestMs: 1_500, callBudgetMs: 3_000 } as const;

const MARSHALL = { removeUndefinedValues: true } as const;

function marshallConditional<T extends Conditional>(input: T): Record<string, unknown> {
  const { ExpressionAttributeValues, ...rest } = input;
  return ExpressionAttributeValues
    ? { ...rest, ExpressionAttributeValues: marshall(ExpressionAttributeValues, MARSHALL) }
    : rest;
}

function errorType(caught: Error): 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR' {
  const error = caught as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(error)) return 'THROTTLING';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/** Builds the client; nothing is read from the environment or connected until the first call. */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoClient {
  const timeouts = {
    connectMs: options.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
    requestMs: options.requestMs ?? DEFAULT_TIMEOUTS.requestMs,
  };
  const budgetMs = options.callBudgetMs ?? DEFAULT_TIMEOUTS.callBudgetMs;
  const envAttempts = Number(process.env.AWS_MAX_ATTEMPTS);
  const retry = new StandardRetryStrategy(options.maxAttempts ?? (envAttempts >= 1 ? envAttempts : 4));
  const agents = createAgents();
  let target: DynamoTarget | undefined = options.target;
  let signer: SignatureV4 | undefined;

  async function attempt(operation: string, body: string, deadline: number): Promise<unknown> {
    target ??= resolveDynamoTarget();
    signer ??= new SignatureV4({
      service: 'dynamodb',
      region: target.region,
      sha256: Hash.bind(null, 'sha256'),
      credentials: options.credentials ?? defaultProvider(),
    });
    const { url } = target;
    if (url.protocol === 'https:') await loadHttps(agents);
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.0',
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      body,
    });
    const remaining = Math.max(1, deadline - Date.now());
    const answer = await postOnce(agents, url, signed.headers, body, {
      connectMs: Math.min(timeouts.connectMs, remaining),
      requestMs: Math.min(timeouts.requestMs, remaining),
    });
    if (answer.status !== 200) throw toServiceError(answer);
    return JSON.parse(answer.body);
  }

  /**
   * One call with the SDK's retries. A write whose attempt timed out or met a 5xx may have landed: with
   * `retryAmbiguous` false it is not sent again, and any error after such an attempt is marked ambiguous.
   */
  async function call<T>(operation: string, payload: Record<string, unknown>, retryAmbiguous = true): Promise<T> {
    const body = JSON.stringify(payload);
    const deadline = Date.now() + budgetMs;
    let token = await retry.acquireInitialRetryToken('');
    let ambiguous = false;
    for (let attempts = 1; ; attempts++) {
      try {
        const output = (await attempt(operation, body, deadline)) as T;
        retry.recordSuccess(token);
        return output;
      } catch (caught) {
        const error = caught as Error & { $metadata?: { attempts?: number } };
        const type = errorType(error);
        const retryable = type === 'THROTTLING' || type === 'TRANSIENT';
        const mayHaveLanded = type === 'TRANSIENT' || type === 'SERVER_ERROR';
        if (ambiguous || mayHaveLanded) markAmbiguous(error);
        ambiguous ||= mayHaveLanded;
        try {
          if (!retryable || Date.now() >= deadline || (mayHaveLanded && !retryAmbiguous)) throw error;
          // Sleeps the SDK's backoff (jittered; longer for throttling) before it hands out the next token.
          token = await retry.refreshRetryTokenForRetry(token, { errorType: type, error } as never);
          if (Date.now() >= deadline) throw error;
        } catch {
          error.$metadata = { ...error.$metadata, attempts };
          throw error;
        }
      }
    }
  }

  return {
    async getItem(input) {
      const output = await call<{ Item?: Record<string, unknown> }>('GetItem', {
        ...input,
        Key: marshall(input.Key, MARSHALL),
      });
      return output.Item ? { Item: unmarshall(output.Item as never) } : {};
    },
    async putItem(input) {
      await call('PutItem', { ...marshallConditional(input), Item: marshall(input.Item, MARSHALL) });
      return {};
    },
    async updateItem(input, options = {}) {
      const output = await call<{ Attributes?: Record<string, unknown> }>(
        'UpdateItem',
        { ...marshallConditional(input), Key: marshall(input.Key, MARSHALL) },
        options.retryAmbiguous,
      );
      return output.Attributes ? { Attributes: unmarshall(output.Attributes as never) } : {};
    },
    async deleteItem(input) {
      await call('DeleteItem', { ...marshallConditional(input), Key: marshall(input.Key, MARSHALL) });
      return {};
    },
    async scan(input) {
      const payload = input.ExclusiveStartKey
        ? { ...input, ExclusiveStartKey: marshall(input.ExclusiveStartKey, MARSHALL) }
        : input;
      const output = await call<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
        'Scan',
        payload as unknown as Record<string, unknown>,
      );
      return {
        Items: (output.Items ?? []).map((item) => unmarshall(item as never)),
        ...(output.LastEvaluatedKey ? { LastEvaluatedKey: unmarshall(output.LastEvaluatedKey as never) } : {}),
      };
    },
    async batchGetItem(input) {
      const { TableName, Keys, ...rest } = input;
      const output = await call<{
        Responses?: Record<string, Record<string, unknown>[]>;
        UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
      }>('BatchGetItem', {
        RequestItems: { [TableName]: { ...rest, Keys: Keys.map((key) => marshall(key, MARSHALL)) } },
      });
      return {
        Items: (output.Responses?.[TableName] ?? []).map((item) => unmarshall(item as never)),
        UnprocessedKeys: (output.UnprocessedKeys?.[TableName]?.Keys ?? []).map((key) => unmarshall(key as never)),
      };
    },
    async batchWriteItem(input) {
      const requests = input.Requests.map((request) =>
        'PutRequest' in request
          ? { PutRequest: { Item: marshall(request.PutRequest.Item, MARSHALL) } }
          : { DeleteRequest: { Key: marshall(request.DeleteRequest.Key, MARSHALL) } },
      );
      const output = await call<{
        UnprocessedItems?: Record<
          string,
          Array<{ PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }>
        >;
      }>('BatchWriteItem', {
        RequestItems: { [input.TableName]: requests },
      });
      return {
        UnprocessedItems: (output.UnprocessedItems?.[input.TableName] ?? []).map((request) =>
          request.PutRequest
            ? { PutRequest: { Item: unmarshall(request.PutRequest.Item as never) } }
            : { DeleteRequest: { Key: unmarshall(request.DeleteRequest?.Key as never) } },
        ),
      };
    },
    destroy() {
      agents.http.destroy();
      agents.https?.agent.destroy();
    },
  };
}
