// deploy --local --canary through the real CLI, two local stacks at once: the stack routes the share to the new
// version's pool and counts each version's failed invocations itself. A bundle that throws is rolled back with
// exit 1; a clean one is promoted.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlerZip } from '../../src/local/handler-code.js';
import { requireBuild } from '../commands/helpers/run-cli.js';
import { cli } from './cli-run.js';

const dirs: string[] = [];
beforeAll(() => requireBuild());
afterAll(async () => {
  for (const cwd of dirs) {
    await cli(cwd, ['teardown', '--local', '--yes']);
    await rm(cwd, { recursive: true, force: true });
  }
});

/** A stack in a directory of its own, a bundle to deploy there, and a reader that runs until `stop`. */
async function stackWith(bundle: Record<string, Uint8Array>) {
  const cwd = await mkdtemp(join(tmpdir(), 'products-cli-canary-local-'));
  dirs.push(cwd);
  writeFileSync(join(cwd, 'next.zip'), zipSync(bundle));
  const setup = JSON.parse((await cli(cwd, ['setup', '--local', '--port', '0', '--rate-limit', '5000', '--burst-limit', '5000', '--json'])).stdout) as { url: string };
  const statuses = new Map<number, number>();
  let stop = false;
  const reader = (async () => {
    while (!stop) {
      const response = await fetch(`${setup.url}/product?limit=1`).catch(() => undefined);
      await response?.arrayBuffer();
      statuses.set(response?.status ?? 0, (statuses.get(response?.status ?? 0) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return { cwd, statuses, finish: () => ((stop = true), reader) };
}

describe('deploy --local --canary', () => {
  it('rolls back a new version that fails (exit 1) and promotes a clean one, from the stack\'s own counts', async () => {
    // Prepare
    const files = unzipSync(readFileSync(defaultHandlerZip()));
    const entry = Object.keys(files).find((name) => /^index\.(mjs|js|cjs)$/.test(name)) as string;
    const clean = { ...files, [entry]: new TextEncoder().encode(`${strFromU8(files[entry] as Uint8Array)}\n// next\n`) };
    const broken = { 'index.mjs': new TextEncoder().encode('export const handler = async () => { throw new Error("broken"); };') };
    const [bad, good] = await Promise.all([stackWith(broken), stackWith(clean)]);

    // Act: both canaries at once, a minute each
    const [badRun, goodRun] = await Promise.all([
      cli(bad.cwd, ['deploy', '--local', '--zip', 'next.zip', '--canary', '50', '--for', '1m']),
      cli(good.cwd, ['deploy', '--local', '--zip', 'next.zip', '--canary', '50', '--for', '1m']),
    ]);
    await Promise.all([bad.finish(), good.finish()]);

    // Assess
    expect(badRun.code, badRun.stderr).toBe(1);
    expect(badRun.stdout).toMatch(/canary minute 1: new version 2 \(50%\): (\d+) invocations, \1 errors · live version 1 \(50%\): \d+ invocations, 0 errors/);
    expect(badRun.stdout).toMatch(/Rolled back the canary of version 2 in the local stack: version 2 failed (\d+) of \1 invocations \(100%, above 1%\)/);
    expect(badRun.stderr).toContain('products-cli: the canary of version 2 was rolled back');
    expect(bad.statuses.get(502)).toBeGreaterThan(0);
    expect(goodRun.code, goodRun.stderr).toBe(0);
    expect(goodRun.stdout).toMatch(/Promoted version 2 in the local stack after 50% of requests \(\d+ invocations, 0 errors\); live runs it alone, replacing version 1\./);
    expect(Object.keys(Object.fromEntries(good.statuses))).toEqual(['200']);
    expect(good.statuses.get(200)).toBeGreaterThanOrEqual(50);
  }, 180_000);
});
