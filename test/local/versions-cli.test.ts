// deploy --local and rollback --local through the real CLI against a background local stack, under load: every
// request answers 2xx while live moves to a new version and back.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlerZip } from '../../src/local/handler-code.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';

let cwd: string;
beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-versions-cli-'));
});
afterAll(async () => {
  await runCli(['teardown', '--local', '--yes'], { cwd });
  await rm(cwd, { recursive: true, force: true });
});

describe('deploy --local and rollback --local', () => {
  it('switch the running stack to a new version and back with 0 non-2xx answers under load', async () => {
    // Prepare: the stack, a second bundle (one more line), and 6 clients reading all along
    const setup = JSON.parse(
      (
        await runCli(['setup', '--local', '--port', '0', '--rate-limit', '5000', '--burst-limit', '5000', '--json'], {
          cwd,
        })
      ).stdout,
    ) as { url: string };
    const files = unzipSync(readFileSync(defaultHandlerZip()));
    const entry = Object.keys(files).find((name) => /^index\.(mjs|js|cjs)$/.test(name)) as string;
    files[entry] = new TextEncoder().encode(`${strFromU8(files[entry] as Uint8Array)}\n// next\n`);
    writeFileSync(join(cwd, 'next.zip'), zipSync(files));
    const statuses = new Map<number, number>();
    let stop = false;
    const client = async () => {
      while (!stop) {
        const response = await fetch(`${setup.url}/product?limit=5`).catch(() => undefined);
        await response?.arrayBuffer();
        statuses.set(response?.status ?? 0, (statuses.get(response?.status ?? 0) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: 6 }, client);

    // Act
    const deployed = await runCli(['deploy', '--local', '--zip', 'next.zip'], { cwd });
    const again = await runCli(['deploy', '--local', '--zip', 'next.zip', '--json'], { cwd });
    const back = await runCli(['rollback', '--local'], { cwd });
    const refused = await runCli(['rollback', '--local', '--to', '7'], { cwd });
    const lone = await runCli(['deploy', '--local', '--for', '2m'], { cwd });
    stop = true;
    await Promise.all(clients);

    // Assess
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toMatch(
      /^Deployed the local stack at http:\/\/127\.0\.0\.1:\d+\/prod: live runs version 2 \(code \S+\), replacing version 1\.$/m,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ target: 'local', version: '2', moved: false });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/live runs version 1 \(code \S+\), replacing version 2\./);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('version 7 is not running in the local stack; versions it can use: 2');
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain('--for and --max-error-rate go with --canary PERCENT');
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const non2xx = [...statuses].filter(([status]) => status < 200 || status >= 300).reduce((a, [, n]) => a + n, 0);
    expect(Object.fromEntries(statuses)).toEqual({ 200: total });
    expect(total).toBeGreaterThanOrEqual(50);
    console.log(
      `deploy --local / rollback --local under load: ${total} GET /product by 6 clients, ${non2xx} non-2xx: PASS`,
    );
  }, 120_000);
});
