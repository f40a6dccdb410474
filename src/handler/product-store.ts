/** Product persistence in DynamoDB: conditional writes, paged scans, and SDK errors translated where they arise. */
import type { DynamoClient } from './dynamo-client/client.js';
import {
  LIST_PAGE_MAX_BYTES,
  LIST_PAGE_MAX_MS,
  type Product,
  type ProductPatch,
  type SkippedItem,
} from '../contract/index.js';
import { encodeCursor, invalidCursor, type ListPosition, type ProductKey } from './cursor.js';
import { HttpError } from './http-error.js';
import { isAmbiguous } from './dynamo-client/errors.js';
import { readStoredItem, toProduct } from './stored-item.js';

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
  /** The page's stored items that do not read as products; present only when there are some. */
  skipped?: SkippedItem[];
}

/** How far one page may go, by bytes of serialised items and by time spent scanning (see LIST_PAGE_MAX_BYTES). */
export interface PageBudget {
  maxBytes: number;
  maxMs: number;
}

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

function isConditionFailure(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
}

/** Turns DynamoDB throttling and timeouts into a 503 the client may retry; anything else is rethrown as is. */
function translate(error: unknown): never {
  const name = (error as Error | undefined)?.name ?? '';
  if (THROTTLING_ERRORS.has(name)) {
    throw new HttpError('unavailable', 'the product table is busy; retry after a moment', {
      headers: { 'Retry-After': '1' },
      cause: error,
    });
  }
  if (name === 'TimeoutError') {
    throw new HttpError('unavailable', 'the product table did not answer in time; retry after a moment', {
      headers: { 'Retry-After': '1' },
      cause: error,
    });
  }
  throw error;
}

/** How often a patch without If-Match is tried when its answers are lost or the version moves meanwhile. */
const MAX_UNCONDITIONED_TRIES = 3;

/** The condition that the item is at `expected`; an item without a version, or with a NULL one, is at version 0. */
function versionIs(expected: number): string {
  return expected === 0
    ? '(attribute_not_exists(#version) OR attribute_type(#version, :null) OR #version = :expected)'
    : '#version = :expected';
}

/** The values versionIs() names. */
function versionValues(expected: number): Record<string, unknown> {
  return expected === 0 ? { ':expected': 0, ':null': 'NULL' } : { ':expected': expected };
}

export class ProductStore {
  constructor(
    private readonly client: DynamoClient,
    private readonly tableName: string,
  ) {}

  /** Stores a new product; 409 when the id is taken (never a silent overwrite). */
  async create(product: Product): Promise<Product> {
    try {
      await this.client.putItem({
        TableName: this.tableName,
        Item: product,
        ConditionExpression: 'attribute_not_exists(id)',
      });
      return product;
    } catch (error) {
      if (isConditionFailure(error)) {
        // An attempt whose answer was lost may have stored this very product: then the create succeeded.
        if (isAmbiguous(error) && (await this.holds(product.id, product))) return product;
        throw new HttpError('conflict', `a product with id ${product.id} already exists`, { cause: error });
      }
      return translate(error);
    }
  }

  /** True when the stored product has every field of `wanted` as it is (a write that landed). */
  private async holds(id: string, wanted: Partial<Product>): Promise<Product | undefined> {
    const current = await this.get(id);
    const fields = Object.entries(wanted).filter(([, value]) => value !== undefined);
    return current && fields.every(([field, value]) => current[field as keyof Product] === value) ? current : undefined;
  }

  async get(id: string): Promise<Product | undefined> {
    try {
      const { Item } = await this.client.getItem({ TableName: this.tableName, Key: { id }, ConsistentRead: true });
      return Item ? toProduct(Item) : undefined;
    } catch (error) {
      return translate(error);
    }
  }

  /**
   * One page of a scan (of one segment, when the position names one): at most `limit` items, and no more than
   * the budget's bytes of them (always at least one), so that no answer nears Lambda's 6 MB. DynamoDB returns at
   * most 1 MB per Scan call, so a page takes as many calls as it needs, until the budget's time is spent.
   */
  async list(
    limit: number,
    position: ListPosition,
    budget: PageBudget = { maxBytes: LIST_PAGE_MAX_BYTES, maxMs: LIST_PAGE_MAX_MS },
  ): Promise<ProductPage> {
    const started = performance.now();
    const { segment } = position;
    const items: Product[] = [];
    const skipped: SkippedItem[] = [];
    // The brackets and commas of the answer's lists, roughly: one byte per entry below.
    let bytes = 2;
    let next: ProductKey | undefined = position.key;
    for (let first = true; first || next; first = false) {
      const result = await this.scanOnce({
        TableName: this.tableName,
        Limit: limit - items.length - skipped.length,
        ...(next ? { ExclusiveStartKey: next } : {}),
        ...(segment ? { Segment: segment.index, TotalSegments: segment.total } : {}),
      });
      next = result.LastEvaluatedKey as ProductKey | undefined;
      let full = false;
      for (const item of result.Items ?? []) {
        const read = readStoredItem(item);
        const entry = read.ok
          ? read.product
          : { id: typeof item.id === 'string' ? item.id : JSON.stringify(item.id), errors: read.errors };
        const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
        if (items.length + skipped.length > 0 && bytes + size > budget.maxBytes) {
          // The page is full: it goes on after the last item it holds, which a scan resumes from as from its own key.
          full = true;
          next = { id: (items.at(-1) ?? skipped.at(-1))?.id as string };
          break;
        }
        bytes += size;
        if (read.ok) items.push(read.product);
        else skipped.push(entry as SkippedItem);
      }
      if (full || items.length + skipped.length >= limit || performance.now() - started >= budget.maxMs) break;
    }
    const nextCursor = next ? encodeCursor({ key: next, ...(segment ? { segment } : {}) }) : null;
    return { items, nextCursor, ...(skipped.length > 0 ? { skipped } : {}) };
  }

