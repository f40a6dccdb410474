// Everything derived from the contract's operation and field tables agrees with them: the deployed artifact
// behind the local gateway, the OpenAPI document, the CSV columns, the product commands' flags and smoke.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import {
  CREATE_FIELDS,
  FIELD_NAMES,
  matchResource,
  OPERATIONS,
  operationRequest,
  PATCH_FIELDS,
  PRODUCT_FIELDS,
  PROBLEM_TYPES,
  REQUIRED_CREATE_FIELDS,
  ROUTES,
  findOperation,
  type Operation,
} from '../../src/contract/index.js';
import { fieldFlag } from '../../src/commands/product-input.js';
import { ProductApi, type RequestOptions } from '../../src/http/api-client.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { runSmoke } from '../../src/testing/smoke.js';
import { CSV_HEADER } from '../../src/transfer/csv-lines.js';
import { requireBuild } from '../helpers/run-cli.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { bodyOf, harness } from '../helpers/handler-harness.js';
import { proxyEvent } from '../helpers/proxy-event.js';

const TABLE = OPERATIONS as readonly Operation[];
const key = (method: string, resource: string) => `${method} ${resource}`;
const tableKeys = () => TABLE.map((op) => key(op.method, op.resource)).sort();

/** A body the operation accepts, built from the field table's examples. */
function exampleBody(op: Operation, id: string): Record<string, unknown> | undefined {
  if (op.body === undefined) return undefined;
  if (op.body === 'IdBatch') return { ids: [id] };
  if (op.body === 'ProductBatch') return { items: [exampleBody({ ...op, body: 'ProductInput' }, id)] };
  const fields = op.body === 'ProductPatch' ? PATCH_FIELDS : CREATE_FIELDS;
  return Object.fromEntries(fields.map((field) => [field, field === 'id' ? id : PRODUCT_FIELDS[field].example]));
}

describe('the local stack, running dist/handler.zip, answers every operation of the table', () => {
  let stack: LocalStack;
  let api: ProductApi;

  beforeAll(async () => {
    requireBuild();
    stack = await startLocalStack({ port: 0, throttle: null });
    api = new ProductApi({ baseUrl: stack.url, retries: 0 });
  });
  afterAll(async () => {
    await api?.close();
    await stack?.stop();
  });

  it('with its success status, in the table order (list, create, get, update, delete, create many, delete many)', async () => {
    const id = `agreement-${Date.now()}`;
    const answers: string[] = [];
    for (const op of TABLE) {
      const { method, path } = operationRequest(op.operationId as never, { id });
      const response = await api.request(method, path, { body: exampleBody(op, id) });
      answers.push(`${op.operationId} ${response.status}`);
    }
    expect(answers).toEqual(TABLE.map((op) => `${op.operationId} ${op.success.status}`));
  });

  it('and smoke exercises each of them', async () => {
    const seen = new Set<string>();
    class RecordingApi extends ProductApi {
      override request<T = unknown>(method: string, path: string, options?: RequestOptions) {
        const match = matchResource(path.split('?')[0] as string);
        const op = match && findOperation(method, match.resource);
        if (op) seen.add(op.operationId);
        return super.request<T>(method, path, options);
      }
    }
    const recording = new RecordingApi({ baseUrl: stack.url, retries: 0 });
    try {
      const report = await runSmoke({ api: recording, cleanupApi: api });
      expect(report.failed).toBe(0);
    } finally {
      await recording.close();
    }
    expect([...seen].sort()).toEqual(TABLE.map((op) => op.operationId).sort());
  });
});

describe('the handler', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it.each(ROUTES.map((route) => [route.resource, route.methods] as const))(
    'answers a method %s lacks with 405 and the table’s methods in Allow',
    async (resource, methods) => {
      const { handler } = harness(engine);
      const pathParameters = resource.includes('{id}') ? { id: 'x' } : undefined;
      const result = await handler(proxyEvent('PUT', resource, { pathParameters }), {} as never);
      expect(result.statusCode).toBe(405);
      expect(result.headers?.Allow).toBe(methods.join(', '));
      expect(bodyOf(result).status).toBe(405);
    },
  );
});

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument({ version: '1.0.0' });
  const documented = Object.entries(document.paths).flatMap(([resource, item]) =>
    Object.entries(item)
      .filter(([method]) => method !== 'options')
      .map(([method, operation]) => ({ method: method.toUpperCase(), resource, operation })),
  );

  it('has exactly the table’s operations, under their ids', () => {
    expect(documented.map(({ method, resource }) => key(method, resource)).sort()).toEqual(tableKeys());
    for (const { method, resource, operation } of documented)
      expect(operation.operationId).toBe(findOperation(method, resource)?.operationId);
  });

  it('gives each operation the table’s parameters, success status and problem statuses', () => {
    for (const { method, resource, operation } of documented) {
      const op = findOperation(method, resource) as Operation;
      const parameters = (operation.parameters ?? []) as { $ref: string }[];
      expect(parameters.map((p) => p.$ref.split('/').at(-1))).toEqual([...op.parameters]);
      const statuses = Object.keys(operation.responses).map(Number);
      expect(statuses).toContain(op.success.status);
      for (const kind of op.problems) expect(statuses).toContain(PROBLEM_TYPES[kind].status);
    }
  });

  it('describes the product with the field table’s fields', () => {
    const schemas = document.components.schemas as Record<
      string,
      { properties: Record<string, unknown>; required?: string[] }
    >;
    expect(Object.keys(schemas.Product?.properties ?? {})).toEqual([...FIELD_NAMES]);
    expect(Object.keys(schemas.ProductInput?.properties ?? {})).toEqual([...CREATE_FIELDS]);
    expect(schemas.ProductInput?.required).toEqual([...REQUIRED_CREATE_FIELDS]);
    expect(Object.keys(schemas.ProductPatch?.properties ?? {})).toEqual([...PATCH_FIELDS]);
  });
});

describe('the command line', () => {
  async function optionsOf(name: string): Promise<string[]> {
    const program = await buildProgram(['node', 'products-cli', name], async () => {});
    const command = program.commands.find((c) => c.name() === name) as Command;
    return command.options.map((option) => option.long as string);
  }

  it('add has a flag for each field a create takes, update for each field a change takes', async () => {
    expect(await optionsOf('add')).toEqual(expect.arrayContaining(CREATE_FIELDS.map(fieldFlag)));
    expect(await optionsOf('update')).toEqual(expect.arrayContaining(PATCH_FIELDS.map(fieldFlag)));
    const fieldFlags = new Set(FIELD_NAMES.map(fieldFlag));
    expect((await optionsOf('update')).filter((flag) => fieldFlags.has(flag)).sort()).toEqual(
      PATCH_FIELDS.map(fieldFlag).sort(),
    );
  });

  it('import and export read and write a CSV column for each field', () => {
    expect(CSV_HEADER.trim().split(',')).toEqual([...FIELD_NAMES]);
  });
});
