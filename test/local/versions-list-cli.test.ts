// versions --local and status --local through the real CLI: the versions a running local stack has loaded, which one
// live runs, and a canary in progress with its share, as the stack's own control answer tells them.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlerZip } from '../../src/local/handler-code.js';
import { requireBuild, runCli, startCli } from '../helpers/run-cli.js';

let cwd: string;
beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-versions-list-'));
});
afterAll(async () => {
  await runCli(['teardown', '--local', '--yes'], { cwd });
  await rm(cwd, { recursive: true, force: true });
});

/** The bundle with `line` appended to its entry, so that its SHA-256 differs. */
function bundleWith(line: string, name: string): void {
  const files = unzipSync(readFileSync(defaultHandlerZip()));
  const entry = Object.keys(files).find((file) => /^index\.(mjs|js|cjs)$/.test(file)) as string;
  files[entry] = new TextEncoder().encode(`${strFromU8(files[entry] as Uint8Array)}\n${line}\n`);
  writeFileSync(join(cwd, name), zipSync(files));
}

describe('versions --local and status --local', () => {
  it('list the local versions with live and the canary, and show them in the status', async () => {
    // Prepare: a stack, a second version deployed, and a third one's canary left running by a killed deploy
    await runCli(['setup', '--local', '--port', '0', '--json'], { cwd });
    bundleWith('// two', 'two.zip');
    bundleWith('// three', 'three.zip');
    const first = await runCli(['versions', '--local', '--json'], { cwd });
    const deployed = await runCli(['deploy', '--local', '--zip', 'two.zip'], { cwd });
    const canaryRun = startCli(['deploy', '--local', '--zip', 'three.zip', '--canary', '25', '--for', '5m'], { cwd });
    let listed: { live: string; canary?: { version: string; weight: number } } = { live: '' };
    for (let tries = 0; tries < 100 && !listed.canary; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = JSON.parse((await runCli(['versions', '--local', '--json'], { cwd })).stdout) as typeof listed;
    }
    canaryRun.child.kill('SIGKILL');

    // Act
    const table = await runCli(['versions', '--local'], { cwd });
    const status = await runCli(['status', '--local'], { cwd });
    const statusJson = JSON.parse((await runCli(['status', '--local', '--json'], { cwd })).stdout) as {
      version?: unknown;
    };
    const back = await runCli(['rollback', '--local'], { cwd });
    const after = await runCli(['status', '--local'], { cwd });

    // Assess
    expect(JSON.parse(first.stdout)).toMatchObject({
      target: 'local',
      live: '1',
      versions: [{ version: '1', codeSha256: expect.any(String) }],
    });
    expect(JSON.parse(first.stdout).canary).toBeUndefined();
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(listed).toMatchObject({ live: '2', canary: { version: '3', weight: 0.25 } });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      /^Versions of the local stack at http:\/\/127\.0\.0\.1:\d+\/prod:\nversion\s+published\s+code SHA-256\n/,
    );
    expect(table.stdout).not.toContain('products-cli  ');
    expect(table.stdout).toMatch(/^1\s+\d{4}-\d\d-\d\dT\S+Z\s+\S+$/m);
    expect(table.stdout).toMatch(/^2\s+\S+\s+\S+\s+live \(75%\)$/m);
    expect(table.stdout).toMatch(/^3\s+\S+\s+\S+\s+canary \(25%\)$/m);
    expect(status.stdout).toMatch(/live\s+version 2 \(code \S+\) with 75%, canary version 3 with 25%/);
    expect(statusJson.version).toEqual({
      live: '2',
      codeSha256: expect.any(String),
      canary: { version: '3', weight: 0.25 },
    });
    expect(back.code, back.stderr).toBe(0);
    expect(after.stdout).toMatch(/live\s+version 2 \(code \S+\)\n/);
    expect(after.stdout).not.toContain('canary');
  }, 120_000);
});
