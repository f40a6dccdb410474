// `console` through the real bin, without a browser: what Health's route says when it has no metrics to read.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeState } from '../../src/state/state-file.js';
import { consoleCookie, startConsoleCli, type RunningConsole } from '../helpers/console-cli.js';
import { requireBuild } from '../helpers/run-cli.js';

let cwd: string;
let running: RunningConsole | undefined;

beforeAll(() => requireBuild());

afterEach(async () => {
  running?.process.kill('SIGINT');
  running = undefined;
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

async function healthAnswer(args: string[]): Promise<{ status: number; message: string }> {
  running = await startConsoleCli([...args, '--port', '0'], { cwd });
  const answer = await fetch(`${new URL(running.url).origin}/console/metrics?since=15m`, {
    headers: { cookie: await consoleCookie(running.url) },
  });
  return { status: answer.status, message: ((await answer.json()) as { message: string }).message };
}

describe('console: Health without metrics', () => {
  it('says that an API setup did not record here has no metrics to show', async () => {
    cwd = await mkdtemp(join(tmpdir(), 'products-cli-console-'));

    expect(await healthAnswer(['--url', 'http://127.0.0.1:9/prod'])).toEqual({
      status: 503,
      message:
        'no metrics: http://127.0.0.1:9/prod is not a stack that setup recorded here; run the console where setup ran',
    });
  });

  it('says how to start the recorded local stack when it is not running', async () => {
    cwd = await mkdtemp(join(tmpdir(), 'products-cli-console-'));
    const local = {
      url: 'http://127.0.0.1:9/prod',
      port: 9,
      stage: 'prod',
      pid: 999_999,
      dynamodbEndpoint: 'http://127.0.0.1:8',
      startedAt: '2026-01-01T00:00:00Z',
      secret: 'gone',
    };
    await writeState(cwd, { version: 1, current: 'local', local });

    const answer = await healthAnswer([]);

    expect(answer.status).toBe(503);
    expect(answer.message).toMatch(/^no local stack is running here.*start it with products-cli setup --local$/);
  });
});
