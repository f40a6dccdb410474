// The local stack's versions under load: deploy loads a bundle as a new version and moves live to it, rollback
// moves it back, and no request in flight meanwhile fails or is dropped.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlerZip } from '../../src/local/handler-code.js';
import { sendControl } from '../../src/local/control.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';

/** The bundle with one more line: other bytes, the same behaviour. */
async function otherBundle(mark: string): Promise<string> {
  const files = unzipSync(readFileSync(defaultHandlerZip()));
  const entry = Object.keys(files).find((name) => /^index\.(mjs|js|cjs)$/.test(name)) as string;
  files[entry] = new TextEncoder().encode(`${strFromU8(files[entry] as Uint8Array)}\n// ${mark}\n`);
  const path = join(await mkdtemp(join(tmpdir(), 'products-cli-versions-')), `${mark}.zip`);
  writeFileSync(path, zipSync(files));
  return path;
}

describe("the local stack's versions", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, throttle: null, concurrency: 2 });
  }, 30_000);
  afterAll(async () => stack?.stop());

  it('deploys and rolls back under load with no failed or dropped request', async () => {
    // Prepare: a steady load of reads and writes from 8 clients
    const [second, third] = await Promise.all([otherBundle('second'), otherBundle('third')]);
    const statuses = new Map<number, number>();
    let stop = false;
    let sent = 0;
    const client = async (n: number) => {
      while (!stop) {
        sent += 1;
        const write = sent % 4 === 0;
        const response = await fetch(
          `${stack.url}/product${write ? '' : '?limit=5'}`,
          write
            ? {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ id: `c${n}-${sent}`, title: 'Under load', price: 1 }),
              }
            : {},
        ).catch(() => undefined);
        const status = response?.status ?? 0;
        await response?.arrayBuffer();
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: 8 }, (_v, n) => client(n));
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Act: deploy, deploy the same bundle again, deploy another, roll back twice, each while the load runs
    const pause = () => new Promise((resolve) => setTimeout(resolve, 500));
    const coldBefore = (await stack.stats()).environments.coldStarts;
    const first = await stack.versions.deploy(second);
    await pause();
    // The requests since went to the new version's own environments.
    expect((await stack.stats()).environments.coldStarts).toBeGreaterThan(coldBefore);
    const again = await stack.versions.deploy(second);
    const later = await stack.versions.deploy(third);
    await pause();
    const back = stack.versions.rollback();
    await pause();
    const named = stack.versions.rollback('1');
    await pause();
    stop = true;
    await Promise.all(clients);

    // Assess
    expect([first, again, later, back, named]).toEqual([
      { version: '2', replacedVersion: '1', moved: true },
      { version: '2', replacedVersion: '2', moved: false },
      { version: '3', replacedVersion: '2', moved: true },
      { version: '2', replacedVersion: '3', moved: true },
      { version: '1', replacedVersion: '2', moved: true },
    ]);
    expect(stack.versions.list().map((v) => v.version)).toEqual(['1', '2', '3']);
    expect(() => stack.versions.rollback('9')).toThrow(
      'version 9 is not running in the local stack; versions it can use: 2, 3',
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const failed = [...statuses].filter(([status]) => status < 200 || status >= 300).reduce((a, [, n]) => a + n, 0);
    expect(Object.fromEntries(statuses)).toEqual(
      Object.fromEntries([...statuses].filter(([status]) => status === 200 || status === 201)),
    );
    expect(total).toBeGreaterThanOrEqual(100);
    // The figure, printed only from a run whose every answer was 2xx.
    console.log(
      `local deploy/rollback under load: ${total} requests by 8 clients across 3 deploys and 2 rollbacks, ${failed} non-2xx`,
    );
  }, 60_000);

  it("weights requests between two versions' pools during a canary, counts each version's failures, and answers control only to the secret", async () => {
    // Prepare: a bundle whose function throws
    const dir = await mkdtemp(join(tmpdir(), 'products-cli-versions-'));
    const broken = join(dir, 'broken.zip');
    writeFileSync(
      broken,
      zipSync({
        'index.mjs': new TextEncoder().encode('export const handler = async () => { throw new Error("broken"); };'),
      }),
    );
    const before = stack.versions.live();

    // Act
    const refused = await fetch(`${stack.url.replace(/\/prod$/, '')}/.products-cli/health?nonce=${'ab'.repeat(16)}`, {
      method: 'POST',
      body: JSON.stringify({ action: 'rollback' }),
    });
    const started = await sendControl(stack.port, stack.secret, { action: 'canary', zip: broken, weight: 0.5 });
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${stack.url}/product?limit=1`).then(async (r) => (await r.arrayBuffer(), r.status)),
      ),
    );
    const figures = await sendControl(stack.port, stack.secret, { action: 'figures' });
    const ended = await sendControl(stack.port, stack.secret, { action: 'end-canary', promote: false });

    // Assess
    expect(refused.status).toBe(403);
    const canary = started.body.version as string;
    expect(started.body).toEqual({ version: canary, stable: before });
    const counted = figures.body.figures ?? {};
    expect((counted[canary]?.invocations ?? 0) + (counted[before]?.invocations ?? 0)).toBe(40);
    expect(counted[canary]?.errors).toBe(counted[canary]?.invocations);
    expect(counted[before]?.errors ?? 0).toBe(0);
    expect(answers.filter((s) => s === 502)).toHaveLength(counted[canary]?.invocations ?? -1);
    // Both pools served: with even odds, 40 requests all to one side would be a 1 in 2^39 run.
    expect(counted[canary]?.invocations).toBeGreaterThan(0);
    expect(counted[before]?.invocations).toBeGreaterThan(0);
    expect(ended.body).toMatchObject({ version: before, moved: true, live: before });
    expect(ended.body).not.toHaveProperty('canary');
  }, 60_000);
});
