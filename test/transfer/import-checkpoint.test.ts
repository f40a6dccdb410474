import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportCheckpoint } from '../../src/transfer/import-checkpoint.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-checkpoint-'));
  await writeFile(join(cwd, 'rows.ndjson'), '{"id":"a","title":"A","price":1}\n');
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

describe('the import checkpoint', () => {
  it('gives the mark back to a rerun of the same file into the same API, and to no other', async () => {
    await (await ImportCheckpoint.open(cwd, 'rows.ndjson', 'http://a/prod')).save({ rows: 7, failed: [3] }, true);

    expect((await ImportCheckpoint.open(cwd, 'rows.ndjson', 'http://a/prod')).resumed).toEqual({
      rows: 7,
      failed: [3],
    });
    expect((await ImportCheckpoint.open(cwd, 'rows.ndjson', 'http://b/prod')).resumed).toBeUndefined();
  });

  it('forgets the mark when the file changed since, and once cleared', async () => {
    const first = await ImportCheckpoint.open(cwd, 'rows.ndjson', 'http://a/prod');
    await first.save({ rows: 1, failed: [] }, true);
    await appendFile(join(cwd, 'rows.ndjson'), '{"id":"b","title":"B","price":2}\n');

    expect((await ImportCheckpoint.open(cwd, 'rows.ndjson', 'http://a/prod')).resumed).toBeUndefined();
    await writeFile(join(cwd, 'rows.ndjson'), '{"id":"a","title":"A","price":1}\n');
    expect((await ImportCheckpoint.open(cwd, 'rows.ndjson', 'http://a/prod')).resumed).toEqual({ rows: 1, failed: [] });
    await first.clear();
    expect((await ImportCheckpoint.open(cwd, 'rows.ndjson', 'http://a/prod')).resumed).toBeUndefined();
  });
});
