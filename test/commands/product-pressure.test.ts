// End to end: the product commands with what people feed them: changes as JSON, several ids, titles holding
// terminal escapes and wide characters; through the real bin against the local stack with its default throttle.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Product } from '../../src/contract/index.js';
import { EXIT } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { displayWidth } from '../../src/output/width.js';
import { requireBuild } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';
import { product } from '../helpers/product.js';

const stack = useLocalStack();
let api: ProductApi;
const p = `pp${process.pid}`;

beforeAll(async () => {
  requireBuild();
  api = new ProductApi({ baseUrl: stack.url, retries: 10 });
});

afterAll(async () => {
  await api?.close();
});

const cli = (args: string[], input?: string) => stack.cli(args, { input });

describe('update from JSON', () => {
  it('takes the change from stdin with -, as get --json gives it', async () => {
    const created = await api.create(product({ id: `${p}-u1` }));

    const run = await cli(['update', created.id, '-', '--json'], JSON.stringify({ ...created, price: 850 }));

    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: created.id, price: 850, version: 2 });
  });

  it('takes it from --file, with flags over the file', async () => {
    await api.create({ id: `${p}-u2`, title: 'IPad', price: 499 });
    await writeFile(join(stack.dir, 'change.json'), JSON.stringify({ title: 'IPad Pro', price: 999 }));

    const run = await cli(['update', `${p}-u2`, '--file', 'change.json', '--price', '1099', '--json']);

    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ title: 'IPad Pro', price: 1099 });
  });

  it('refuses a change for another product, exit 2', async () => {
    const run = await cli(['update', `${p}-u2`, '-'], JSON.stringify({ id: 'other', price: 1 }));
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe(`products-cli: the change read from stdin is for product "other", not ${p}-u2\n`);
  });
});

describe('delete of several ids', () => {
  it('deletes each, and names the missing one at the end, exit 3', async () => {
    await api.create({ id: `${p}-d1`, title: 'A', price: 1 });
    await api.create({ id: `${p}-d2`, title: 'B', price: 1 });

    const run = await cli(['delete', `${p}-d1`, `${p}-nope`, `${p}-d2`]);

    expect(run.code).toBe(EXIT.notFound);
    expect(run.stderr).toBe(`products-cli: no product ${p}-nope; deleted ${p}-d1, ${p}-d2\n`);
    await expect(api.get(`${p}-d1`)).rejects.toThrow();
    await expect(api.get(`${p}-d2`)).rejects.toThrow();
  });

  it('prints one line per product, or an array with --json', async () => {
    await api.create({ id: `${p}-d3`, title: 'C', price: 1 });
    await api.create({ id: `${p}-d4`, title: 'D', price: 1 });

    const run = await cli(['delete', `${p}-d3`, `${p}-d4`, '--json']);

    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toEqual([
      { id: `${p}-d3`, deleted: true },
      { id: `${p}-d4`, deleted: true },
    ]);
  });
});

describe('add - --file', () => {
  it('is a usage error rather than a silent choice of stdin', async () => {
    await writeFile(join(stack.dir, 'product.json'), JSON.stringify({ title: 'X', price: 1 }));
    const run = await cli(['add', '-', '--file', 'product.json'], '{"title":"Y","price":2}');
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe('products-cli: give the product either on stdin (-) or with --file, not both\n');
  });
});

describe('text output of titles that hold control and wide characters', () => {
  it('get shows an escape and a newline visibly, and --json keeps them as they are', async () => {
    await api.create({
      id: `${p}-esc`,
      title: 'Red \x1b[31malert\x1b[0m',
      description: 'line one\nline two',
      price: 1,
    });

    const text = await cli(['get', `${p}-esc`]);
    const json = await cli(['get', `${p}-esc`, '--json']);

    expect(text.stdout).toContain('title        Red \\x1b[31malert\\x1b[0m\n');
    expect(text.stdout).toContain('description  line one\\nline two\n');
    expect(text.stdout).not.toContain('\x1b');
    expect((JSON.parse(json.stdout) as Product).title).toBe('Red \x1b[31malert\x1b[0m');
  });

  it('list keeps its columns aligned with CJK and emoji titles, and escapes control characters', async () => {
    const titles = ['手机壳 保护套', 'Phone 📱 case', 'Plain', 'Tab\tand \x1b[2J'];
    await Promise.all(titles.map((title, index) => api.create({ id: `${p}-w${index}`, title, price: 12.5 })));

    const run = await cli(['list']);

    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stdout).not.toContain('\x1b');
    const lines = run.stdout.split('\n').filter((line) => line.startsWith(`${p}-w`));
    expect(lines).toHaveLength(4);
    // The PRICE column ends at the same screen column on every line.
    const priceEnds = lines.map((line) => displayWidth(line.slice(0, line.indexOf('12.50') + 5)));
    expect(new Set(priceEnds).size).toBe(1);
    expect(run.stdout).toContain('Tab\\tand \\x1b[2J');
  });
});
