// The folder where tools fetched or built for the tests are kept between runs.
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CACHE_HOME/products-cli`, by default `~/.cache/products-cli`. */
export function cacheRoot(env = process.env) {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'products-cli');
}

/**
 * Fills `finalDir` through `fill(tmpDir)` in a sibling temporary folder and renames it into place, so that a
 * run that dies half-way leaves nothing that looks complete, and two runs filling it at once both succeed.
 */
export async function fillAtomically(finalDir, fill) {
  const parent = join(finalDir, '..');
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, '.partial-'));
  try {
    const built = (await fill(tmp)) ?? tmp;
    try {
      renameSync(built, finalDir);
    } catch (error) {
      // Another run got there first; its copy is as good as ours.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return finalDir;
}
