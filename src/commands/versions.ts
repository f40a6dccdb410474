/**
 * `versions`: the function's published versions, oldest first, with when each was published, the bundle's SHA-256
 * and the products-cli that published it, which one alias live runs and which one has canary traffic.
 */
import { defineCommand } from '../cli/command.js';
import { awsOptions, type AwsTargetOptions } from '../cli/option-sets.js';
import { jsonOption } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { NotFoundError } from '../errors.js';
import type { Style } from '../output/style.js';
import type { VersionInfo } from '../provision/alias.js';
import type { AwsDeps } from '../provision/session.js';

export interface VersionsResult {
  target: 'aws';
  function: string;
  /** The version live runs, and the canary's version and share (0–1) when there is one. */
  live?: string;
  canary?: { version: string; weight: number };
  versions: VersionInfo[];
}

/** Lists the versions. */
export async function listFunctionVersions(opts: AwsTargetOptions, ctx: Context, deps: Partial<AwsDeps> = {}): Promise<VersionsResult> {
  const [{ awsTarget, openSession }, alias] = await Promise.all([import('../provision/session.js'), import('../provision/alias.js')]);
  const session = await openSession({ ...awsTarget(opts), force: false }, ctx, deps);
  const { pctx } = session;
  try {
    const live = await alias.getLiveAlias(pctx);
    let versions: VersionInfo[];
    try {
      versions = await alias.listVersions(pctx, live);
    } catch (error) {
      if ((error as { cause?: { name?: string } }).cause?.name === 'ResourceNotFoundException') throw new NotFoundError(`function ${pctx.names.function} does not exist; run products-cli setup first`, { cause: error });
      throw error;
    }
    const canary = alias.canaryOf(live);
    return { target: 'aws', function: pctx.names.function, ...(live?.FunctionVersion ? { live: live.FunctionVersion } : {}), ...(canary ? { canary } : {}), versions };
  } finally {
    session.close();
  }
}

const percent = (weight: number) => `${Math.round(weight * 1000) / 10}%`;

/** The versions as a table for people: the live one green, the canary yellow. */
export function renderVersions(result: VersionsResult, style: Style): string {
  if (result.versions.length === 0) return `${result.function} has no published version; products-cli setup publishes one.`;
  const roleOf = (v: VersionInfo) => {
    if (v.live) return style.green(result.canary ? `live (${percent(1 - result.canary.weight)})` : 'live');
    return v.canaryWeight !== undefined ? style.yellow(`canary (${percent(v.canaryWeight)})`) : '';
  };
  const header = ['version', 'published', 'code SHA-256', 'products-cli'];
  const rows = result.versions.map((v) => [v.version, v.publishedAt?.replace(/(?:\.\d+)?(?:Z|\+0000)$/, 'Z') ?? '', v.codeSha256 ?? '', v.productVersion ?? 'not products-cli']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [style.bold(line(header).trimEnd()), ...rows.map((r, i) => `${line(r)}  ${roleOf(result.versions[i] as VersionInfo)}`.trimEnd())].join('\n');
}

export const command = defineCommand({
  options: [...awsOptions(), jsonOption('print the versions as JSON')],
  help: `Examples:
  $ products-cli versions
  $ products-cli versions --stack alice --json

Each version deploy or setup published: when, the bundle's SHA-256, the products-cli that published it,
which one alias live runs and which one has canary traffic (deploy --canary). deploy keeps the newest few
and deletes older ones, never the live or canary one. Go back with products-cli rollback [--to VERSION].`,
  run: (_args: [], opts: AwsTargetOptions, ctx) => listFunctionVersions(opts, ctx),
  render: renderVersions,
});
