// `smoke` through the real bin against a local stack that requires signed writes and allows a browser origin:
// the write without credentials must be refused, and the preflight must allow a signed PATCH.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { writeState } from '../../src/state/state-file.js';
import type { SmokeReport } from '../../src/testing/smoke.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';

const key = { accessKeyId: 'AKIASMOKEACCESSTEST1', secretAccessKey: 'smoke-access-secret-0123456789abcdefghij' };
const auth = { mode: 'iam' as const, privateReads: false };
let stack: LocalStack;
let open: LocalStack;
let cwd: string;

beforeAll(async () => {
  requireBuild();
  [stack, open] = await Promise.all([
    startLocalStack({
      port: 0,
      access: { auth, credentials: [key], region: 'us-east-1', corsOrigins: ['http://shop.example.test'] },
    }),
    // Claims IAM in the state file, but lets anyone write: the check must catch it.
    startLocalStack({ port: 0 }),
  ]);
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-smoke-access-'));
});

afterAll(async () => {
  await Promise.all([stack?.stop(), open?.stop()]);
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

async function recordAs(target: LocalStack, corsOrigins?: string[]): Promise<void> {
  await writeState(cwd, {
    version: 1,
    current: 'local',
    local: {
      url: target.url,
      port: target.port,
      stage: 'prod',
      pid: process.pid,
      dynamodbEndpoint: target.dynamodbEndpoint,
      startedAt: new Date().toISOString(),
      auth,
      region: 'us-east-1',
      credentials: key,
      ...(corsOrigins ? { corsOrigins } : {}),
    },
  });
}

describe('smoke against a stack with IAM and CORS', () => {
  it('passes: signed writes work, an unsigned one is refused, the preflight allows a signed PATCH', async () => {
    await recordAs(stack, ['http://shop.example.test']);

    const run = await runCli(['smoke', '--json'], { cwd });

    const report = JSON.parse(run.stdout) as SmokeReport;
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'write without credentials is refused (403)',
        'CORS preflight allows a signed PATCH with If-Match',
      ]),
    );
    expect(run.code).toBe(0);
  });

  it('fails when an unsigned write goes through, or the preflight is missing', async () => {
    await recordAs(open, ['http://shop.example.test']);

    const run = await runCli(['smoke', '--json'], { cwd });

    const report = JSON.parse(run.stdout) as SmokeReport;
    const failed = Object.fromEntries(report.checks.filter((c) => c.status === 'fail').map((c) => [c.name, c.actual]));
    expect(failed['write without credentials is refused (403)']).toMatch(/^HTTP 201/);
    expect(failed['CORS preflight allows a signed PATCH with If-Match']).toMatch(/403/);
    expect(report.cleanup.leftBehind).toEqual([]);
    expect(run.code).toBe(1);
  });
});
