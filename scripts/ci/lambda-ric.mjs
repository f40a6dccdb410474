// Lambda's Node runtime interface client (npm aws-lambda-ric), built once under the cache for the test that
// runs the artifact under it. Its install scripts compile curl, aws-lambda-cpp and a native addon, which takes
// about a minute and needs build tools, so it is no devDependency: `npm ci` stays fast and quiet.
//   node scripts/ci/lambda-ric.mjs   builds it (with Node 24's headers) and prints the path of its index.mjs;
//                                    exit 3 when build tools are missing, 1 on any other failure
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { cacheRoot, fillAtomically } from './cache.mjs';
import { ensureNode, NODE_VERSIONS, nodeHome } from './node-binary.mjs';

const run = promisify(execFile);

export const RIC_VERSION = '4.0.2';
export const RIC_BUILD_COMMAND = 'node scripts/ci/lambda-ric.mjs';

/** The folder the client is installed in. */
export function ricHome(env = process.env) {
  return join(cacheRoot(env), `aws-lambda-ric-${RIC_VERSION}`);
}

/** The built client's entry point (what its `aws-lambda-ric` bin runs), or undefined when it is not built. */
export function cachedRic(env = process.env) {
  const dir = join(ricHome(env), 'node_modules', 'aws-lambda-ric');
  return existsSync(join(dir, 'rapid-client.node')) ? join(dir, 'index.mjs') : undefined;
}

/** The build tools its install scripts call that are not on PATH. */
export function missingBuildTools(env = process.env) {
  const needed = [['cmake', 'cmake3'], ['make'], ['cc', 'gcc'], ['c++', 'g++'], ['python3'], ['xz']];
  const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { env, stdio: 'ignore' }).status === 0;
  return needed.filter((names) => !names.some(has)).map((names) => names[0]);
}

/** Builds the client against `nodeVersion`'s headers unless it is cached; returns its index.mjs. */
export async function ensureRic({ env = process.env, nodeVersion = NODE_VERSIONS[24] } = {}) {
  const cached = cachedRic(env);
  if (cached) return cached;
  const missing = missingBuildTools(env);
  if (missing.length > 0)
    throw Object.assign(new Error(`building aws-lambda-ric needs ${missing.join(', ')}`), { code: 'ENOBUILDTOOLS' });
  const node = await ensureNode(nodeVersion, { env });
  await fillAtomically(ricHome(env), async (tmp) => {
    const manifest = {
      private: true,
      dependencies: { 'aws-lambda-ric': RIC_VERSION },
      allowScripts: { [`aws-lambda-ric@${RIC_VERSION}`]: true },
    };
    writeFileSync(join(tmp, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const buildEnv = {
      ...env,
      PATH: `${join(node, '..')}:${env.PATH}`,
      npm_config_nodedir: nodeHome(nodeVersion, env),
    };
    try {
      await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'], {
        cwd: tmp,
        env: buildEnv,
        timeout: 900_000,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      throw new Error(
        `npm install aws-lambda-ric@${RIC_VERSION} failed:\n${String(error.stderr || error.stdout || error.message)
          .trim()
          .split('\n')
          .slice(-15)
          .join('\n')}`,
      );
    }
    if (!existsSync(join(tmp, 'node_modules', 'aws-lambda-ric', 'rapid-client.node')))
      throw new Error('aws-lambda-ric installed without its native client');
  });
  return cachedRic(env);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(await ensureRic());
  } catch (error) {
    console.error(`lambda-ric: ${error.message}`);
    process.exit(error.code === 'ENOBUILDTOOLS' ? 3 : 1);
  }
}
