// serverless-offline, the peer the local stack is measured against, installed once into the tools cache
// (~/.cache/products-cli/peers/…) rather than as a dev dependency: it brings some 460 packages (about 280 MB)
// that nothing else here needs. Versions are pinned so that runs on two machines compare the same peer.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, fillAtomically } from '../ci/cache.mjs';

export const PEER_VERSIONS = { serverless: '3.40.0', 'serverless-offline': '13.9.0' };

const folderName = () => `serverless-${PEER_VERSIONS.serverless}-offline-${PEER_VERSIONS['serverless-offline']}`;

/** The folder holding serverless and serverless-offline; installs them first when `install` allows. */
export async function ensurePeers({ install, log }) {
  const dir = join(cacheRoot(), 'peers', folderName());
  if (existsSync(join(dir, 'node_modules', 'serverless-offline', 'package.json'))) return dir;
  if (!install)
    throw new Error(`serverless-offline is not installed in ${dir}; run without --no-install to install it`);
  log(
    `installing serverless ${PEER_VERSIONS.serverless} and serverless-offline ${PEER_VERSIONS['serverless-offline']} into ${dir} (once; about 280 MB)`,
  );
  return fillAtomically(dir, (tmp) => {
    writeFileSync(
      join(tmp, 'package.json'),
      JSON.stringify({ name: 'products-cli-peers', private: true, dependencies: PEER_VERSIONS }, null, 2),
    );
    // serverless's only install script prints a welcome; nothing needs building.
    const npm = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: tmp,
      encoding: 'utf8',
    });
    if (npm.status !== 0)
      throw new Error(`npm install of the peers failed: ${(npm.stderr || npm.stdout).trim().split('\n').slice(-1)[0]}`);
  });
}
