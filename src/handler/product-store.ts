/** Product persistence in DynamoDB: conditional writes, paged scans, and SDK errors translated where they arise. */
import type { DynamoClient } from './dynamo-client/client.js';
import type { Product, ProductPatch } from '../contract/index.js';
import { encodeCursor, type ProductKey } from './cursor.js';
import { HttpError } from './http-error.js';
import { toProduct } from './stored-item.js';

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
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

/** The condition that the item is at `expected`; an item without a version, or with a NULL one, is at version 0. */
function versionIs(expected: number): string {
  return expected === 0 ? '(attribute_not_exists(#version) OR attribute_type(#version, :null) OR #version = :expected)' : '#version = :expected';
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
        throw new HttpError('conflict', `a product with id ${product.id} already exists`, { cause: error });
      }
      return translate(error);
    }
  }

  async get(id: string): Promise<Product | undefined> {
    try {
      const { Item } = await this.client.getItem({ TableName: this.tableName, Key: { id }, ConsistentRead: true });
      return Item ? toProduct(Item) : undefined;
    } catch (error) {
      return translate(error);
    }
  }

  /** One page of a scan, at most `limit` items, so no response nears Lambda's 6 MB limit. */
  async list(limit: number, startKey: ProductKey | undefined): Promise<ProductPage> {
    try {
      const result = await this.client.scan({ TableName: this.tableName, Limit: limit, ...(startKey ? { ExclusiveStartKey: startKey } : {}) });
      const lastKey = result.LastEvaluatedKey as ProductKey | undefined;
      return { items: (result.Items ?? []).map((item) => toProduct(item)), nextCursor: lastKey ? encodeCursor(lastKey) : null };
    } catch (error) {
      return translate(error);
    }
  }

  /** Applies a patch; 404 when absent, 412 when `expectedVersion` is given and differs. */
  async update(id: string, patch: ProductPatch, updatedAt: string, expectedVersion?: number): Promise<Product> {
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
      const { Attributes } = await this.client.updateItem({
        TableName: this.tableName,
        Key: { id },
        UpdateExpression: `SET ${[version, ...sets].join(', ')}`,
        ConditionExpression: `attribute_exists(id) AND ${condition}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ...more },
        ReturnValues: 'ALL_NEW',
      });
      return toProduct(Attributes ?? {});
    };
    // Items written by other tools may have no version (read as 0) or one of another type (refused by the
    // condition, so that DynamoDB never answers a ValidationException for the arithmetic).
    const expected =
      expectedVersion === undefined ? '' : expectedVersion === 0 ? ' AND (attribute_not_exists(#version) OR #version = :expected)' : ' AND #version = :expected';
    try {
      return await write('#version = if_not_exists(#version, :zero) + :one', `(attribute_not_exists(#version) OR attribute_type(#version, :number))${expected}`, {
        ':zero': 0,
        ':one': 1,
        ':number': 'N',
        ...(expectedVersion === undefined ? {} : { ':expected': expectedVersion }),
      });
    } catch (error) {
      if (!isConditionFailure(error)) {
        // Should DynamoDB still refuse the expression, the item is one the API cannot read: say which field.
        if ((error as Error | undefined)?.name === 'ValidationException') await this.get(id);
        return translate(error);
      }
    }
    // A NULL version (another tool's item) is version 0 as GET shows it, but NULL + 1 is no number: write 1.
    if (expectedVersion === undefined || expectedVersion === 0) {
      try {
        return await write('#version = :one', 'attribute_type(#version, :null)', { ':one': 1, ':null': 'NULL' });
      } catch (error) {
        if (!isConditionFailure(error)) return translate(error);
      }
    }
    return this.explainConditionFailure(id, expectedVersion);
  }

  /** Deletes a product; 404 when absent, 412 when `expectedVersion` is given and differs. */
  async delete(id: string, expectedVersion?: number): Promise<void> {
    try {
      await this.client.deleteItem({
        TableName: this.tableName,
        Key: { id },
        ConditionExpression: expectedVersion === undefined ? 'attribute_exists(id)' : `attribute_exists(id) AND ${versionIs(expectedVersion)}`,
        ...(expectedVersion === undefined
          ? {}
          : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: versionValues(expectedVersion) }),
      });
    } catch (error) {
      if (isConditionFailure(error)) return this.explainConditionFailure(id, expectedVersion, error);
      return translate(error);
    }
  }

  /** A failed condition means absent or a different version; one consistent read tells which. */
  private async explainConditionFailure(id: string, expectedVersion: number | undefined, cause?: unknown): Promise<never> {
    const current = await this.get(id);
    if (current === undefined) throw new HttpError('notFound', `no product has id ${id}`, { cause });
    throw new HttpError(
      'preconditionFailed',
      `product ${id} is at version ${current.version}, not ${expectedVersion}; get it again and retry`,
      { cause, headers: { ETag: `"${current.version}"` } },
    );
  }
}
