/** Product persistence in DynamoDB: conditional writes, paged scans, and SDK errors translated where they arise. */
import type { DynamoClient } from './dynamo-client/client.js';
import type { Product, ProductPatch } from '../contract/index.js';
import { encodeCursor, type ProductKey } from './cursor.js';
import { HttpError } from './http-error.js';

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
      return Item as Product | undefined;
    } catch (error) {
      return translate(error);
    }
  }

  /** One page of a scan, at most `limit` items, so no response nears Lambda's 6 MB limit. */
  async list(limit: number, startKey: ProductKey | undefined): Promise<ProductPage> {
    try {
      const result = await this.client.scan({ TableName: this.tableName, Limit: limit, ...(startKey ? { ExclusiveStartKey: startKey } : {}) });
      const lastKey = result.LastEvaluatedKey as ProductKey | undefined;
      return { items: (result.Items ?? []) as Product[], nextCursor: lastKey ? encodeCursor(lastKey) : null };
    } catch (error) {
      return translate(error);
    }
  }

  /** Applies a patch; 404 when absent, 412 when `expectedVersion` is given and differs. */
  async update(id: string, patch: ProductPatch, updatedAt: string, expectedVersion?: number): Promise<Product> {
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':one': 1, ':updatedAt': updatedAt };
    const sets = ['#version = #version + :one', '#updatedAt = :updatedAt'];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    let condition = 'attribute_exists(id)';
    if (expectedVersion !== undefined) {
      condition += ' AND #version = :expected';
      values[':expected'] = expectedVersion;
    }
    try {
      const { Attributes } = await this.client.updateItem({
        TableName: this.tableName,
        Key: { id },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });
      return Attributes as Product;
    } catch (error) {
      if (isConditionFailure(error)) return this.explainConditionFailure(id, expectedVersion, error);
      return translate(error);
    }
  }

  /** Deletes a product; 404 when absent, 412 when `expectedVersion` is given and differs. */
  async delete(id: string, expectedVersion?: number): Promise<void> {
    try {
      await this.client.deleteItem({
        TableName: this.tableName,
        Key: { id },
        ConditionExpression: expectedVersion === undefined ? 'attribute_exists(id)' : 'attribute_exists(id) AND #version = :expected',
        ...(expectedVersion === undefined
          ? {}
          : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
      });
    } catch (error) {
      if (isConditionFailure(error)) return this.explainConditionFailure(id, expectedVersion, error);
      return translate(error);
    }
  }

  /** A failed condition means absent or a different version; one consistent read tells which. */
  private async explainConditionFailure(id: string, expectedVersion: number | undefined, cause: unknown): Promise<never> {
    const current = await this.get(id);
    if (current === undefined) throw new HttpError('notFound', `no product has id ${id}`, { cause });
    throw new HttpError(
      'preconditionFailed',
      `product ${id} is at version ${current.version}, not ${expectedVersion}; get it again and retry`,
      { cause, headers: { ETag: `"${current.version}"` } },
    );
  }
}
