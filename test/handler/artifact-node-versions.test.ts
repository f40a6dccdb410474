// dist/handler.zip on the Node versions Lambda runs (nodejs22.x, nodejs24.x), each a binary from the npm
// registry: the unpacked bundle serves the CRUD cycle against a real DynamoDB engine, logs one JSON line per
// request, and writes nothing to stderr (no SDK Node-version warning, no experimental-feature warning).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NODE_VERSIONS } from '../../scripts/ci/node-binary.mjs';
import { packageRoot, unpackArtifact } from '../helpers/artifact.js';
import { crudCycle } from '../helpers/crud-cycle.js';
import { startTestEngine, type TestEngine } from '../helpers/dynamo-engine.js';

const binaries = inject('nodeBinaries');
const driver = join(packageRoot, 'test', 'helpers', 'artifact-driver.mjs');

interface DriverRun {
  code: number | null;
  stdout: string;
  stderr: string;
  node: string;
  results: APIGatewayProxyResult[];
}

/** Runs the driver under `node` with only the variables Lambda would set, none of this test process's. */
function drive(node: string, major: string, dir: string, engine: TestEngine, events: unknown[]): Promise<DriverRun> {
  const work = mkdtempSync(join(tmpdir(), 'products-artifact-run-'));
  writeFileSync(join(work, 'events.json'), JSON.stringify(events));
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${major}.x`,
    AWS_LAMBDA_FUNCTION_NAME: 'productFunction',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    TABLE_NAME: engine.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(node, [driver, dir, join(work, 'events.json'), join(work, 'results.json')], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.on('error', reject);
    child.on('close', (code) => {
      const out =
        code === 0
          ? (JSON.parse(readFileSync(join(work, 'results.json'), 'utf8')) as {
              node: string;
              results: APIGatewayProxyResult[];
            })
          : { node: '', results: [] };
      resolve({ code, stdout, stderr, ...out });
    });
  });
}

for (const [major, version] of Object.entries(NODE_VERSIONS)) {
  const node = binaries[major];
  let engine: TestEngine;

  describe.runIf(node)(`dist/handler.zip on Node ${version}`, () => {
    beforeAll(async () => {
      engine = await startTestEngine(`artifact-node${major}`);
    });
    afterAll(async () => engine?.stop());

    it('serves create, get, list, update and delete, logging one JSON line each and nothing on stderr', async () => {
      // Prepare
      const cycle = crudCycle(`n${major}`);

      // Act
      const run = await drive(
        node!,
        major,
        unpackArtifact(),
        engine,
        cycle.map((step) => step.event),
      );

      // Assess
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.node).toBe(`v${version}`);
      expect(run.results.map((r) => r.statusCode)).toEqual(cycle.map((step) => step.status));
      expect(JSON.parse(run.results[2]!.body).items.map((p: { id: string }) => p.id)).toEqual([`n${major}`]);
      expect(JSON.parse(run.results[3]!.body)).toMatchObject({ price: 899, version: 2 });
      const lines = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { status: number; requestId: string });
      expect(lines.map((line) => line.status)).toEqual(cycle.map((step) => step.status));
      expect(lines.map((line) => line.requestId)).toEqual(cycle.map((step) => step.event.requestContext.requestId));
    });
  });
}
