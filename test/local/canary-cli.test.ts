// deploy --local --canary through the real CLI, two local stacks at once: the stack routes the share to the new
// version's pool and counts each version's failed invocations itself. A bundle that throws is rolled back with
// exit 1; a clean one is promoted. Ctrl-C (SIGINT) or SIGTERM takes the canary out, exit 130 or 143.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlerZip } from '../../src/local/handler-code.js';
import { requireBuild, runCli, startCli } from '../helpers/run-cli.js';

const dirs: string[] = [];
beforeAll(() => requireBuild());
afterAll(async () => {
  for (const cwd of dirs) {
    await runCli(['teardown', '--local', '--yes'], { cwd });
    await rm(cwd, { recursive: true, force: true });
  }
});

/** A stack in a directory of its own, a bundle to deploy there, and a reader that runs until `stop`. */
async function stackWith(bundle: Record<string, Uint8Array>) {
  const cwd = await mkdtemp(join(tmpdir(), 'products-cli-canary-local-'));
  dirs.push(cwd);
  writeFileSync(join(cwd, 'next.zip'), zipSync(bundle));
  const setup = JSON.parse(
    (
      await runCli(['setup', '--local', '--port', '0', '--rate-limit', '5000', '--burst-limit', '5000', '--json'], {
        cwd,
      })
    ).stdout,
  ) as { url: string };
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

/** The default bundle with one more line, so that its SHA-256 differs. */
function cleanBundle(): Record<string, Uint8Array> {
  const files = unzipSync(readFileSync(defaultHandlerZip()));
  const entry = Object.keys(files).find((name) => /^index\.(mjs|js|cjs)$/.test(name)) as string;
  return { ...files, [entry]: new TextEncoder().encode(`${strFromU8(files[entry] as Uint8Array)}\n// next\n`) };
}

interface Listed {
  live: string;
  canary?: { version: string; weight: number };
}

/** A canary of a clean bundle under a reader, sent `signal` once the stack routes to it; what versions said meanwhile. */
async function canaryStoppedBy(signal: NodeJS.Signals) {
  const stack = await stackWith(cleanBundle());
  const canary = startCli(['deploy', '--local', '--zip', 'next.zip', '--canary', '30', '--for', '5m'], {
    cwd: stack.cwd,
  });
  let during: Listed = { live: '' };
  for (let tries = 0; tries < 100 && !during.canary; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    during = JSON.parse((await runCli(['versions', '--local', '--json'], { cwd: stack.cwd })).stdout) as Listed;
  }
  canary.child.kill(signal);
  const run = await canary.done;
  const after = JSON.parse((await runCli(['versions', '--local', '--json'], { cwd: stack.cwd })).stdout) as Listed;
  await stack.finish();
  return { run, during, after, statuses: stack.statuses };
}

describe('deploy --local --canary', () => {
  it("rolls back a new version that fails (exit 1) and promotes a clean one, from the stack's own counts", async () => {
    // Prepare
    const clean = cleanBundle();
    const broken = {
      'index.mjs': new TextEncoder().encode('export const handler = async () => { throw new Error("broken"); };'),
    };
    const [bad, good] = await Promise.all([stackWith(broken), stackWith(clean)]);

    // Act: both canaries at once, 10 s each, the local shortest: two checks, 5 s apart
    const [badRun, goodRun] = await Promise.all([
      runCli(['deploy', '--local', '--zip', 'next.zip', '--canary', '50', '--for', '10s'], { cwd: bad.cwd }),
      runCli(['deploy', '--local', '--zip', 'next.zip', '--canary', '50', '--for', '10s'], { cwd: good.cwd }),
    ]);
    await Promise.all([bad.finish(), good.finish()]);

    // Assess
    expect(badRun.code, badRun.stderr).toBe(1);
    expect(badRun.stdout).toMatch(
      /canary at 0:05: new version 2 \(50%\): (\d+) invocations, \1 errors · live version 1 \(50%\): \d+ invocations, 0 errors/,
    );
    expect(badRun.stdout).toMatch(
      /Rolled back the canary of version 2 in the local stack: version 2 failed (\d+) of \1 invocations \(100%, above 1%\)/,
    );
    expect(badRun.stderr).toContain('products-cli: the canary of version 2 was rolled back');
    expect(bad.statuses.get(502)).toBeGreaterThan(0);
    expect(goodRun.code, goodRun.stderr).toBe(0);
    expect(goodRun.stdout).toMatch(/canary at 0:05: .*\n.*canary at 0:10: /);
    expect(goodRun.stdout).toMatch(
      /Promoted version 2 in the local stack after 50% of requests \(\d+ invocations, 0 errors\); live runs it alone, replacing version 1\./,
    );
    expect(Object.keys(Object.fromEntries(good.statuses))).toEqual(['200']);
    expect(good.statuses.get(200)).toBeGreaterThanOrEqual(50);
  }, 180_000);

  it('refuses a canary under a minute on AWS, where CloudWatch has figures only each minute (exit 2)', async () => {
    // Act
    const cwd = await mkdtemp(join(tmpdir(), 'products-cli-canary-aws-'));
    const run = await runCli(['deploy', '--canary', '10', '--for', '30s', '--region', 'us-east-1'], { cwd });
    await rm(cwd, { recursive: true, force: true });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('products-cli: --for must be at least 1m on AWS');
  });

  it('takes the canary out on SIGINT (exit 130) and on SIGTERM (exit 143), and says so', async () => {
    // Act
    const [interrupted, terminated] = await Promise.all([canaryStoppedBy('SIGINT'), canaryStoppedBy('SIGTERM')]);

    // Assess
    for (const [{ run, during, after, statuses }, code] of [
      [interrupted, 130],
      [terminated, 143],
    ] as const) {
      expect(during).toMatchObject({ live: '1', canary: { version: '2', weight: 0.3 } });
      expect(run.code, run.stderr).toBe(code);
      expect(run.stdout).toContain(
        "Stopped: took out the canary of version 2; the local stack's live runs version 1 alone.",
      );
      expect(run.stderr).toContain(
        'products-cli: deploy was stopped during the canary of version 2; live runs version 1 alone',
      );
      expect(after.live).toBe('1');
      expect(after.canary).toBeUndefined();
      expect(Object.keys(Object.fromEntries(statuses))).toEqual(['200']);
    }
  }, 120_000);
});
