// The local stack's versions under load: deploy loads a bundle as a new version and moves live to it, rollback
// moves it back, and no request in flight meanwhile fails or is dropped.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlerZip } from '../../src/local/handler-code.js';
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

describe('the local stack\'s versions', () => {
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
        const response = await fetch(`${stack.url}/product${write ? '' : '?limit=5'}`, write
          ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: `c${n}-${sent}`, title: 'Under load', price: 1 }) }
          : {}).catch(() => undefined);
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
    expect(() => stack.versions.rollback('9')).toThrow('version 9 is not running in the local stack; versions it can use: 2, 3');
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const failed = [...statuses].filter(([status]) => status < 200 || status >= 300).reduce((a, [, n]) => a + n, 0);
    expect(Object.fromEntries(statuses)).toEqual(Object.fromEntries([...statuses].filter(([status]) => status === 200 || status === 201)));
    expect(total).toBeGreaterThanOrEqual(100);
    // The figure, printed only from a run whose every answer was 2xx.
    console.log(`local deploy/rollback under load: ${total} requests by 8 clients across 3 deploys and 2 rollbacks, ${failed} non-2xx`);
  }, 60_000);
});
