/**
 * The OpenAPI 3.1 document of the product API, built from the contract module: the field table, the operation
 * table and the problem kinds that the handler itself validates and answers with.
 */
import {
  batchSchemas,
  CREATE_FIELDS,
  FIELD_NAMES,
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  LIST_PAGE_MAX_BYTES,
  LIST_SEGMENTS_MAX,
  MAX_BODY_BYTES,
  OPERATIONS,
  PATCH_FIELDS,
  PRODUCT_FIELDS,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  problem,
  problemType,
  productFieldSchemas,
  REQUIRED_CREATE_FIELDS,
  type FieldName,
  type HttpMethod,
  type Operation,
  type ProblemKind,
} from '../contract/index.js';
import { DEFAULT_AUTH, isProtected, type AuthSettings } from '../contract/auth.js';

export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
  components: Record<string, Record<string, unknown>>;
};

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  [key: string]: unknown;
}

export interface DocumentOptions {
  /** The API's version, shown as `info.version`. */
  version: string;
  /** The invoke URL of the target, stage included; omitted when no target is known. */
  serverUrl?: string;
  /** Says where the server URL came from, e.g. "local stack". */
  serverDescription?: string;
  /** How the target authorizes each method; default the one `setup` makes (IAM-signed writes, public reads). */
  auth?: AuthSettings;
}

/** Each operation's security: SigV4 or the API key on the protected methods, none on the others. */
function securityOf(auth: AuthSettings, method: string): Array<Record<string, string[]>> {
  if (!isProtected(auth, method)) return [];
  return auth.mode === 'iam' ? [{ sigv4: [] }] : [{ apiKey: [] }];
}

/** What API Gateway answers by itself, before or instead of the function, with its `{"message"}` body. */
export const GATEWAY_RESPONSES: Readonly<Record<string, { description: string; message: string }>> = {
  '403': {
    description:
      'API Gateway: no such resource or method (often a URL without its stage), or a missing or wrong API key.',
    message: 'Missing Authentication Token',
  },
  '429': {
    description: 'API Gateway: the stage or account throttle refused the request; retry after a pause.',
    message: 'Too Many Requests',
  },
  '502': {
    description: 'API Gateway: the function failed or answered with a malformed result.',
    message: 'Internal server error',
  },
  '504': {
    description: 'API Gateway: the function did not answer within the integration timeout.',
    message: 'Endpoint request timed out',
  },
};

/** An example `detail` for each problem kind, as the handler words it. */
const PROBLEM_EXAMPLES: Record<ProblemKind, { detail: string; errors?: { field: string; message: string }[] }> = {
  validation: {
    detail: 'the product is not valid; see errors',
    errors: [
      { field: 'title', message: 'must not be empty' },
      { field: 'price', message: 'must be a number' },
    ],
  },
  malformedJson: { detail: 'body is not valid JSON: Unexpected end of JSON input' },
  badQuery: {
    detail: `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}`,
    errors: [{ field: 'limit', message: `must be a whole number from 1 to ${LIST_LIMIT_MAX}` }],
  },
  badHeader: {
    detail: 'If-Match must be a product version, such as If-Match: 3',
    errors: [{ field: 'If-Match', message: 'must be a version number' }],
  },
  notFound: { detail: 'no product has id 1' },
  conflict: { detail: 'a product with id 1 already exists' },
  preconditionFailed: { detail: 'product 1 is at version 3, not 2; get it again and retry' },
  tooLarge: { detail: `body is ${MAX_BODY_BYTES + 1} bytes; the limit is ${MAX_BODY_BYTES}` },
  unsupportedMediaType: { detail: 'Content-Type text/plain is not supported; send application/json' },
  methodNotAllowed: { detail: 'PUT is not allowed on /product/{id}' },
  internal: { detail: 'the request failed; quote request id 6f1c… when reporting it' },
  unavailable: { detail: 'the product table is busy; retry after a moment' },
};

