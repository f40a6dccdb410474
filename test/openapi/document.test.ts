import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import {
  isValidProduct,
  PROBLEM_TYPES,
  productFieldSchemas,
  ROUTES,
  validateProductInput,
  validateProductPatch,
  type ProblemKind,
} from '../../src/contract/index.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../../src/openapi/document.js';

const build = (serverUrl?: string) => buildOpenApiDocument({ version: '1.2.3', serverUrl });

/** Every `$ref` in the document, with the place it was found. */
function refsOf(value: unknown, at = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => refsOf(item, `${at}/${index}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string' ? [{ ref: child, at }] : refsOf(child, `${at}/${key}`),
  );
}

function resolvePointer(document: unknown, pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')],
      document,
    );
}

/** All operations as [method, resource, operation]. */
function operationsOf(document: OpenApiDocument) {
  return Object.entries(document.paths).flatMap(([resource, item]) =>
    Object.entries(item).map(([method, operation]) => [method.toUpperCase(), resource, operation] as const),
  );
}

describe('buildOpenApiDocument', () => {
  it('is a valid OpenAPI 3.1 document, $refs included', async () => {
    // Prepare
    const document = build('http://127.0.0.1:3000/prod');

    // Act: the validator checks it against the OpenAPI 3.1 schema and resolves every $ref (it mutates its input).
    const validated = await SwaggerParser.validate(structuredClone(document) as never);

    // Assess
    expect((validated as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('resolves every $ref inside the document', () => {
    const document = build();
    const refs = refsOf(document);
    expect(refs.length).toBeGreaterThan(10);
    for (const { ref, at } of refs) {
      expect(ref.startsWith('#/'), at).toBe(true);
      expect(resolvePointer(document, ref), `${ref} at ${at}`).toBeDefined();
    }
  });

  it('describes every route and method of the route table, and nothing else', () => {
    const document = build();
    const fromDocument = operationsOf(document)
      .map(([method, resource]) => `${method} ${resource}`)
      .sort();
    const fromRoutes = ROUTES.flatMap((route) => route.methods.map((method) => `${method} ${route.resource}`)).sort();
    expect(fromDocument).toEqual(fromRoutes);
    const ids = operationsOf(document).map(([, , operation]) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares each path parameter of a resource on its operations', () => {
    const document = build();
    for (const [method, resource, operation] of operationsOf(document)) {
      const names = [...resource.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? [])
        .map(
          (parameter) => resolvePointer(document, (parameter as { $ref: string }).$ref) as { name: string; in: string },
        )
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => parameter.name);
      expect(declared, `${method} ${resource}`).toEqual(names);
    }
  });

  it('answers every problem kind somewhere, with the status and body the contract gives it', () => {
    const document = build();
    const seen = new Map<string, unknown>();
    const collect = (response: unknown) => {
      const examples =
        (response as { content?: Record<string, { examples?: Record<string, { value: unknown }> }> }).content?.[
          'application/problem+json'
        ]?.examples ?? {};
      for (const [kind, example] of Object.entries(examples)) seen.set(kind, example.value);
    };
    for (const [, , operation] of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        collect(response);
        for (const value of Object.values(
          (response as { content?: Record<string, { examples?: Record<string, { value: { status: number } }> }> })
            .content?.['application/problem+json']?.examples ?? {},
        )) {
          expect(String(value.value.status)).toBe(status);
        }
      }
    }
    for (const response of Object.values(document.components.responses as Record<string, unknown>)) collect(response);
    for (const kind of Object.keys(PROBLEM_TYPES) as ProblemKind[]) {
      expect(seen.get(kind), kind).toMatchObject({
        status: PROBLEM_TYPES[kind].status,
        title: PROBLEM_TYPES[kind].title,
        type: `urn:products-cli:problem:${kind}`,
      });
    }
  });

  it("documents API Gateway's own 403 on every operation", () => {
    const document = build();
    for (const [method, resource, operation] of operationsOf(document)) {
      const response = resolvePointer(document, (operation.responses['403'] as { $ref: string }).$ref);
      expect(response, `${method} ${resource}`).toMatchObject({
        content: { 'application/json': { example: { message: 'Missing Authentication Token' } } },
      });
    }
  });

  it('takes the field schemas from the contract, and its examples pass the contract', () => {
    const schemas = build().components.schemas as Record<
      string,
      { properties: Record<string, unknown>; examples: unknown[] }
    >;
    expect(schemas.Product?.properties).toEqual(productFieldSchemas);
    expect(isValidProduct(schemas.Product?.examples[0])).toBe(true);
    expect(validateProductInput(schemas.ProductInput?.examples[0]).ok).toBe(true);
    expect(validateProductPatch(schemas.ProductPatch?.examples[0]).ok).toBe(true);
  });

  it('names the target as its server when one is known, and none otherwise', () => {
    expect(build('https://abc.execute-api.us-east-1.amazonaws.com/prod').servers).toEqual([
      { url: 'https://abc.execute-api.us-east-1.amazonaws.com/prod' },
    ]);
    expect(build().servers).toBeUndefined();
  });
});
