/**
 * The API's operations: each route's method and resource, parameters, body, answer, problems and access, in
 * one table. The handler's router, the local gateway's and API Gateway's resources (through ROUTES), the
 * OpenAPI document and the authorization of each method are derived from it.
 */
import type { ProblemKind } from './problem.js';
import { BATCH_MAX_BODY_BYTES, BATCH_MAX_ITEMS } from './batch.js';
import { PATCH_FIELDS } from './product.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export const LIST_LIMIT_DEFAULT = 50;
/**
 * A list page's bounds, by count and by bytes, well inside what carries it. DynamoDB's Scan reads at most 1 MB
 * per call (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html), so one page may take
 * several Scan calls; Lambda answers a synchronous invoke with at most 6 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html), and API Gateway carries at most 10 MB and waits
 * 29 s for its integration (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
 * A page stops at LIST_LIMIT_MAX items, at LIST_PAGE_MAX_BYTES of serialised items (the proxy result escapes the
 * body once more, at most doubling it: under 4.2 MB), or after LIST_PAGE_MAX_MS of scanning, whichever comes first.
 */
export const LIST_LIMIT_MAX = 1000;
export const LIST_PAGE_MAX_BYTES = 2 * 1024 * 1024;
export const LIST_PAGE_MAX_MS = 10_000;
/** The largest page of APIs deployed before pages grew: a client falls back to it when `limit` is refused. */
export const LIST_LIMIT_BEFORE_SEGMENTS = 100;
/** Most segments of a parallel scan one list may be split into (`segments`). */
export const LIST_SEGMENTS_MAX = 16;
/** Largest request body the handler accepts, in bytes after base64 decoding. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The parameters an operation may take, by their name in the OpenAPI document's components. */
export type ParameterName = 'id' | 'limit' | 'cursor' | 'segments' | 'IfMatch';
/** The shapes of bodies and answers, by their name in the OpenAPI document's components. */
export type ShapeName =
  | 'Product'
  | 'ProductInput'
  | 'ProductPatch'
  | 'ProductPage'
  | 'ProductBatch'
  | 'ProductBatchAnswer'
  | 'IdBatch'
  | 'IdBatchAnswer';
export type AnswerHeader = 'Location' | 'ETag';

export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  resource: string;
  summary: string;
  description: string;
  parameters: readonly ParameterName[];
  body?: ShapeName;
  /** The largest body it takes, in bytes, when not MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  success: { status: number; description: string; shape?: ShapeName; headers?: readonly AnswerHeader[] };
  /** Every problem the function can answer this operation with. */
  problems: readonly ProblemKind[];
  /** `write` operations need the stack's credential; `read` ones only with --private-reads. */
  access: 'read' | 'write';
}

/** What a batch answers with as a whole; each item's own outcome is in the 200 answer. */
const BATCH_PROBLEMS = [
  'validation',
  'malformedJson',
  'tooLarge',
  'unsupportedMediaType',
  'internal',
  'unavailable',
] as const;

