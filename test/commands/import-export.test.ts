// End to end: `import` and `export` through the real bin, against the real local stack.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Product } from '../../src/contract/index.js';
import { EXIT } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import type { ImportResult } from '../../src/commands/import.js';
import { parseNdjson, requireBuild, runCli, type CliRun } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';

const stack = useLocalStack({ throttle: null });

beforeAll(async () => {
  requireBuild();
});

async function fetchProduct(url: string, id: string): Promise<Product | undefined> {
  const api = new ProductApi({ baseUrl: url });
  try {
    return await api.get(id);
  } catch {
    return undefined;
  } finally {
    await api.close();
  }
}

function csvCell(value: unknown): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type Row = Record<string, unknown> | string;

/** The same rows in each format: `string` rows are written as they are (broken on purpose). */
const writers: Record<string, { ext: string; write: (rows: Row[]) => string; lineOf: (index: number) => number }> = {
  json: {
    ext: 'json',
    write: (rows) => `[\n${rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join(',\n')}\n]\n`,
    lineOf: (index) => index + 2,
  },
  ndjson: {
    ext: 'ndjson',
    write: (rows) => rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n') + '\n',
    lineOf: (index) => index + 1,
  },
  csv: {
    ext: 'csv',
    write: (rows) =>
      'id,title,description,price\n' +
      rows
        .map((row) =>
          typeof row === 'string'
            ? row
            : ['id', 'title', 'description', 'price'].map((field) => csvCell(row[field] ?? '')).join(','),
        )
        .join('\n') +
      '\n',
    lineOf: (index) => index + 2,
  },
};

