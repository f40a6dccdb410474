// Once per run, before any test file: finds what the suites that need outside tools will run on (moto, the Node
// versions Lambda runs, Lambda's runtime interface client), provides it to them, and says in one line each what
// is skipped for want of it. Under CI=true nothing may be skipped that this machine could run.
import type { TestProject } from 'vitest/node';
import { cachedRic, missingBuildTools, RIC_BUILD_COMMAND } from '../scripts/ci/lambda-ric.mjs';
import { locateMoto, MOTO_INSTALL } from '../scripts/ci/moto.mjs';
import { ensureNode, NODE_VERSIONS } from '../scripts/ci/node-binary.mjs';

export type MotoTarget = { url: string } | { python: string } | null;

declare module 'vitest' {
  export interface ProvidedContext {
    /** moto to start (a python that has it) or to use (a URL); null when there is none. */
    moto: MotoTarget;
    /** bin/node by major version, for each of NODE_VERSIONS that could be had. */
    nodeBinaries: Record<string, string>;
    /** aws-lambda-ric's index.mjs, when it is built. */
    lambdaRic: string | null;
  }
}

function skipped(what: string, why: string, enable: string): void {
  console.log(`skipped: ${what}: ${why}; enable it with: ${enable}`);
}

function findMoto(ci: boolean): MotoTarget {
  const url = process.env.PRODUCTS_CLI_MOTO_URL;
  if (url) return { url: url.replace(/\/$/, '') };
  const found = locateMoto();
  if ('python' in found && found.python) return { python: found.python };
  if (ci)
    throw new Error(
      `CI runs the AWS emulator suite (test/e2e-moto), but ${found.missing}; install it with: ${MOTO_INSTALL}`,
    );
  skipped('the AWS emulator suite (test/e2e-moto)', found.missing ?? 'no moto', MOTO_INSTALL);
  return null;
}

async function findNodes(ci: boolean): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const [major, version] of Object.entries(NODE_VERSIONS)) {
    try {
      found[major] = await ensureNode(version);
    } catch (error) {
      const why = (error as Error).message;
      if (ci) throw new Error(`CI tests dist/handler.zip on Node ${version}, but ${why}`);
      skipped(`dist/handler.zip on Node ${version}`, why, `node scripts/ci/node-binary.mjs ${major}`);
    }
  }
  return found;
}

function findRic(ci: boolean): string | null {
  const ric = cachedRic();
  if (ric) return ric;
  const missing = missingBuildTools();
  const why =
    missing.length > 0 ? `building aws-lambda-ric needs ${missing.join(', ')}` : 'aws-lambda-ric is not built yet';
  if (ci && missing.length === 0)
    throw new Error(`CI runs dist/handler.zip under aws-lambda-ric, but it is not built; run: ${RIC_BUILD_COMMAND}`);
  skipped(
    "dist/handler.zip under Lambda's runtime interface client",
    why,
    missing.length > 0 ? `installing ${missing.join(', ')}, then ${RIC_BUILD_COMMAND}` : RIC_BUILD_COMMAND,
  );
  return null;
}

export default async function setup(project: TestProject): Promise<void> {
  const ci = process.env.CI === 'true';
  project.provide('moto', findMoto(ci));
  project.provide('nodeBinaries', await findNodes(ci));
  project.provide('lambdaRic', findRic(ci));
}
