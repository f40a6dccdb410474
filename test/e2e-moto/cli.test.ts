// The built CLI against moto: setup, status and teardown as a user runs them, with --json for scripts.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { motoAvailable, startEmulator, type Emulator } from './moto-server.js';

let emulator: Emulator;
const cli = (args: string[], cwd: string) => runCli(args, { cwd });

describe.runIf(motoAvailable)('products-cli against moto', () => {
  beforeAll(async () => {
    requireBuild();
    emulator = await startEmulator();
  }, 60_000);
  afterAll(async () => emulator?.stop());

  it('setup --json prints one JSON document; teardown refuses without --yes when stdin is not a terminal', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-cli-'));
    const where = ['--endpoint-url', emulator.url, '--region', 'us-east-1', '--stack', 'cli'];

    const setup = await cli(['setup', ...where, '--no-verify', '--json'], cwd);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    const result = JSON.parse(setup.stdout) as { target: string; url: string; steps: Array<{ outcome: string }> };
    expect(result.target).toBe('aws');
    expect(result.steps.every((s) => s.outcome === 'created')).toBe(true);

    const human = await cli(['setup', ...where, '--no-verify'], cwd);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Nothing to do: every resource of stack cli is already in place/);
    expect(human.stderr).toMatch(/= table cli-product: unchanged/);

    const statusRun = await cli(['status', '--endpoint-url', emulator.url, '--no-verify', '--json'], cwd);
    expect(statusRun.code).toBe(0);
    expect((JSON.parse(statusRun.stdout) as { overall: string; url: string }).overall).toBe('present');

    const refused = await cli(['teardown', '--endpoint-url', emulator.url], cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^products-cli: teardown deletes stack cli in us-east-1; run it again with --yes to confirm/,
    );

    const down = await cli(['teardown', '--endpoint-url', emulator.url, '--yes'], cwd);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('- table cli-product');
    expect(existsSync(join(cwd, '.products-cli', 'state.json'))).toBe(false);
  });

  it('keeps the emulator in the state file: later commands use it, and a contradicting --endpoint-url is refused', async () => {
    // Prepare
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-cli-'));
    const setup = await cli(
      ['setup', '--endpoint-url', emulator.url, '--region', 'us-east-1', '--stack', 'ep', '--no-verify', '--json'],
      cwd,
    );
    expect(setup.code).toBe(0);
    const state = JSON.parse(readFileSync(join(cwd, '.products-cli', 'state.json'), 'utf8')) as {
      aws: { endpointUrl?: string; url?: string };
    };

    // Act
    const status = await cli(['status', '--no-verify', '--json'], cwd);
    const contradicted = await cli(['teardown', '--yes', '--endpoint-url', 'http://127.0.0.1:9'], cwd);
    const down = await cli(['teardown', '--yes'], cwd);

    // Assess
    expect(state.aws.endpointUrl).toBe(emulator.url);
    expect(state.aws.url).toMatch(new RegExp(`^${emulator.url}/restapis/[a-z0-9]+/prod/_user_request_$`));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      overall: 'present',
      endpointUrl: emulator.url,
      url: state.aws.url,
    });
    expect(contradicted.code).toBe(2);
    expect(contradicted.stderr).toMatch(
      /^products-cli: --endpoint-url http:\/\/127\.0\.0\.1:9 contradicts the recorded stack ep, which is in the emulator at /,
    );
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('- table ep-product');
  });

  it('exits 6 with a one-line message when AWS cannot be reached', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-cli-'));
    const run = await cli(['status', '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1'], cwd);
    expect(run.code).toBe(6);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^products-cli: could not reach AWS for sts:GetCallerIdentity/);
  });
});
