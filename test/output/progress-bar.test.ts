import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../src/context.js';
import { plainStyle } from '../../src/output/style.js';
import { importFile } from '../../src/commands/import-file.js';
import { rateAndEta, renderProgress } from '../../src/output/progress-bar.js';

describe('import progress', () => {
  it('draws the share done as a bar and a percentage', () => {
    expect(renderProgress('importing', { done: 250, total: 1000, detail: 'x' })).toBe(
      'importing [######------------------]  25%  x',
    );
  });

  it('keeps every count on an 80-column line: the bar narrows, then goes', () => {
    const detail = '2400 rows  2380 created  8 failed  95 rows/s  ETA 0:12';
    const narrow = renderProgress('importing', { done: 500, total: 1000, detail }, 80);
    const roomy = renderProgress('importing', { done: 500, total: 1000, detail: '2400 rows  95 rows/s' }, 80);

    expect(narrow).toBe(`importing  50%  ${detail}`);
    expect(narrow.length).toBeLessThan(80);
    expect(roomy).toBe('importing [############------------]  50%  2400 rows  95 rows/s');
    expect(renderProgress('importing', { done: 500, total: 1000, detail: 'x'.repeat(40) }, 80)).toMatch(
      /^importing \[#{10}-{10}\]  50%  x{40}$/,
    );
  });

  it('gives rows/s and, for a file, the time left at that pace', () => {
    // 300 rows in 3 s, a quarter of the file: 9 s to go.
    expect(rateAndEta(300, 3000, 250, 1000)).toBe('100 rows/s  ETA 0:09');
    expect(rateAndEta(5, 2000)).toBe('2.5 rows/s');
  });

  it('says nothing before there is a pace to tell', () => {
    expect(rateAndEta(0, 5000, 0, 1000)).toBe('');
    expect(rateAndEta(10, 100, 10, 1000)).toBe('');
  });
});

describe('importFile progress on a terminal', () => {
  it('grows with the rows handed over, from well under 100% at the first frame', async () => {
    // Prepare: a file much larger than one read, with a bad row every 1,000 (each failure redraws the bar).
    const dir = await mkdtemp(join(tmpdir(), 'products-cli-progress-'));
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify(
        i % 1000 === 999 ? { id: `p${i}`, title: '', price: 1 } : { id: `p${i}`, title: `Product ${i}`, price: 1 },
      ),
    );
    await writeFile(join(dir, 'big.ndjson'), `${rows.join('\n')}\n`);
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
    let screen = '';
    stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    const ctx: Context = {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
      env: {},
      cwd: dir,
      json: false,
      color: false,
      signal: new AbortController().signal,
    };

    // Act
    const result = await importFile(
      undefined,
      { file: join(dir, 'big.ndjson'), concurrency: 8, dryRun: true },
      ctx,
      plainStyle,
    );
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(result).toMatchObject({ rows: 20_000, failed: 20 });
    const shares = [...screen.matchAll(/\] +(\d+)%/g)].map((match) => Number(match[1]));
    expect(shares.length).toBeGreaterThanOrEqual(20);
    expect(shares[0]).toBeLessThan(50);
    expect(shares.at(-1)).toBeGreaterThanOrEqual(95);
    expect([...shares].sort((a, b) => a - b)).toEqual(shares);
  });
});
