// versions --local and status --local through the real CLI: the versions a running local stack has loaded, which one
// live runs, and a canary in progress with its share, as the stack's own control answer tells them.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHandlerZip } from '../../src/local/handler-code.js';
import { requireBuild } from '../commands/helpers/run-cli.js';
import { bin, cli } from './cli-run.js';

let cwd: string;
beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-versions-list-'));
});
afterAll(async () => {
  await cli(cwd, ['teardown', '--local', '--yes']);
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
    await cli(cwd, ['setup', '--local', '--port', '0', '--json']);
    bundleWith('// two', 'two.zip');
    bundleWith('// three', 'three.zip');
    const first = await cli(cwd, ['versions', '--local', '--json']);
    const deployed = await cli(cwd, ['deploy', '--local', '--zip', 'two.zip']);
    const canaryRun = spawn(
      process.execPath,
      [bin, 'deploy', '--local', '--zip', 'three.zip', '--canary', '25', '--for', '5m'],
      { cwd, stdio: 'ignore' },
    );
    let listed: { live: string; canary?: { version: string; weight: number } } = { live: '' };
    for (let tries = 0; tries < 100 && !listed.canary; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = JSON.parse((await cli(cwd, ['versions', '--local', '--json'])).stdout) as typeof listed;
    }
    canaryRun.kill('SIGKILL');

    // Act
    const table = await cli(cwd, ['versions', '--local']);
    const status = await cli(cwd, ['status', '--local']);
    const statusJson = JSON.parse((await cli(cwd, ['status', '--local', '--json'])).stdout) as { version?: unknown };
    const back = await cli(cwd, ['rollback', '--local']);
    const after = await cli(cwd, ['status', '--local']);

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
