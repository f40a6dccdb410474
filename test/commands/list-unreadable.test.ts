// A stored item that does not read as a product (written by another tool) never blocks list or export of the others.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';
import { storeProducts } from '../helpers/store-products.js';

const stack = useLocalStack();
const ids = Array.from({ length: 250 }, (_, index) => `ok-${String(index).padStart(3, '0')}`);

beforeAll(async () => {
  requireBuild();
  await storeProducts(stack, ids, [{ id: { S: 'odd-1' }, title: { N: '42' }, price: { S: 'cheap' } }]);
}, 60_000);

const SKIPPED_LINE = 'skipped product odd-1: title is a number, not a string; price is a string, not a number\n';

describe('a stored item that does not read as a product', () => {
  it('list writes every other product, names the skipped id on stderr and exits 7', async () => {
    const run = await runCli(['list', '--json', '--url', stack.url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.unreadable);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id)
        .sort(),
    ).toEqual(ids);
    expect(run.stderr).toContain(SKIPPED_LINE);
    expect(run.stderr.split('\n').filter((line) => line.startsWith('skipped product'))).toHaveLength(1);
    expect(JSON.parse(run.stderr.trim().split('\n').at(-1) as string).error).toEqual({
      name: 'AppError',
      message:
        'every readable product was listed; 1 stored item does not read as a product and was skipped (listed above): correct or delete it in the table',
      exitCode: EXIT.unreadable,
    });
  });

  it.each([
    ['in the default segments', []],
    ['one page after another', ['--segments', '1']],
    ['in 16 segments', ['--segments', '16']],
  ])('export %s writes the complete file of the others, names the skipped id once and exits 7', async (_, more) => {
    const run = await runCli(['export', ...more, '--output', 'all.ndjson', '--url', stack.url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.unreadable);
    const lines = (await readFile(join(stack.dir, 'all.ndjson'), 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).id).sort()).toEqual(ids);
    expect(run.stderr).toContain(SKIPPED_LINE);
    expect(run.stderr.split('\n').filter((line) => line.startsWith('skipped product'))).toHaveLength(1);
    expect(run.stderr).toMatch(/250 products were exported to all\.ndjson; 1 stored item does not read/);
  });

  it('get of that id stays a problem naming the fields', async () => {
    const run = await runCli(['get', 'odd-1', '--url', stack.url], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.api);
    expect(run.stderr).toMatch(
      /^products-cli: Internal error: title is a number, not a string; price is a string, not a number \(HTTP 500 from GET .*\/product\/odd-1\)\n$/,
    );
  });
});