const ref = (kind: 'schemas' | 'parameters' | 'headers' | 'responses', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

const schemasOf = (fields: readonly FieldName[]) =>
  Object.fromEntries(fields.map((field) => [field, productFieldSchemas[field]]));
const exampleOf = (fields: readonly FieldName[]) =>
  Object.fromEntries(fields.map((field) => [field, PRODUCT_FIELDS[field].example]));

function schemas(): Record<string, unknown> {
  return {
    Product: {
      type: 'object',
      description: 'A product as the API stores and returns it.',
      properties: schemasOf(FIELD_NAMES),
      // Items written by other tools (the tutorial's console test events) have no timestamps.
      required: FIELD_NAMES.filter((field) => PRODUCT_FIELDS[field].alwaysStored),
      additionalProperties: false,
      examples: [exampleOf(FIELD_NAMES)],
    },
    ProductInput: {
      type: 'object',
      description: 'A product to create; the server sets createdAt, updatedAt and version, and rejects them when sent.',
      properties: schemasOf(CREATE_FIELDS),
      required: REQUIRED_CREATE_FIELDS,
      additionalProperties: false,
      examples: [exampleOf(CREATE_FIELDS)],
    },
    ProductPatch: {
      type: 'object',
      description: `A change: at least one of ${PATCH_FIELDS.join(', ')}; the id cannot change.`,
      properties: schemasOf(PATCH_FIELDS),
      minProperties: 1,
      additionalProperties: false,
      examples: [{ price: 850 }],
    },
    ProductPage: {
      type: 'object',
      properties: {
        items: { type: 'array', items: ref('schemas', 'Product'), maxItems: LIST_LIMIT_MAX },
        nextCursor: {
          type: ['string', 'null'],
          description: 'Pass as `cursor` for the next page; null on the last page.',
        },
        segments: {
          type: 'array',
          description:
            'Only in the answer to `segments=N`: one cursor per segment of a parallel scan, to read each on as any `nextCursor`. Together the segments hold every product once.',
          items: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
          minItems: 1,
          maxItems: LIST_SEGMENTS_MAX,
        },
        skipped: {
          type: 'array',
          description:
            'Present when stored items of this page do not read as products (written by another tool): each id and the fields at fault. The page still answers 200 with every readable product; GET /product/{id} of such an id answers 500 naming the fields.',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, errors: { type: 'array', items: ref('schemas', 'FieldError') } },
            required: ['id', 'errors'],
            additionalProperties: false,
          },
        },
      },
      required: ['items', 'nextCursor'],
      additionalProperties: false,
    },
    FieldError: {
      type: 'object',
      properties: {
        field: {
          type: 'string',
          description: 'The field, query parameter or header at fault; `(body)` for the whole body.',
        },
        message: { type: 'string', description: 'The rule it breaks.' },
      },
      required: ['field', 'message'],
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details, the body of every error the function answers with.',
      properties: {
        type: { type: 'string', enum: (Object.keys(PROBLEM_TYPES) as ProblemKind[]).map((kind) => problemType(kind)) },
        title: { type: 'string' },
        status: {
          type: 'integer',
          enum: [...new Set(Object.values(PROBLEM_TYPES).map((kind) => kind.status))].sort((a, b) => a - b),
        },
        detail: { type: 'string' },
        errors: { type: 'array', items: ref('schemas', 'FieldError'), minItems: 1 },
      },
      required: ['type', 'title', 'status', 'detail'],
    },
    GatewayMessage: {
      type: 'object',
      description: "API Gateway's own error body.",
      properties: { message: { type: 'string' } },
      required: ['message'],
    },
    ...batchSchemas((name) => ref('schemas', name)),
  };
}

function parameters(): Record<string, unknown> {
  return {
    id: {
      name: 'id',
      in: 'path',
      required: true,
      description: 'The product id, percent-encoded.',
      schema: productFieldSchemas.id,
    },
    limit: {
      name: 'limit',
      in: 'query',
      required: false,
      description: `Products per page at most; a page also ends before its items pass ${LIST_PAGE_MAX_BYTES} bytes.`,
      schema: { type: 'integer', minimum: 1, maximum: LIST_LIMIT_MAX, default: LIST_LIMIT_DEFAULT },
    },
    segments: {
      name: 'segments',
      in: 'query',
      required: false,
      description:
        'Without a cursor: answer, instead of a page, one cursor per segment of a parallel scan, so that several pages can be read at once.',
      schema: { type: 'integer', minimum: 1, maximum: LIST_SEGMENTS_MAX },
    },
    cursor: {
      name: 'cursor',
      in: 'query',
      required: false,
      description: 'The `nextCursor` of the previous page.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
    },
    IfMatch: {
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The version the product must still be at, such as `"3"` or `3`; `*` asks only that it exist.',
      schema: { type: 'string', pattern: '^(\\*|(W/)?"?[0-9]{1,15}"?)$' },
    },
  };
}

function headers(): Record<string, unknown> {
  return {
    ETag: {
      description: 'The product version, quoted: send it back in If-Match.',
      schema: { type: 'string', pattern: '^"[0-9]+"$' },
    },
    Location: { description: 'The path of the created product, stage included.', schema: { type: 'string' } },
    Allow: { description: 'The methods the resource has.', schema: { type: 'string' } },
    'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } },
  };
}

