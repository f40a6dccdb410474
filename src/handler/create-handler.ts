/** The Lambda handler for API Gateway REST proxy events (payload 1.0): routing, validation, responses, logging. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { DynamoClient } from './dynamo-client/client.js';
import {
  BATCH_CREATE_OUTCOMES,
  BATCH_DELETE_OUTCOMES,
  BATCH_MAX_BODY_BYTES,
  checkId,
  countOutcomes,
  findOperation,
  matchResource,
  problem,
  PROBLEM_CONTENT_TYPE,
  productPath,
  readBatchEnvelope,
  validateProductInput,
  validateProductPatch,
  type BatchCreateOutcome,
  type BatchDeleteOutcome,
  type BatchItemResult,
  type OperationId,
  type Product,
} from '../contract/index.js';
import { BatchStore } from './batch-store.js';
import { encodeCursor } from './cursor.js';
import { withCors } from './response-cors.js';
import { HttpError } from './http-error.js';
import { ProductStore } from './product-store.js';
import { readExpectedVersion, readJsonBody, readListQuery } from './request.js';

export interface HandlerDeps {
  client: DynamoClient;
  tableName: string;
  /** Writes one log line; Lambda's JSON log format ingests a JSON line on stdout as is. */
  log: (line: string) => void;
  now: () => Date;
  newId: () => string;
  /** Origins whose browsers may read the answers (CORS); empty or absent = no CORS headers. */
  corsOrigins?: readonly string[];
  /** How long a batch keeps resending what the table left undone before answering it `throttled` (default 5 s). */
  batchBudgetMs?: number;
}

export type ProxyHandler = (event: APIGatewayProxyEvent, context?: Partial<Context>) => Promise<APIGatewayProxyResult>;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function json(reply: Reply): APIGatewayProxyResult {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) return { statusCode: reply.status, headers, body: '' };
  headers['Content-Type'] ??= 'application/json';
  return { statusCode: reply.status, headers, body: JSON.stringify(reply.body) };
}

function etag(product: Product): Record<string, string> {
  return { ETag: `"${product.version}"` };
}

/** The `{id}` path parameter, decoded: REST APIs pass path parameters on still percent-encoded. */
function requirePathId(event: APIGatewayProxyEvent): string {
  const raw = event.pathParameters?.id ?? '';
  let id = raw;
  try {
    id = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: checked as sent, so the rule below names the problem.
  }
  const rule = checkId(id);
  if (rule) throw new HttpError('validation', `id ${rule}`, { errors: [{ field: 'id', message: rule }] });
  return id;
}

/** The URL path of the created product as the client sees it, stage included when API Gateway reports one. */
function locationOf(event: APIGatewayProxyEvent, id: string): string {
  const clientPath = event.requestContext?.path;
  const prefix =
    clientPath && event.path && clientPath.endsWith(event.path)
      ? clientPath.slice(0, clientPath.length - event.path.length)
      : '';
  return `${prefix}${productPath(id)}`;
}

/**
 * The answer to a batch: each result still at `pending` (the first mention of an id sent to the table) takes the
 * table's outcome for that id; an id the table did not answer for is `throttled`, to be sent again.
 */
function batchReply<Outcome extends string>(
  results: BatchItemResult<Outcome>[],
  pending: Outcome,
  outcomes: ReadonlyMap<string, Outcome>,
  all: readonly Outcome[],
): Reply {
  for (const result of results) {
    if (result.outcome === pending && result.id !== undefined)
      result.outcome = outcomes.get(result.id) ?? ('throttled' as Outcome);
  }
  return { status: 200, body: { results, counts: countOutcomes(results, all) } };
}

