// End to end: `export` when its reader goes away, its output is a directory, it is asked for CSV, it is stopped
// by SIGTERM, and when killed exports left temporary files; through the real bin against the real local stack
// with its default throttle.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { binPath, requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';

const stack = useLocalStack();
const SEEDED = 300;

beforeAll(async () => {
  requireBuild();
  // Large enough that the export outgrows a pipe's buffer: a reader that stops early really closes it.
  const api = new ProductApi({ baseUrl: stack.url, retries: 10 });
  const description = 'd'.repeat(3000);
  for (let start = 0; start < SEEDED; start += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.create({ id: `exp-${start + i}`, title: `Product, "${start + i}"`, description, price: start + i + 0.25 }),
      ),
    );
  }
  await api.close();
}, 60_000);

describe('export to a reader that goes away', () => {
  it('exits 0 with no message when `| head -2` stops reading', async () => {
    // Not spawnSync: the stack runs in this process and must go on answering.
    const shell = spawn(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${binPath}" export --url ${stack.url} 2>stderr.txt | head -2 >/dev/null; echo "\${PIPESTATUS[0]}"`,
      ],
      { cwd: stack.dir },
    );
    let stdout = '';
    shell.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await new Promise((resolve) => shell.on('close', resolve));

    expect(stdout.trim()).toBe('0');
    expect(await readFile(join(stack.dir, 'stderr.txt'), 'utf8')).toBe('');
  });
});

describe('export --output', () => {
  it('says that a directory is a directory, exit 2', async () => {
    await mkdir(join(stack.dir, 'somedir'), { recursive: true });

    const run = await runCli(['export', '--url', stack.url, '--output', 'somedir'], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe(
      `products-cli: --output somedir is a directory; give a file name, such as ${join('somedir', 'products.ndjson')}\n`,
    );
  });

  it('writes CSV with the header import reads, which imports back row for row', async () => {
    const run = await runCli(['export', '--url', stack.url, '--format', 'csv', '--output', 'products.csv', '--json'], {
      cwd: stack.dir,
    });
    const check = await runCli(['import', 'products.csv', '--dry-run', '--json'], { cwd: stack.dir });

    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'csv', output: 'products.csv', exported: SEEDED });
    const text = await readFile(join(stack.dir, 'products.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('id,title,description,price,createdAt,updatedAt,version');
    expect(text).toContain('"Product, ""7"""');
    expect(check.code, check.stderr).toBe(EXIT.ok);
    expect(JSON.parse(check.stdout)).toMatchObject({ format: 'csv', rows: SEEDED, valid: SEEDED, failed: 0 });
  });

  it('removes the temporary files of exports whose process is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    await writeFile(join(stack.dir, `backup.ndjson.partial-${dead}`), '{"half":');

    const run = await runCli(['export', '--url', stack.url, '--output', 'backup.ndjson'], { cwd: stack.dir });

    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect((await readdir(stack.dir)).filter((name) => name.startsWith('backup.ndjson'))).toEqual(['backup.ndjson']);
  });
});

describe('export stopped by SIGTERM', () => {
  let slow: Server;
  let url: string;

  beforeAll(async () => {
    // An API whose pages never end and come slowly, so that the signal surely comes mid-export.
    slow = createServer((_req, res) => {
      setTimeout(() => {
        const items = Array.from({ length: 100 }, (_, i) => ({
          id: `s${i}`,
          title: 'Slow',
          description: '',
          price: 1,
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          version: 1,
        }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items, nextCursor: 'more' }));
      }, 100);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/prod`;
  });

  afterAll(() => {
    slow.closeAllConnections();
    slow.close();
  });

  it('removes its partial file as Ctrl-C does, and exits 143', async () => {
    const child = spawn(process.execPath, [binPath, 'export', '--url', url, '--output', 'stopped.ndjson'], {
      cwd: stack.dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const partial = join(stack.dir, `stopped.ndjson.partial-${child.pid}`);
    for (let waited = 0; !existsSync(partial) && waited < 10_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 400));

    child.kill('SIGTERM');

    expect(await exited).toBe(EXIT.terminated);
    expect(stderr).toBe('products-cli: interrupted; stopped.ndjson was not written\n');
    expect((await readdir(stack.dir)).filter((name) => name.startsWith('stopped.ndjson'))).toEqual([]);
  });
});
