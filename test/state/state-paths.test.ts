import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRotatingLog } from '../../src/local/rotating-log.js';
import { DataDirInUseError, readDataOwner, takeDataLock } from '../../src/state/data-lock.js';
import { ensurePrivateDir, openPrivateAppend, UnsafePathError } from '../../src/state/safe-path.js';
import { findStateRoot, readState, statePath, writeState } from '../../src/state/state-file.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'products-cli-state-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const env = (ceiling?: string) => ({ PRODUCTS_CLI_CEILING_DIRECTORIES: ceiling ?? root });

describe('where the state is', () => {
  it('is the nearest .products-cli at or above the working directory, as git finds .git', async () => {
    await mkdir(join(root, 'project', '.products-cli'), { recursive: true });
    await mkdir(join(root, 'project', 'src', 'deep'), { recursive: true });

    expect(findStateRoot(join(root, 'project', 'src', 'deep'), env())).toBe(join(root, 'project'));
    expect(findStateRoot(join(root, 'project'), env())).toBe(join(root, 'project'));
  });

  it('is the working directory when there is none, and the search stops at a ceiling', async () => {
    await mkdir(join(root, '.products-cli'));
    await mkdir(join(root, 'a', 'b'), { recursive: true });

    expect(findStateRoot(join(root, 'a', 'b'), env(join(root, 'a')))).toBe(join(root, 'a', 'b'));
    expect(findStateRoot(join(root, 'a', 'b'), env('/nonexistent'))).toBe(root);
  });

  it('writes the state 0600 in a 0700 directory and tightens a directory left at 0755', async () => {
    await mkdir(join(root, '.products-cli'), { mode: 0o755 });
    await chmod(join(root, '.products-cli'), 0o755);

    await writeState(root, { version: 1, current: 'local' });

    expect(await mode(join(root, '.products-cli'))).toBe(0o700);
    expect(await mode(statePath(root))).toBe(0o600);
  });
});

describe('symbolic links in the state path', () => {
  it('are refused for .products-cli itself, for reading and writing', async () => {
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await mkdir(join(root, 'project'));
    await symlink(elsewhere, join(root, 'project', '.products-cli'));

    await expect(writeState(join(root, 'project'), { version: 1 })).rejects.toThrow(UnsafePathError);
    await expect(readState(join(root, 'project'))).rejects.toThrow(/is a symbolic link/);
    expect(existsSync(join(elsewhere, 'state.json'))).toBe(false);
  });

  it('are refused for a log file, which is never appended through', async () => {
    const target = join(root, 'target.txt');
    await writeFile(target, 'keep\n');
    await symlink(target, join(root, 'stack.log'));

    await expect(openPrivateAppend(join(root, 'stack.log'))).rejects.toThrow(UnsafePathError);
    await expect(openRotatingLog(join(root, 'stack.log'))).rejects.toThrow(UnsafePathError);
    expect(await readFile(target, 'utf8')).toBe('keep\n');
  });

  it('are refused for a private directory, which is created 0700 when missing', async () => {
    await symlink(root, join(root, 'link'));

    await expect(ensurePrivateDir(join(root, 'link'))).rejects.toThrow(UnsafePathError);
    await ensurePrivateDir(join(root, 'fresh'));
    expect(await mode(join(root, 'fresh'))).toBe(0o700);
  });
});

describe('the data lock', () => {
  it('names its owner, privately, and refuses a second owner while the first is live', async () => {
    const dataDir = join(root, 'data');
    const lock = await takeDataLock(dataDir, async () => true);
    await lock.record({ port: 4321, url: 'http://127.0.0.1:4321/prod', secret: 'abc' });

    expect(await readDataOwner(dataDir)).toMatchObject({ pid: process.pid, port: 4321, secret: 'abc' });
    expect(await mode(`${dataDir}.lock`)).toBe(0o600);
    await expect(takeDataLock(dataDir, async () => true)).rejects.toThrow(DataDirInUseError);
    await lock.release();
    expect(await readDataOwner(dataDir)).toBeUndefined();
  });

  it('is taken over from an owner that is gone, and reads a lock of the older form (a bare pid)', async () => {
    const dataDir = join(root, 'data');
    await writeFile(`${dataDir}.lock`, '999999');

    expect(await readDataOwner(dataDir)).toEqual({ pid: 999999 });
    const lock = await takeDataLock(dataDir, async (owner) => owner.pid !== 999999);
    expect((await readDataOwner(dataDir))?.pid).toBe(process.pid);
    await lock.release();
  });
});

describe('the stack log', () => {
  it('is rotated past its size cap, keeping a few older files', async () => {
    const path = join(root, 'stack.log');
    const log = await openRotatingLog(path, { maxBytes: 1000, keep: 2 });

    for (let index = 0; index < 100; index += 1) log.write(`line ${String(index).padStart(3, '0')} ${'x'.repeat(80)}`);
    await log.close();

    const current = await readFile(path, 'utf8');
    const older = await readFile(`${path}.1`, 'utf8');
    expect(current.length).toBeLessThanOrEqual(1000);
    expect(older.length).toBeLessThanOrEqual(1000);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    expect(current.trimEnd().split('\n').at(-1)).toMatch(/^line 099 /);
    expect(await mode(path)).toBe(0o600);
  });
});
