import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { teardownLocal } from '../../src/commands/teardown/local.js';
import type { Context } from '../../src/context.js';
import { writeState } from '../../src/state/state-file.js';

let cwd: string;

/** A context whose stdin is a terminal that answers `answer`. */
function terminalContext(answer: string): { ctx: Context; prompt: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = new PassThrough();
  let prompt = '';
  stderr.on('data', (chunk) => {
    prompt += chunk;
    if (prompt.includes('[y/N]')) stdin.write(`${answer}\n`);
  });
  const ctx: Context = {
    stdin,
    stdout: new PassThrough(),
    stderr,
    env: {},
    cwd,
    json: false,
    color: false,
    signal: new AbortController().signal,
  };
  return { ctx, prompt: () => prompt };
}

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-teardown-'));
  await mkdir(join(cwd, '.products-cli', 'local', 'data'), { recursive: true });
  // A recorded stack that no longer answers: nothing is stopped, only the state and the data go.
  await writeState(cwd, {
    version: 1,
    current: 'local',
    local: {
      url: 'http://127.0.0.1:9/prod',
      port: 9,
      stage: 'prod',
      pid: 2 ** 22 + 1,
      dataDir: join(cwd, '.products-cli', 'local', 'data'),
      dynamodbEndpoint: 'http://127.0.0.1:9',
      startedAt: new Date().toISOString(),
    },
  });
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('teardown --local at a terminal', () => {
  it('asks, naming what it will stop and delete, and changes nothing when the answer is no', async () => {
    const { ctx, prompt } = terminalContext('n');

    await expect(teardownLocal({}, ctx)).rejects.toThrow(/cancelled/);

    expect(prompt()).toContain('forget the local stack at http://127.0.0.1:9/prod');
    expect(prompt()).toContain(`delete its data in ${join(cwd, '.products-cli', 'local')}`);
    expect(existsSync(join(cwd, '.products-cli', 'state.json'))).toBe(true);
    expect(existsSync(join(cwd, '.products-cli', 'local', 'data'))).toBe(true);
  });

  it('goes ahead on yes', async () => {
    const { ctx } = terminalContext('y');

    const result = await teardownLocal({}, ctx);

    expect(result).toMatchObject({ status: 'not-running', deletedData: join(cwd, '.products-cli', 'local') });
    expect(existsSync(join(cwd, '.products-cli', 'state.json'))).toBe(false);
    expect(existsSync(join(cwd, '.products-cli', 'local'))).toBe(false);
  });
});