/** One response per problem status, with an example of each kind in `kinds`. */
function problemResponse(status: number, kinds: ProblemKind[]): Record<string, unknown> {
  const examples = Object.fromEntries(
    kinds.map((kind) => {
      const example = PROBLEM_EXAMPLES[kind];
      return [kind, { summary: PROBLEM_TYPES[kind].title, value: problem(kind, example.detail, example.errors) }];
    }),
  );
  const response: Record<string, unknown> = {
    description: kinds.map((kind) => PROBLEM_TYPES[kind].title).join('; '),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('schemas', 'Problem'), examples } },
  };
  if (status === 503) response.headers = { 'Retry-After': ref('headers', 'Retry-After') };
  if (status === 405) response.headers = { Allow: ref('headers', 'Allow') };
  return response;
}

function gatewayResponse(status: string): Record<string, unknown> {
  const gateway = GATEWAY_RESPONSES[status] as { description: string; message: string };
  return {
    description: gateway.description,
    content: {
      'application/json': { schema: ref('schemas', 'GatewayMessage'), example: { message: gateway.message } },
    },
  };
}

function byStatus(kinds: readonly ProblemKind[]): Map<number, ProblemKind[]> {
  const grouped = new Map<number, ProblemKind[]>();
  for (const kind of kinds) {
    const status = PROBLEM_TYPES[kind].status;
    grouped.set(status, [...(grouped.get(status) ?? []), kind]);
  }
  return grouped;
}

function operation(spec: Operation): OperationObject {
  const success: Record<string, unknown> = { description: spec.success.description };
  if (spec.success.shape) success.content = { 'application/json': { schema: ref('schemas', spec.success.shape) } };
  if (spec.success.headers)
    success.headers = Object.fromEntries(spec.success.headers.map((name) => [name, ref('headers', name)]));
  const responses: Record<string, unknown> = { [String(spec.success.status)]: success };
  for (const [status, kinds] of [...byStatus(spec.problems)].sort(([a], [b]) => a - b))
    responses[String(status)] = problemResponse(status, kinds);
  for (const status of Object.keys(GATEWAY_RESPONSES)) responses[status] ??= ref('responses', `Gateway${status}`);
  const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
  const result: OperationObject = {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: ['products'],
    responses: sorted,
  };
  if (spec.parameters.length > 0) result.parameters = spec.parameters.map((name) => ref('parameters', name));
  if (spec.body) {
    result.requestBody = {
      required: true,
      description: `JSON, at most ${spec.maxBodyBytes ?? MAX_BODY_BYTES} bytes.`,
      content: { 'application/json': { schema: ref('schemas', spec.body) } },
    };
  }
  return result;
}

/** Builds the document: a path item per resource of the operation table, an operation per method. */
export function buildOpenApiDocument(options: DocumentOptions): OpenApiDocument {
  const paths: Record<string, Record<string, OperationObject>> = {};
  for (const spec of OPERATIONS as readonly Operation[]) {
    const item = (paths[spec.resource] ??= {});
    item[spec.method.toLowerCase() as Lowercase<HttpMethod>] = {
      ...operation(spec),
      security: securityOf(options.auth ?? DEFAULT_AUTH, spec.method),
    };
  }
  const allKinds = Object.keys(PROBLEM_TYPES) as ProblemKind[];
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: 'Product API',
      version: options.version,
      summary: 'A product catalogue over DynamoDB, Lambda and API Gateway.',
      description:
        'Products are created, read, listed, changed and deleted. Errors from the function are RFC 9457 problem details naming each field at fault; API Gateway answers some errors itself with `{"message": ...}` (403, 429, 502, 504).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    ...(options.serverUrl
      ? {
          servers: [
            {
              url: options.serverUrl,
              ...(options.serverDescription ? { description: options.serverDescription } : {}),
            },
          ],
        }
      : {}),
    tags: [{ name: 'products', description: 'The product catalogue.' }],
    paths,
    components: {
      schemas: schemas(),
      parameters: parameters(),
      headers: headers(),
      responses: {
        ...Object.fromEntries(
          Object.keys(GATEWAY_RESPONSES).map((status) => [`Gateway${status}`, gatewayResponse(status)]),
        ),
        // Through API Gateway an undefined method is a 403; the function answers 405 only when invoked directly.
        MethodNotAllowed: problemResponse(
          405,
          allKinds.filter((kind) => PROBLEM_TYPES[kind].status === 405),
        ),
      },
      // SigV4 as API Gateway exports an AWS_IAM method (x-amazon-apigateway-authtype awsSigv4), so that
      // Postman's AWS Signature auth and API Gateway's own import recognise it.
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          'x-amazon-apigateway-authtype': 'awsSigv4',
          description:
            "AWS Signature Version 4 for the service execute-api in the stack's region, by a caller allowed execute-api:Invoke on the API (setup --auth iam; locally, the key pair setup --local --json shows).",
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The API key (setup --auth api-key).' },
      },
    },
  };
  return document;
}
