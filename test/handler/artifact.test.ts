import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProxyHandler } from '../../src/handler/create-handler.js';
import { handlerZipPath, packageRoot, unpackArtifact } from '../helpers/artifact.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';
import { proxyEvent } from '../helpers/proxy-event.js';

describe('dist/handler.zip', () => {
  let engine: TestEngine;
  let handler: ProxyHandler;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    engine = await startTestEngine('artifact-table');
    // The bundle reads its configuration at import, as it does on Lambda.
    process.env.TABLE_NAME = 'artifact-table';
    process.env.AWS_ENDPOINT_URL_DYNAMODB = engine.endpoint;
    const dir = unpackArtifact();
    ({ handler } = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { handler: ProxyHandler });
  });

  afterAll(async () => {
    process.env = savedEnv;
    await engine.stop();
  });

  it('holds one file, index.mjs, exporting handler', () => {
    const entries = unzipSync(readFileSync(handlerZipPath));

    expect(Object.keys(entries)).toEqual(['index.mjs']);
    expect(typeof handler).toBe('function');
  });

  it('serves create, get, list, update and delete through the bundled file, logging one JSON line each', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));

    const created = await handler(proxyEvent('POST', '/product', { body: { id: 'a1', title: 'IPhone', price: 900 } }));
    const fetched = await handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: 'a1' } }));
    const listed = await handler(proxyEvent('GET', '/product'));
    const updated = await handler(proxyEvent('PATCH', '/product/{id}', { pathParameters: { id: 'a1' }, body: { price: 899 } }));
    const deleted = await handler(proxyEvent('DELETE', '/product/{id}', { pathParameters: { id: 'a1' } }));
    const gone = await handler(proxyEvent('GET', '/product/{id}', { pathParameters: { id: 'a1' } }));
    spy.mockRestore();

    expect([created, fetched, listed, updated, deleted, gone].map((r) => r.statusCode)).toEqual([201, 200, 200, 200, 204, 404]);
    expect(JSON.parse(listed.body).items.map((p: { id: string }) => p.id)).toEqual(['a1']);
    expect(JSON.parse(updated.body)).toMatchObject({ price: 899, version: 2 });
    expect(written.map((line) => JSON.parse(line).status)).toEqual([201, 200, 200, 200, 204, 404]);
  });

  it('is byte for byte the same when built again from the same sources, in any time zone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'products-zip-'));
    const build = (name: string, tz: string) => {
      const out = join(dir, name);
      execFileSync(process.execPath, [join(packageRoot, 'scripts', 'bundle-handler.mjs'), '--out', out], {
        env: { ...process.env, TZ: tz },
        stdio: 'ignore',
      });
      return readFileSync(out);
    };

    const first = build('a.zip', 'UTC');
    const second = build('b.zip', 'Pacific/Kiritimati');

    expect(first.length).toBeGreaterThan(0);
    expect(first.equals(second)).toBe(true);
  });
});
