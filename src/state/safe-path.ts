/**
 * The state directory's files are private and never reached through a symbolic link: a link could make
 * teardown delete, or the log append to, whatever it points at. Directories are 0700 and files 0600, and
 * looser modes left by an older version or a umask are tightened.
 */
import { constants, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../errors.js';

export class UnsafePathError extends AppError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} ${reason}; products-cli refuses to use it: remove it or move it aside`);
    this.name = 'UnsafePathError';
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Throws when `path` is a symbolic link; returns its lstat, or undefined when it does not exist. */
export async function refuseSymlink(path: string): Promise<Stats | undefined> {
  const stats = await lstatOrUndefined(path);
  if (stats?.isSymbolicLink()) throw new UnsafePathError(path, 'is a symbolic link');
  return stats;
}

/** Makes `dir` a real directory with mode 0700 (creating it when missing), refusing a link or a file there. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  let stats = await refuseSymlink(dir);
  if (!stats) {
    await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    stats = await refuseSymlink(dir);
  }
  if (!stats?.isDirectory()) throw new UnsafePathError(dir, 'is not a directory');
  if ((stats.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/** Checks an existing file: not a link, and mode 0600; nothing to do when it does not exist. */
export async function tightenFile(path: string): Promise<void> {
  const stats = await refuseSymlink(path);
  if (stats && !stats.isFile()) throw new UnsafePathError(path, 'is not a regular file');
  if (stats && (stats.mode & 0o077) !== 0) await chmod(path, 0o600);
}

/** Opens a private file for appending; O_NOFOLLOW makes a link planted at the last moment fail rather than be followed. */
export async function openPrivateAppend(path: string): Promise<FileHandle> {
  await tightenFile(path);
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
    0o600,
  );
  await handle.chmod(0o600);
  return handle;
}