/** Builds the handler around its dependencies, so tests and the local stack inject their own. */
export function createHandler(deps: HandlerDeps): ProxyHandler {
  const store = new ProductStore(deps.client, deps.tableName);
  const batches = new BatchStore(deps.client, deps.tableName, deps.batchBudgetMs);

  /** The list of a batch body (`items` or `ids`); 400 naming the field when the envelope is wrong. */
  function readBatch(event: APIGatewayProxyEvent, key: 'items' | 'ids'): unknown[] {
    const envelope = readBatchEnvelope(readJsonBody(event, BATCH_MAX_BODY_BYTES), key);
    if (!envelope.ok)
      throw new HttpError('validation', `the batch is not valid; see errors`, { errors: envelope.errors });
    return envelope.list;
  }

  async function createProducts(event: APIGatewayProxyEvent): Promise<Reply> {
    const now = deps.now().toISOString();
    const results: BatchItemResult<BatchCreateOutcome>[] = [];
    const products = new Map<string, Product>();
    readBatch(event, 'items').forEach((item, index) => {
      const input = validateProductInput(item);
      if (!input.ok) {
        const id = typeof (item as { id?: unknown } | null)?.id === 'string' ? (item as { id: string }).id : undefined;
        results.push({ index, ...(id === undefined ? {} : { id }), outcome: 'invalid', errors: input.errors });
        return;
      }
      const product = {
        id: input.value.id ?? deps.newId(),
        ...input.value,
        createdAt: now,
        updatedAt: now,
        version: 1,
      } as Product;
      // A second item with an id the batch already creates is answered as a second POST would be.
      if (products.has(product.id)) results.push({ index, id: product.id, outcome: 'exists' });
      else {
        products.set(product.id, product);
        results.push({ index, id: product.id, outcome: 'created' });
      }
    });
    const outcomes = await batches.createMany([...products.values()]);
    return batchReply(results, 'created', outcomes, BATCH_CREATE_OUTCOMES);
  }

  async function deleteProducts(event: APIGatewayProxyEvent): Promise<Reply> {
    const results: BatchItemResult<BatchDeleteOutcome>[] = [];
    const ids = new Set<string>();
    readBatch(event, 'ids').forEach((id, index) => {
      const rule = checkId(id);
      if (rule)
        results.push({
          index,
          ...(typeof id === 'string' ? { id } : {}),
          outcome: 'invalid',
          errors: [{ field: `ids[${index}]`, message: rule }],
        });
      // A second mention of an id is answered as a second DELETE would be.
      else if (ids.has(id as string)) results.push({ index, id: id as string, outcome: 'notFound' });
      else {
        ids.add(id as string);
        results.push({ index, id: id as string, outcome: 'deleted' });
      }
    });
    const outcomes = await batches.deleteMany([...ids]);
    return batchReply(results, 'deleted', outcomes, BATCH_DELETE_OUTCOMES);
  }

  async function createProduct(event: APIGatewayProxyEvent): Promise<Reply> {
    const input = validateProductInput(readJsonBody(event));
    if (!input.ok) throw new HttpError('validation', 'the product is not valid; see errors', { errors: input.errors });
    const now = deps.now().toISOString();
    const product = {
      id: input.value.id ?? deps.newId(),
      ...input.value,
      createdAt: now,
      updatedAt: now,
      version: 1,
    } as Product;
    await store.create(product);
    return { status: 201, body: product, headers: { Location: locationOf(event, product.id), ...etag(product) } };
  }

  async function getProduct(event: APIGatewayProxyEvent): Promise<Reply> {
    const id = requirePathId(event);
    const product = await store.get(id);
    if (!product) throw new HttpError('notFound', `no product has id ${id}`);
    return { status: 200, body: product, headers: etag(product) };
  }

  async function listProducts(event: APIGatewayProxyEvent): Promise<Reply> {
    const { limit, position, segments } = readListQuery(event);
    if (segments !== undefined) {
      // The start of a parallel scan: one cursor per segment, each read on as any cursor is.
      const cursors = Array.from({ length: segments }, (_, index) =>
        encodeCursor({ segment: { index, total: segments } }),
      );
      return { status: 200, body: { items: [], nextCursor: null, segments: cursors } };
    }
    return { status: 200, body: await store.list(limit, position) };
  }

  async function updateProduct(event: APIGatewayProxyEvent): Promise<Reply> {
    const id = requirePathId(event);
    const expectedVersion = readExpectedVersion(event);
    const patch = validateProductPatch(readJsonBody(event));
    if (!patch.ok) throw new HttpError('validation', 'the change is not valid; see errors', { errors: patch.errors });
    const product = await store.update(id, patch.value, deps.now().toISOString(), expectedVersion);
    return { status: 200, body: product, headers: etag(product) };
  }

  async function deleteProduct(event: APIGatewayProxyEvent): Promise<Reply> {
    const id = requirePathId(event);
    await store.delete(id, readExpectedVersion(event));
    return { status: 204 };
  }

  // Every operation of the contract's table, by its id: a missing one fails the type check.
  const operations: Record<OperationId, (event: APIGatewayProxyEvent) => Promise<Reply>> = {
    createProduct,
    listProducts,
    getProduct,
    updateProduct,
    deleteProduct,
    createProducts,
    deleteProducts,
  };

  async function route(event: APIGatewayProxyEvent): Promise<{ resource: string; reply: Reply }> {
    // API Gateway names the matched resource; a bare invoke may not, so fall back to matching the path.
    const match = matchResource(event.resource ?? '') ?? matchResource(event.path ?? '');
    if (!match) throw new HttpError('notFound', `no resource at ${event.path}`);
    const operation = findOperation(event.httpMethod, match.resource);
    if (!operation) {
      throw new HttpError('methodNotAllowed', `${event.httpMethod} is not allowed on ${match.resource}`, {
        headers: { Allow: match.methods.join(', ') },
      });
    }
    if (!event.pathParameters && match.pathParameters) event = { ...event, pathParameters: match.pathParameters };
    return { resource: match.resource, reply: await operations[operation.operationId as OperationId](event) };
  }

  return async function handler(event, context) {
    const started = performance.now();
    const requestId = context?.awsRequestId ?? event.requestContext?.requestId ?? 'unknown';
    let resource = event.resource ?? event.path;
    let response: APIGatewayProxyResult;
    let failure: unknown;
    try {
      const routed = await route(event);
      resource = routed.resource;
      response = json(routed.reply);
    } catch (error) {
      if (error instanceof HttpError) {
        response = json({
          status: error.status,
          body: error.problem,
          headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...error.headers },
        });
      } else {
        failure = error;
        response = json({
          status: 500,
          body: problem('internal', `the request failed; quote request id ${requestId} when reporting it`),
          headers: { 'Content-Type': PROBLEM_CONTENT_TYPE },
        });
      }
    }
    const line: Record<string, unknown> = {
      timestamp: deps.now().toISOString(),
      level: failure ? 'ERROR' : 'INFO',
      message: 'request',
      requestId,
      method: event.httpMethod,
      resource,
      path: event.path,
      status: response.statusCode,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    if (failure)
      line.error = {
        name: (failure as Error).name,
        message: (failure as Error).message,
        stack: (failure as Error).stack,
      };
    deps.log(JSON.stringify(line));
    return withCors(response, event, deps.corsOrigins ?? []);
  };
}
