// End to end: `import` under the pressures a new user meets, through the real bin, against the real local stack
// with its default stage throttle (100 requests/s, burst 200, as the AWS stage default).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../src/commands/import.js';
import { EXIT } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { ImportCheckpoint } from '../../src/transfer/import-checkpoint.js';
import { binPath, requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';

const stack = useLocalStack();

beforeAll(async () => {
  requireBuild();
});

/** The ids of every product whose id starts with `prefix`, read with a client that waits out the throttle. */
async function idsWith(prefix: string): Promise<string[]> {
  const api = new ProductApi({ baseUrl: stack.url, retries: 10 });
  try {
    const ids: string[] = [];
    for await (const product of api.listAll()) if (product.id.startsWith(prefix)) ids.push(product.id);
    return ids.sort();
  } finally {
    await api.close();
  }
}

const ndjson = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) =>
    JSON.stringify({ id: `${prefix}-${index}`, title: `Product ${index}`, price: index + 0.5 }),
  ).join('\n') + '\n';

/** Only printable text and line ends: no terminal escapes, no bytes of the file echoed back. */
const PRINTABLE = /^[\x20-\x7e\n\u2026]*$/;

describe('import into the default-throttled stack', () => {
  it('puts 3,000 rows in with none failed and exits 0; the rerun skips all 3,000 and exits 0', async () => {
    // Prepare
    const prefix = `thr-${process.pid}`;
    await writeFile(join(stack.dir, 'many.ndjson'), ndjson(prefix, 3000));

    // Act
    const first = await runCli(['import', 'many.ndjson', '--url', stack.url, '--json'], { cwd: stack.dir });
    const again = await runCli(['import', 'many.ndjson', '--url', stack.url, '--json'], { cwd: stack.dir });

    // Assess
    expect(first.code, first.stderr).toBe(EXIT.ok);
    expect(JSON.parse(first.stdout)).toMatchObject({ rows: 3000, created: 3000, skipped: 0, failed: 0, notSent: 0 });
    // Batched: far faster than one request per row, which the throttle would hold to (3,000 - burst 200) / 100 per s.
    expect((JSON.parse(first.stdout) as ImportResult).durationMs).toBeLessThan(((3000 - 200) / 100) * 1000);
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(JSON.parse(again.stdout)).toMatchObject({ rows: 3000, created: 0, skipped: 3000, failed: 0, notSent: 0 });
    expect(await idsWith(prefix)).toHaveLength(3000);
  }, 180_000);
});

describe('an import killed and run again', () => {
  it('creates every row exactly once after three kills at random points, and says how many were done already', async () => {
    // Prepare
    const prefix = `kill-${process.pid}`;
    const total = 15_000;
    await writeFile(join(stack.dir, 'killed.ndjson'), ndjson(prefix, total));

    const client = new ProductApi({ baseUrl: stack.url });
    const api = client.baseUrl;
    await client.close();
    const marked = async () => (await ImportCheckpoint.open(stack.dir, 'killed.ndjson', api)).resumed?.rows ?? 0;

    // Act: killed (SIGKILL: no clean-up) three times, each at a random point after its checkpoint moved on.
    for (let kill = 0; kill < 3; kill++) {
      const before = await marked();
      const child = spawn(process.execPath, [binPath, 'import', 'killed.ndjson', '--url', stack.url, '--json'], {
        cwd: stack.dir,
        stdio: 'ignore',
      });
      const closed = new Promise((resolve) => child.on('close', resolve));
      while ((await marked()) <= before && child.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 500));
      child.kill('SIGKILL');
      await closed;
    }
    const last = await runCli(['import', 'killed.ndjson', '--url', stack.url, '--json'], { cwd: stack.dir });
    const again = await runCli(['import', 'killed.ndjson', '--url', stack.url, '--json'], { cwd: stack.dir });

    // Assess
    expect(last.code, last.stderr).toBe(EXIT.ok);
    const summary = JSON.parse(last.stdout) as ImportResult;
    expect(summary).toMatchObject({ rows: total, failed: 0, notSent: 0 });
    expect(summary.alreadyDone).toBeGreaterThan(0); // the checkpoint spared rows the kills had left answered
    expect(summary.created).toBeLessThan(total);
    expect(summary.alreadyDone).toBeLessThanOrEqual(summary.skipped);
    expect(summary.skipped + summary.created).toBe(total);
    expect(await idsWith(prefix)).toHaveLength(total);
    // A complete import leaves no checkpoint: a rerun asks the API again and finds every id there.
    expect(JSON.parse(again.stdout)).toMatchObject({ rows: total, created: 0, skipped: total, alreadyDone: 0 });
  }, 180_000);
});