export const OPERATIONS = [
  {
    operationId: 'listProducts',
    method: 'GET',
    resource: '/product',
    summary: 'List products, one page at a time',
    description: `Returns up to \`limit\` products (default ${LIST_LIMIT_DEFAULT}) and a cursor for the next page; \`nextCursor\` is null on the last page. Pages are read with a scan, so their order is not meaningful. A page ends at \`limit\` items or ${LIST_PAGE_MAX_BYTES} bytes of items, whichever comes first. With \`segments=N\` (1-${LIST_SEGMENTS_MAX}) and no cursor, the answer holds no items but \`segments\`: N cursors, one per segment of a parallel scan, each read page by page as any cursor is; together they hold every product once.`,
    parameters: ['limit', 'cursor', 'segments'],
    success: { status: 200, description: 'One page of products.', shape: 'ProductPage' },
    problems: ['badQuery', 'internal', 'unavailable'],
    access: 'read',
  },
  {
    operationId: 'createProduct',
    method: 'POST',
    resource: '/product',
    summary: 'Create a product',
    description:
      'Creates a product; the id is generated when none is sent. Never overwrites: an existing id answers 409, so a create with an id is safe to retry.',
    parameters: [],
    body: 'ProductInput',
    success: {
      status: 201,
      description: 'Created; the stored product.',
      shape: 'Product',
      headers: ['Location', 'ETag'],
    },
    problems: [
      'validation',
      'malformedJson',
      'conflict',
      'tooLarge',
      'unsupportedMediaType',
      'internal',
      'unavailable',
    ],
    access: 'write',
  },
  {
    operationId: 'getProduct',
    method: 'GET',
    resource: '/product/{id}',
    summary: 'Get one product',
    description: 'Reads a product with a strongly consistent read.',
    parameters: ['id'],
    success: { status: 200, description: 'The product.', shape: 'Product', headers: ['ETag'] },
    problems: ['validation', 'notFound', 'internal', 'unavailable'],
    access: 'read',
  },
  {
    operationId: 'updateProduct',
    method: 'PATCH',
    resource: '/product/{id}',
    summary: 'Change a product',
    description: `Changes any of ${listInWords(PATCH_FIELDS)}, and adds 1 to the version. With \`If-Match: <version>\` the change is made only if the product is still at that version (412 otherwise).`,
    parameters: ['id', 'IfMatch'],
    body: 'ProductPatch',
    success: { status: 200, description: 'Changed; the stored product.', shape: 'Product', headers: ['ETag'] },
    problems: [
      'validation',
      'malformedJson',
      'badHeader',
      'notFound',
      'preconditionFailed',
      'tooLarge',
      'unsupportedMediaType',
      'internal',
      'unavailable',
    ],
    access: 'write',
  },
  {
    operationId: 'deleteProduct',
    method: 'DELETE',
    resource: '/product/{id}',
    summary: 'Delete a product',
    description: 'Deletes a product; with `If-Match: <version>` only if it is still at that version.',
    parameters: ['id', 'IfMatch'],
    success: { status: 204, description: 'Deleted; no body.' },
    problems: ['validation', 'badHeader', 'notFound', 'preconditionFailed', 'internal', 'unavailable'],
    access: 'write',
  },
  {
    operationId: 'createProducts',
    method: 'POST',
    resource: '/products',
    summary: 'Create many products',
    description: `Creates up to ${BATCH_MAX_ITEMS} products (a body of at most ${BATCH_MAX_BODY_BYTES} bytes), each validated and created as POST /product creates one, and answers each item on its own: \`created\`, \`exists\` (never overwritten), \`invalid\` with its field errors, or \`throttled\` (the table was busy; send that item again). One bad item never fails the others.`,
    parameters: [],
    body: 'ProductBatch',
    maxBodyBytes: BATCH_MAX_BODY_BYTES,
    success: { status: 200, description: 'Each item’s outcome, in request order.', shape: 'ProductBatchAnswer' },
    problems: BATCH_PROBLEMS,
    access: 'write',
  },
  {
    operationId: 'deleteProducts',
    method: 'DELETE',
    resource: '/products',
    summary: 'Delete many products',
    description: `Deletes up to ${BATCH_MAX_ITEMS} products by id (the body \`{"ids": [...]}\`), each answered on its own: \`deleted\`, \`notFound\`, \`invalid\` or \`throttled\` (send it again). Safe to repeat.`,
    parameters: [],
    body: 'IdBatch',
    maxBodyBytes: BATCH_MAX_BODY_BYTES,
    success: { status: 200, description: 'Each id’s outcome, in request order.', shape: 'IdBatchAnswer' },
    problems: BATCH_PROBLEMS,
    access: 'write',
  },
] as const satisfies readonly Operation[];

/** `a, b and c`. */
function listInWords(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export type OperationId = (typeof OPERATIONS)[number]['operationId'];

/** The operation of the table with that id. */
export function operation(operationId: OperationId): Operation {
  return (OPERATIONS as readonly Operation[]).find((op) => op.operationId === operationId) as Operation;
}

/** The operation a method and resource name, if the table has it. */
export function findOperation(method: string, resource: string): Operation | undefined {
  return (OPERATIONS as readonly Operation[]).find((op) => op.method === method && op.resource === resource);
}