describe.each(Object.keys(writers))('import of a %s file', (format) => {
  const writer = writers[format] as (typeof writers)[string];
  const prefix = `imp-${format}-${process.pid}`;
  const rows: Row[] = [
    { id: `${prefix}-1`, title: 'IPhone', description: 'This is an IPhone, "quoted"', price: 900 },
    { id: `${prefix}-2`, title: 'Café crème ☕', description: '', price: 3.5 },
    { id: `${prefix}-3`, title: '', description: 'empty title', price: 1 },
    { id: `${prefix}-1`, title: 'IPhone again', description: 'duplicate id', price: 1 },
    { id: `${prefix}-4`, title: 'Too precise', description: 'x', price: 1.234 },
    // A row that cannot be parsed; in a JSON array it must keep its brackets balanced, or the array itself is broken.
    {
      csv: `${prefix}-5,Broken`,
      json: `{"id": "${prefix}-5", "title": }`,
      ndjson: `{"id": "${prefix}-5", "title": "Broken",`,
    }[format] as string,
    { id: `${prefix}-6`, title: 'Cable', description: 'line one', price: 12 },
  ];
  let file: string;

  beforeAll(async () => {
    file = join(stack.dir, `${prefix}.${writer.ext}`);
    await writeFile(file, writer.write(rows));
  });

  it('creates the good rows, skips the duplicate id and reports each bad row by line, exit 1', async () => {
    // Act
    const run = await runCli(['import', file, '--url', stack.url, '--json'], { cwd: stack.dir });

    // Assess
    expect(run.code).toBe(EXIT.failure);
    const result = JSON.parse(run.stdout) as ImportResult;
    expect(result).toMatchObject({ format, rows: 7, created: 3, skipped: 1, failed: 3, interrupted: false });
    const lines = result.failures.map((failure) => failure.line);
    expect(lines).toEqual([writer.lineOf(2), writer.lineOf(4), writer.lineOf(5)]);
    expect(result.failures[0]?.reason).toMatch(/^title (must not be empty|is required)$/);
    expect(result.failures[1]).toMatchObject({ id: `${prefix}-4`, reason: 'price must have at most 2 decimal places' });
    expect(result.failures[2]?.reason).toMatch(format === 'csv' ? /has 2 fields; the header has 4/ : /not valid JSON/);
    expect(await fetchProduct(stack.url, `${prefix}-1`)).toMatchObject({
      title: 'IPhone',
      description: 'This is an IPhone, "quoted"',
      price: 900,
      version: 1,
    });
    expect(await fetchProduct(stack.url, `${prefix}-2`)).toMatchObject({ title: 'Café crème ☕', price: 3.5 });
    expect(await fetchProduct(stack.url, `${prefix}-3`)).toBeUndefined();
  });

  it('skips every existing id when run again, and says which rows fail', async () => {
    const run = await runCli(['import', file, '--url', stack.url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.failure);
    expect(run.stdout).toMatch(
      new RegExp(
        `^7 rows from .*\\.${writer.ext} \\(${format}\\) in [\\d.]+ s: 0 created, 4 skipped \\(id exists\\), 3 failed$`,
        'm',
      ),
    );
    expect(run.stderr).toContain(
      `failed line ${writer.lineOf(4)} (id ${prefix}-4): price must have at most 2 decimal places\n`,
    );
    expect(run.stderr).toMatch(/products-cli: 3 of 7 rows failed; fix them and run the import again/);
  });
});

describe('import', () => {
  it('reads stdin with -, telling the format from the first character, and exits 0 when every row went in', async () => {
    const ids = [`stdin-${process.pid}-1`, `stdin-${process.pid}-2`];
    const input = ids.map((id) => JSON.stringify({ id, title: id, price: 1 })).join('\n');

    const run = await runCli(['import', '-', '--url', stack.url, '--json'], { cwd: stack.dir, input });

    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({
      file: '-',
      format: 'ndjson',
      rows: 2,
      created: 2,
      skipped: 0,
      failed: 0,
    });
  });

  it('stops with one clear error when the API cannot be reached', async () => {
    await writeFile(join(stack.dir, 'one.ndjson'), '{"id":"x","title":"X","price":1}\n');

    const run = await runCli(['import', 'one.ndjson', '--url', 'http://127.0.0.1:9/prod'], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toMatch(
      /^products-cli: cannot reach http:\/\/127\.0\.0\.1:9\/prod\/products for POST: connection refused/,
    );
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it.each([
    [['missing.csv'], 'products-cli: missing.csv does not exist\n'],
    [['one.ndjson', '--format', 'xml'], 'products-cli: --format must be one of json, ndjson, csv, not "xml"\n'],
  ])('refuses %j as a usage error', async (args, message) => {
    const run = await runCli(['import', ...args, '--url', stack.url], { cwd: stack.dir });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe(message);
  });
});

describe('export → teardown → setup → import', () => {
  it('restores every product exactly (id, title, description, price)', async () => {
    // Prepare: a stack set up by the CLI, with products spanning several pages, some changed since creation.
    const dir = await mkdtemp(join(tmpdir(), 'products-cli-roundtrip-'));
    const cli = (args: string[]): Promise<CliRun> => runCli(args, { cwd: dir });
    const setup = ['setup', '--local', '--port', '0', '--rate-limit', '10000', '--burst-limit', '10000', '--json'];
    try {
      expect((await cli(setup)).code).toBe(EXIT.ok);
      const products = Array.from({ length: 230 }, (_, index) => ({
        id: `rt-${index}`,
        title: index % 7 === 0 ? `Ünïcode "title" ${index} — 📱` : `Product ${index}`,
        description: index % 5 === 0 ? `line one\nline two, with "quotes" and commas, ${index}` : '',
        price: Math.round(index * 101.37) / 100,
      }));
      await writeFile(join(dir, 'seed.json'), JSON.stringify(products));
      expect((await cli(['import', 'seed.json', '--json'])).code).toBe(EXIT.ok);
      expect((await cli(['update', 'rt-3', '--price', '1.99', '--json'])).code).toBe(EXIT.ok);
      (products[3] as { price: number }).price = 1.99;

      // Act
      const exported = await cli(['export', '--output', 'backup.ndjson', '--json']);
      expect(exported.code).toBe(EXIT.ok);
      expect(JSON.parse(exported.stdout)).toMatchObject({ exported: 230, output: 'backup.ndjson' });
      expect((await cli(['teardown', '--local', '--yes'])).code).toBe(EXIT.ok);
      expect((await cli(setup)).code).toBe(EXIT.ok);
      expect(parseNdjson((await cli(['export'])).stdout)).toEqual([]);
      const imported = await cli(['import', 'backup.ndjson', '--json']);
      const again = await cli(['export']);

      // Assess
      expect(imported.code).toBe(EXIT.ok);
      expect(JSON.parse(imported.stdout)).toMatchObject({ rows: 230, created: 230, skipped: 0, failed: 0 });
      const pick = ({ id, title, description, price }: Product) => ({ id, title, description, price });
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect((parseNdjson(again.stdout) as Product[]).map(pick).sort(byId)).toEqual([...products].sort(byId));
      const backup = parseNdjson(await readFile(join(dir, 'backup.ndjson'), 'utf8')) as Product[];
      expect(backup.find((product) => product.id === 'rt-3')?.version).toBe(2);
    } finally {
      await cli(['teardown', '--local', '--yes']);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('export', () => {
  it('writes NDJSON to stdout, and its count to stderr', async () => {
    const run = await runCli(['export', '--url', stack.url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.ok);
    const products = parseNdjson(run.stdout) as Product[];
    expect(products.length).toBeGreaterThan(0);
    expect(new Set(products.map((product) => product.id)).size).toBe(products.length);
    expect(run.stderr).toMatch(new RegExp(`^exported ${products.length} products in [\\d.]+ s\\n$`));
  });

  it('leaves no file behind when the export fails', async () => {
    const run = await runCli(['export', '--url', 'http://127.0.0.1:9/prod', '--output', 'never.ndjson'], {
      cwd: stack.dir,
    });

    expect(run.code).toBe(EXIT.api);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(stack.dir)).filter((name) => name.startsWith('never.ndjson'))).toEqual([]);
  });

  it('refuses an --output in a missing folder before any request, naming the path given', async () => {
    const output = join(stack.dir, 'no-such-folder', 'x.ndjson');
    // An unreachable URL: the refusal must come first, or this would be a network error after retries.
    const run = await runCli(['export', '--url', 'http://127.0.0.1:9/prod', '--output', output, '--retries', '0'], {
      cwd: stack.dir,
    });

    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe(
      `products-cli: --output ${output}: the folder ${join(stack.dir, 'no-such-folder')} does not exist\n`,
    );
    expect(run.stderr).not.toContain('.partial-');
  });

  it('reports its duration in JSON to a tenth of a millisecond', async () => {
    const run = await runCli(['export', '--url', stack.url, '--output', join(stack.dir, 'timed.ndjson'), '--json'], {
      cwd: stack.dir,
    });

    expect(run.code).toBe(EXIT.ok);
    const { durationMs } = JSON.parse(run.stdout) as { durationMs: number };
    expect(Math.round(durationMs * 10) / 10).toBe(durationMs);
  });
});
