// The versions bench through the built CLI: requests and non-2xx answers while deploy --local and rollback --local
// run under GET and PATCH load, with a MISS when too few requests answered.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/run-cli.js';
import { packageRoot } from '../helpers/artifact.js';

interface Report {
  rows: Array<{ name: string; value: string; goal: string; met: boolean; problem?: string }>;
}

/** Runs scripts/bench/versions.mjs with --json; resolves with its exit code and report. */
async function bench(args: string[]): Promise<{ code: number; report: Report }> {
  const script = join(packageRoot, 'scripts', 'bench', 'versions.mjs');
  const run = await promisify(execFile)(process.execPath, [script, '--json', ...args], { cwd: packageRoot }).then(
    (done) => ({ code: 0, stdout: done.stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  return { code: run.code, report: JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Report };
}

beforeAll(() => requireBuild());

describe('bench:versions', () => {
  it('counts requests and non-2xx answers across deploys and rollbacks, and MISSes below its minimum', async () => {
    // Act: one run as it is meant to be, one asking for more requests than it can send, one throttled to 2 a second
    const [passed, short, throttled] = await Promise.all([
      bench(['--clients', '4', '--cycles', '2', '--min', '20']),
      bench(['--clients', '2', '--cycles', '1', '--min', '1000000']),
      bench(['--clients', '4', '--cycles', '1', '--min', '1', '--rate-limit', '2']),
    ]);

    // Assess
    expect(passed.code).toBe(0);
    const [requests, non2xx] = passed.report.rows;
    expect(requests).toMatchObject({
      name: expect.stringContaining('2x deploy --local, rollback --local under GET+PATCH load (4 clients): requests'),
      goal: '>= 20',
      met: true,
    });
    expect(Number(requests?.value)).toBeGreaterThanOrEqual(20);
    expect(non2xx).toMatchObject({ name: expect.stringContaining('non-2xx'), value: '0', goal: '0', met: true });
    expect(short.code).toBe(1);
    expect(short.report.rows.map((r) => r.value)).toEqual(['MISS', 'MISS']);
    expect(short.report.rows[0]?.problem).toMatch(/^only \d+ requests answered, at least 1000000 needed$/);
    expect(throttled.code).toBe(1);
    expect(throttled.report.rows[1]).toMatchObject({
      value: expect.stringMatching(/^[1-9]\d* \([1-9]\d*x 429\)$/),
      goal: '0',
      met: false,
    });
  }, 120_000);
});
