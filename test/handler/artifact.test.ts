import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProxyHandler } from '../../src/handler/create-handler.js';
import { handlerZipPath, packageRoot, unpackArtifact } from '../helpers/artifact.js';
import { crudCycle } from '../helpers/crud-cycle.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';

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

    const cycle = crudCycle();
    const results = [];
    for (const step of cycle) results.push(await handler(step.event));
    spy.mockRestore();

    expect(results.map((r) => r.statusCode)).toEqual(cycle.map((step) => step.status));
    expect(JSON.parse(results[2]!.body).items.map((p: { id: string }) => p.id)).toEqual(['a1']);
    expect(JSON.parse(results[3]!.body)).toMatchObject({ price: 899, version: 2 });
    expect(written.map((line) => JSON.parse(line).status)).toEqual(cycle.map((step) => step.status));
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