describe('import of a file that cannot be read to its end', () => {
  it('stops at a malformed CSV quote with one line naming it, no stack trace, exit 2', async () => {
    await writeFile(join(stack.dir, 'bad-quote.csv'), 'id,title,price\nc1,"Bad "quote" here,1\n');

    const run = await runCli(['import', 'bad-quote.csv', '--url', stack.url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(
      /^products-cli: reading stopped at line 2: the CSV cannot be read: Invalid Closing Quote.*; no rows before it\n$/,
    );
    expect(run.stderr).not.toMatch(/ERR_STREAM|at .*\.js:\d+/);
  });

  it('refuses random bytes in one printable line, exit 2', async () => {
    const bytes = Buffer.alloc(4096);
    for (let index = 0; index < bytes.length; index++) bytes[index] = (index * 7919 + 13) % 256;
    await writeFile(join(stack.dir, 'random.csv'), bytes);

    const run = await runCli(['import', 'random.csv', '--url', stack.url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/^products-cli: line 1: the file (is not UTF-8 text|holds binary data)/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(PRINTABLE);
  });

  it('sends every row read before a late CSV error, then says where it stopped and what was done', async () => {
    // Prepare: 300 good rows, then a quote that never closes on line 302.
    const prefix = `late-${process.pid}`;
    const rows = Array.from({ length: 300 }, (_, index) => `${prefix}-${index},Product ${index},${index + 1}`);
    await writeFile(join(stack.dir, 'late.csv'), `id,title,price\n${rows.join('\n')}\n${prefix}-x,"never closed,1\n`);

    // Act
    const run = await runCli(['import', 'late.csv', '--url', stack.url], { cwd: stack.dir });

    // Assess
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(
      /^products-cli: reading stopped at line 302: the CSV cannot be read: Quote Not Closed.*; the 300 rows before it: 300 created, 0 skipped, 0 failed\n$/,
    );
    expect(await idsWith(`${prefix}-`)).toHaveLength(300);
  }, 60_000);

  it.each([
    ['csv', (id: string) => `id,title,price\n${id},With BOM,1\n`],
    ['ndjson', (id: string) => `${JSON.stringify({ id, title: 'With BOM', price: 1 })}\n`],
    ['json', (id: string) => JSON.stringify([{ id, title: 'With BOM', price: 1 }])],
  ])('accepts a UTF-8 byte order mark in %s', async (format, write) => {
    const id = `bom-${format}-${process.pid}`;
    await writeFile(join(stack.dir, `bom.${format}`), `\uFEFF${write(id)}`);

    const run = await runCli(['import', `bom.${format}`, '--url', stack.url, '--json'], { cwd: stack.dir });

    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ format, rows: 1, created: 1, failed: 0 });
  });
});

describe('import --dry-run', () => {
  it('checks the whole file, reports every bad row and sends nothing, with no API needed', async () => {
    const prefix = `dry-${process.pid}`;
    const lines = [
      JSON.stringify({ id: `${prefix}-1`, title: 'Good', price: 1 }),
      JSON.stringify({ id: `${prefix}-2`, title: '', price: 1 }),
      JSON.stringify({ id: `${prefix}-3`, title: 'Good', price: 1.234 }),
      '{"id": "broken"',
      JSON.stringify({ id: `${prefix}-5`, title: 'Good', price: 5 }),
    ];
    await writeFile(join(stack.dir, 'dry.ndjson'), `${lines.join('\n')}\n`);

    const run = await runCli(['import', 'dry.ndjson', '--dry-run'], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.failure);
    expect(run.stdout).toMatch(
      /^5 rows from dry\.ndjson \(ndjson\) in [\d.]+ s: 2 valid, 3 failed; nothing was sent \(--dry-run\)\n$/,
    );
    expect(run.stderr).toContain(`failed line 2 (id ${prefix}-2): title`);
    expect(run.stderr).toContain(`failed line 3 (id ${prefix}-3): price must have at most 2 decimal places`);
    expect(run.stderr).toContain('failed line 4: not valid JSON');
    expect(run.stderr).toContain('products-cli: 3 of 5 rows failed; fix them before importing');
    expect(await idsWith(prefix)).toEqual([]);
  });
});

describe('an interrupted import', () => {
  it('exits 130 after Ctrl-C even when rows had failed, with the summary', async () => {
    // Prepare: a bad row first, then more rows than batches at the throttle's pace put in before Ctrl-C.
    const prefix = `int-${process.pid}`;
    const total = 200_000;
    await writeFile(
      join(stack.dir, 'interrupt.ndjson'),
      `${JSON.stringify({ id: `${prefix}-bad`, title: '', price: 1 })}\n${ndjson(prefix, total)}`,
    );
    const child = spawn(process.execPath, [binPath, 'import', 'interrupt.ndjson', '--url', stack.url, '--json'], {
      cwd: stack.dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    // Act
    await new Promise((resolve) => setTimeout(resolve, 3000));
    child.kill('SIGINT');

    // Assess
    expect(await exited).toBe(EXIT.interrupted);
    const summary = JSON.parse(stdout) as ImportResult;
    expect(summary).toMatchObject({ interrupted: true, failed: 1 });
    expect(summary.created).toBeGreaterThan(0);
    expect(summary.created).toBeLessThan(total);
    expect(JSON.parse(stderr.trim().split('\n').at(-1) as string).error).toMatchObject({ exitCode: EXIT.interrupted });
  }, 60_000);
});
