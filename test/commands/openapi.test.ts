// End to end: `openapi` through the real bin, and the document it prints validated as OpenAPI 3.1.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';

let cwd: string;

beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-openapi-'));
});

afterAll(async () => {
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

describe('openapi', () => {
  it('prints a valid OpenAPI 3.1 document whose server is the target', async () => {
    const run = await runCli(['openapi', '--url', 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/'], { cwd });

    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toBe('');
    const document = JSON.parse(run.stdout) as { servers: unknown; paths: Record<string, unknown> };
    expect(document.servers).toEqual([
      { url: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod', description: 'given with --url' },
    ]);
    await expect(SwaggerParser.validate(document as never)).resolves.toBeDefined();
  });

  it('takes the server from PRODUCTS_API_URL, and leaves it out when no target is known', async () => {
    const fromEnv = await runCli(['openapi'], { cwd, env: { PRODUCTS_API_URL: 'http://127.0.0.1:3000/prod' } });
    const none = await runCli(['openapi'], { cwd });

    expect(JSON.parse(fromEnv.stdout).servers).toEqual([
      { url: 'http://127.0.0.1:3000/prod', description: 'from PRODUCTS_API_URL' },
    ]);
    expect(none.code).toBe(EXIT.ok);
    expect(JSON.parse(none.stdout).servers).toBeUndefined();
  });

  it('writes the document to --output', async () => {
    const run = await runCli(['openapi', '--url', 'http://127.0.0.1:3000/prod', '--output', 'api.json'], { cwd });

    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('wrote api.json (server http://127.0.0.1:3000/prod)\n');
    expect(JSON.parse(await readFile(join(cwd, 'api.json'), 'utf8')).openapi).toBe('3.1.0');
  });

  it('refuses a --url that is not a URL', async () => {
    const run = await runCli(['openapi', '--url', 'nope'], { cwd });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/^products-cli: --url is not a URL: nope/);
  });
});