  /** One Scan call; a start key the table refuses (not of this table, or outside its segment) is a bad cursor. */
  private async scanOnce(input: Parameters<DynamoClient['scan']>[0]) {
    try {
      return await this.client.scan(input);
    } catch (error) {
      if (input.ExclusiveStartKey && (error as Error | undefined)?.name === 'ValidationException')
        throw invalidCursor(error);
      return translate(error);
    }
  }

  /**
   * Applies a patch; 404 when absent, 412 when `expectedVersion` is given and differs. Applied once: after an
   * attempt whose answer was lost, the stored `updatedAt` (this request's own) tells whether it landed, and a
   * patch without If-Match is sent again only held to the version it was read at. (Should another change land
   * between the lost attempt and that read, the patch is applied again: the same values, one version more.)
   */
  async update(id: string, patch: ProductPatch, updatedAt: string, expectedVersion?: number): Promise<Product> {
    let expected = expectedVersion;
    for (let tries = 1; ; tries++) {
      const outcome = await this.tryUpdate(id, patch, updatedAt, expected);
      if ('product' in outcome) return outcome.product;
      if (outcome.ambiguous) {
        const applied = await this.holds(id, { ...patch, updatedAt });
        if (applied) return applied;
      }
      // Without If-Match the patch applies to whatever version is stored; it is held to one only to be sent safely.
      const again =
        expectedVersion === undefined &&
        tries < MAX_UNCONDITIONED_TRIES &&
        (outcome.ambiguous || expected !== undefined);
      if (!again) return outcome.error ? translate(outcome.error) : this.explainConditionFailure(id, expectedVersion);
      const current = await this.get(id);
      if (current === undefined) throw new HttpError('notFound', `no product has id ${id}`);
      expected = current.version;
    }
  }

  /** One conditional write of the patch at `expected` (any version when undefined). */
  private async tryUpdate(
    id: string,
    patch: ProductPatch,
    updatedAt: string,
    expected: number | undefined,
  ): Promise<{ product: Product } | { ambiguous: boolean; error?: unknown }> {
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': updatedAt };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    const write = async (version: string, condition: string, more: Record<string, unknown>) => {
      const { Attributes } = await this.client.updateItem(
        {
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: `SET ${[version, ...sets].join(', ')}`,
          ConditionExpression: `attribute_exists(id) AND ${condition}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ...more },
          ReturnValues: 'ALL_NEW',
        },
        // Only a write held to a version is safe to send again after an attempt that may have landed.
        { retryAmbiguous: expected !== undefined },
      );
      return { product: toProduct(Attributes ?? {}) };
    };
    let ambiguous = false;
    // Items written by other tools may have no version (read as 0) or one of another type (refused by the
    // condition, so that DynamoDB never answers a ValidationException for the arithmetic).
    const atVersion =
      expected === undefined
        ? ''
        : expected === 0
          ? ' AND (attribute_not_exists(#version) OR #version = :expected)'
          : ' AND #version = :expected';
    try {
      return await write(
        '#version = if_not_exists(#version, :zero) + :one',
        `(attribute_not_exists(#version) OR attribute_type(#version, :number))${atVersion}`,
        {
          ':zero': 0,
          ':one': 1,
          ':number': 'N',
          ...(expected === undefined ? {} : { ':expected': expected }),
        },
      );
    } catch (error) {
      ambiguous = isAmbiguous(error);
      if (!isConditionFailure(error)) {
        // Should DynamoDB still refuse the expression, the item is one the API cannot read: say which field.
        if ((error as Error | undefined)?.name === 'ValidationException') await this.get(id);
        return { ambiguous, error };
      }
    }
    // A NULL version (another tool's item) is version 0 as GET shows it, but NULL + 1 is no number: write 1.
    if (expected === undefined || expected === 0) {
      try {
        return await write('#version = :one', 'attribute_type(#version, :null)', { ':one': 1, ':null': 'NULL' });
      } catch (error) {
        ambiguous ||= isAmbiguous(error);
        if (!isConditionFailure(error)) return { ambiguous, error };
      }
    }
    return { ambiguous };
  }

  /** Deletes a product; 404 when absent, 412 when `expectedVersion` is given and differs. */
  async delete(id: string, expectedVersion?: number): Promise<void> {
    try {
      await this.client.deleteItem({
        TableName: this.tableName,
        Key: { id },
        ConditionExpression:
          expectedVersion === undefined
            ? 'attribute_exists(id)'
            : `attribute_exists(id) AND ${versionIs(expectedVersion)}`,
        ...(expectedVersion === undefined
          ? {}
          : {
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: versionValues(expectedVersion),
            }),
      });
    } catch (error) {
      // An attempt whose answer was lost most likely deleted it: gone is what was asked.
      if (isConditionFailure(error) && isAmbiguous(error) && (await this.get(id)) === undefined) return;
      if (isConditionFailure(error)) return this.explainConditionFailure(id, expectedVersion, error);
      return translate(error);
    }
  }

  /** A failed condition means absent or a different version; one consistent read tells which. */
  private async explainConditionFailure(
    id: string,
    expectedVersion: number | undefined,
    cause?: unknown,
  ): Promise<never> {
    const current = await this.get(id);
    if (current === undefined) throw new HttpError('notFound', `no product has id ${id}`, { cause });
    throw new HttpError(
      'preconditionFailed',
      `product ${id} is at version ${current.version}, not ${expectedVersion}; get it again and retry`,
      { cause, headers: { ETag: `"${current.version}"` } },
    );
  }
}
