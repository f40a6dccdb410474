/**
 * Batch creates and deletes in DynamoDB, chosen by measurement (scripts/bench/batch-writes.mjs, on dynalite,
 * 3,000 items, 2 rounds: conditional PutItems with 16 in flight 270-1,300 rows/s, BatchWriteItem 2,300-12,000,
 * BatchGetItem then BatchWriteItem 1,600-9,000, the spread being the machine's load: batches stay 6-9 times
 * faster; TransactWriteItems is not served by dynalite, and on DynamoDB it is all or nothing and costs twice
 * the writes).
 *
 * A create must never overwrite, and BatchWriteItem takes no condition, so each batch is read first with
 * consistent BatchGetItems of 100 keys (projection `id`): what is there is `exists`, and only the missing are
 * written, with BatchWriteItems of 25. The one window left is between that read and the write, a few
 * milliseconds: should another client create one of the same ids in it, the batch's item replaces it. Both
 * writers then wrote a product under an id nobody held when they started; the batch route is for loading a
 * catalogue, where rows carry their own ids, and POST /product stays the race-free create.
 *
 * What DynamoDB leaves unprocessed (throttling) is sent again with backoff while the batch's time budget
 * lasts; what is still undone after it is answered `throttled`, for the client to send again. A whole call
 * that is throttled or times out after the client's own retries marks its items `throttled` too.
 */
import type { DynamoClient, Item, WriteRequest } from './dynamo-client/client.js';
import type { Product } from '../contract/index.js';

/** DynamoDB's limits: BatchGetItem reads at most 100 keys, BatchWriteItem writes at most 25 items. */
export const BATCH_GET_KEYS = 100;
export const BATCH_WRITE_ITEMS = 25;
/** DynamoDB calls of one batch in flight at once. */
const IN_FLIGHT = 8;
/** How long one batch may keep resending what DynamoDB left undone: well inside the function's 10 s. */
const BATCH_BUDGET_MS = 5_000;

const RETRYABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TimeoutError',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** True for a failure that leaves the call's items undone but worth sending again. */
function isRetryable(error: unknown): boolean {
  return RETRYABLE_ERRORS.has((error as Error | undefined)?.name ?? '');
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, index) =>
    list.slice(index * size, (index + 1) * size),
  );
}

/** Runs `work` on each task with at most IN_FLIGHT at once. */
async function inPool<T>(tasks: readonly T[], work: (task: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, tasks.length) }, async () => {
      while (next < tasks.length) await work(tasks[next++] as T);
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Full-jitter exponential backoff, as DynamoDB asks for unprocessed items: 25 ms doubling, at most 1 s. */
const backoff = (round: number) => Math.random() * Math.min(1_000, 25 * 2 ** round);

export interface Existence {
  found: Set<string>;
  /** Ids DynamoDB did not read in time: neither found nor known to be absent. */
  unread: Set<string>;
}

export interface BatchWriteOutcome {
  done: Set<string>;
  /** Ids whose write is still undone when the budget ran out. */
  undone: Set<string>;
}

export class BatchStore {
  constructor(
    private readonly client: DynamoClient,
    private readonly tableName: string,
    private readonly budgetMs = BATCH_BUDGET_MS,
  ) {}

  /** Which of `ids` are stored, read consistently 100 at a time. */
  async findExisting(ids: readonly string[], deadline = Date.now() + this.budgetMs): Promise<Existence> {
    const found = new Set<string>();
    const unread = new Set<string>();
    await inPool(chunk(ids, BATCH_GET_KEYS), async (keys) => {
      let pending: Item[] = keys.map((id) => ({ id }));
      for (let round = 0; pending.length > 0; round++) {
        if (round > 0) {
          if (Date.now() >= deadline) break;
          await sleep(backoff(round));
        }
        try {
          const answer = await this.client.batchGetItem({
            TableName: this.tableName,
            Keys: pending,
            ConsistentRead: true,
            ProjectionExpression: 'id',
          });
          for (const item of answer.Items) found.add(item.id as string);
          pending = answer.UnprocessedKeys;
        } catch (error) {
          if (!isRetryable(error)) throw error;
        }
      }
      for (const key of pending) unread.add(key.id as string);
    });
    return { found, unread };
  }

  /** Sends `requests` (one per id) 25 at a time, sending again what DynamoDB leaves unprocessed until the deadline. */
  async writeAll(requests: readonly WriteRequest[], deadline = Date.now() + this.budgetMs): Promise<BatchWriteOutcome> {
    const done = new Set<string>();
    const undone = new Set<string>();
    const idOf = (request: WriteRequest) =>
      ('PutRequest' in request ? request.PutRequest.Item.id : request.DeleteRequest.Key.id) as string;
    await inPool(chunk(requests, BATCH_WRITE_ITEMS), async (group) => {
      let pending = group;
      for (let round = 0; pending.length > 0; round++) {
        if (round > 0) {
          if (Date.now() >= deadline) break;
          await sleep(backoff(round));
        }
        try {
          const { UnprocessedItems } = await this.client.batchWriteItem({
            TableName: this.tableName,
            Requests: pending,
          });
          const left = new Set(UnprocessedItems.map(idOf));
          for (const request of pending) if (!left.has(idOf(request))) done.add(idOf(request));
          pending = pending.filter((request) => left.has(idOf(request)));
        } catch (error) {
          if (!isRetryable(error)) throw error;
        }
      }
      for (const request of pending) undone.add(idOf(request));
    });
    return { done, undone };
  }

  /** Creates the products that are not stored yet: each id `created`, `exists` or `throttled`. */
  async createMany(products: readonly Product[]): Promise<Map<string, 'created' | 'exists' | 'throttled'>> {
    const deadline = Date.now() + this.budgetMs;
    const outcomes = new Map<string, 'created' | 'exists' | 'throttled'>();
    const { found, unread } = await this.findExisting(
      products.map((product) => product.id),
      deadline,
    );
    for (const id of found) outcomes.set(id, 'exists');
    for (const id of unread) outcomes.set(id, 'throttled');
    const missing = products.filter((product) => !outcomes.has(product.id));
    const { done, undone } = await this.writeAll(
      missing.map((product) => ({ PutRequest: { Item: product as unknown as Item } })),
      deadline,
    );
    for (const id of done) outcomes.set(id, 'created');
    for (const id of undone) outcomes.set(id, 'throttled');
    return outcomes;
  }

  /** Deletes the ids that are stored: each `deleted`, `notFound` or `throttled`. */
  async deleteMany(ids: readonly string[]): Promise<Map<string, 'deleted' | 'notFound' | 'throttled'>> {
    const deadline = Date.now() + this.budgetMs;
    const outcomes = new Map<string, 'deleted' | 'notFound' | 'throttled'>();
    const { found, unread } = await this.findExisting(ids, deadline);
    for (const id of ids) if (!found.has(id)) outcomes.set(id, unread.has(id) ? 'throttled' : 'notFound');
    const { done, undone } = await this.writeAll(
      [...found].map((id) => ({ DeleteRequest: { Key: { id } } })),
      deadline,
    );
    for (const id of done) outcomes.set(id, 'deleted');
    for (const id of undone) outcomes.set(id, 'throttled');
    return outcomes;
  }
}
