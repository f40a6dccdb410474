// teardown and status with nothing to act on, and teardown's reported time at a terminal.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupAws } from '../../src/commands/setup/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { fakeWorld, testContext } from '../aws/fake/harness.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';

/** No AWS variable, and a home with no AWS configuration: a machine where nothing says which region. */
function bareEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { HOME: mkdtempSync(join(tmpdir(), 'products-cli-home-')) };
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) env[key] = undefined;
  return env;
}

describe('with nothing set up here', () => {
  beforeAll(() => requireBuild());

  it.each([['teardown', '--yes'], ['status']])(
    '%s says so and exits 0, with no AWS region or credentials needed',
    async (...args) => {
      const cwd = mkdtempSync(join(tmpdir(), 'products-cli-nothing-'));

      const run = await runCli(args, { cwd, env: bareEnv() });

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `Nothing is set up here: ${join(cwd, '.products-cli', 'state.json')} records no AWS stack`,
      );
    },
  );

  it('teardown --json gives the same as data', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-nothing-'));

    const run = await runCli(['teardown', '--yes', '--json'], { cwd, env: bareEnv() });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      target: 'none',
      stateFile: join(cwd, '.products-cli', 'state.json'),
      localRecorded: false,
    });
  });
});

describe('teardown at a terminal', () => {
  it('reports the time of the teardown without the time spent at its [y/N] prompt', async () => {
    // Prepare: a stack, and a person who answers a minute after the question
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    const ctx = testContext(world.cwd, { stdinTTY: true });
    const stdin = ctx.stdin as PassThrough;
    const answerAfterMs = 60_000;
    let asked = false;
    const write = ctx.stderr.write.bind(ctx.stderr);
    ctx.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (!asked && String(chunk).includes('[y/N]')) {
        asked = true;
        void world.clock.sleep(answerAfterMs).then(() => stdin.write('y\n'));
      }
      return write(chunk, ...rest);
    }) as typeof ctx.stderr.write;

    // Act
    const started = world.clock.now();
    const down = await teardownAws({}, ctx, world.deps());
    const elapsed = world.clock.now() - started;

    // Assess: the prompt was answered after a minute, which the reported time leaves out
    expect(asked).toBe(true);
    expect(down.removed.length).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThan(answerAfterMs);
    expect(down.ms).toBeLessThan(elapsed - answerAfterMs + 1);
    expect(down.ms).toBeGreaterThan(0);
    for (const entry of down.timeline) expect(entry.startMs).toBeLessThan(down.ms + 1);
  });
});
