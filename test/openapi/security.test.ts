import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { OPERATIONS } from '../../src/contract/operations.js';

const securityOf = (document: ReturnType<typeof buildOpenApiDocument>) =>
  Object.fromEntries(
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op.security]),
    ),
  );

describe('security schemes per operation', () => {
  it('declares SigV4 as API Gateway exports it, on the writes by default, and stays a valid document', async () => {
    const document = buildOpenApiDocument({ version: '1.0.0' });

    expect((document.components as any).securitySchemes.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
    expect(securityOf(document)).toEqual(
      Object.fromEntries(
        OPERATIONS.map((op) => [`${op.method} ${op.resource}`, op.access === 'write' ? [{ sigv4: [] }] : []]),
      ),
    );
    expect(securityOf(document)).toMatchObject({
      'GET /product': [],
      'POST /product': [{ sigv4: [] }],
      'DELETE /product/{id}': [{ sigv4: [] }],
    });
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it.each([
    ['api-key with private reads', { mode: 'api-key', privateReads: true }, [{ apiKey: [] }], [{ apiKey: [] }]],
    ['none', { mode: 'none', privateReads: false }, [], []],
  ] as const)("follows the target's auth: %s", (_name, auth, reads, writes) => {
    const security = securityOf(buildOpenApiDocument({ version: '1.0.0', auth }));

    expect(security['GET /product']).toEqual(reads);
    expect(security['POST /product']).toEqual(writes);
  });
});
