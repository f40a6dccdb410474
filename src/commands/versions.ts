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
import type { LocalVersionsResult } from './versions-local.js';

export interface VersionsResult {
  target: 'aws';
  function: string;
  /** The version live runs, and the canary's version and share (0–1) when there is one. */
  live?: string;
  canary?: { version: string; weight: number };
  versions: VersionInfo[];
}

/** Lists the versions. */
export async function listFunctionVersions(
  opts: AwsTargetOptions,
  ctx: Context,
  deps: Partial<AwsDeps> = {},
): Promise<VersionsResult> {
  const [{ awsTarget, openSession }, alias] = await Promise.all([
    import('../provision/session.js'),
    import('../provision/alias.js'),
  ]);
  const session = await openSession({ ...awsTarget(opts), force: false }, ctx, deps);
  const { pctx } = session;
  try {
    const live = await alias.getLiveAlias(pctx);
    let versions: VersionInfo[];
    try {
      versions = await alias.listVersions(pctx, live);
    } catch (error) {
      if ((error as { cause?: { name?: string } }).cause?.name === 'ResourceNotFoundException')
        throw new NotFoundError(`function ${pctx.names.function} does not exist; run products-cli setup first`, {
          cause: error,
        });
      throw error;
    }
    const canary = alias.canaryOf(live);
    return {
      target: 'aws',
      function: pctx.names.function,
      ...(live?.FunctionVersion ? { live: live.FunctionVersion } : {}),
      ...(canary ? { canary } : {}),
      versions,
    };
  } finally {
    session.close();
  }
}

const percent = (weight: number) => `${Math.round(weight * 1000) / 10}%`;

/** The versions as a table for people: the live one green, the canary yellow. */
export function renderVersions(result: VersionsResult, style: Style): string {
  if (result.versions.length === 0)
    return `${result.function} has no published version; products-cli setup publishes one.`;
  return versionTable(result.versions, result.canary, style, true);
}

/** The table: version, when, the bundle's SHA-256, the products-cli that published it (`publisher`), and its role. */
function versionTable(
  versions: VersionInfo[],
  canary: VersionsResult['canary'],
  style: Style,
  publisher: boolean,
): string {
  const roleOf = (v: VersionInfo) => {
    if (v.live) return style.green(canary ? `live (${percent(1 - canary.weight)})` : 'live');
    return v.canaryWeight !== undefined ? style.yellow(`canary (${percent(v.canaryWeight)})`) : '';
  };
  const header = ['version', 'published', 'code SHA-256', ...(publisher ? ['products-cli'] : [])];
  const rows = versions.map((v) => [
    v.version,
    v.publishedAt?.replace(/(?:\.\d+)?(?:Z|\+0000)$/, 'Z') ?? '',
    v.codeSha256 ?? '',
    ...(publisher ? [v.productVersion ?? 'not products-cli'] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [
    style.bold(line(header).trimEnd()),
    ...rows.map((r, i) => `${line(r)}  ${roleOf(versions[i] as VersionInfo)}`.trimEnd()),
  ].join('\n');
}

/** The local stack's versions for people: each bundle it loaded since it started, live and any canary. */
export function renderLocalVersions(result: LocalVersionsResult, style: Style): string {
  const versions: VersionInfo[] = result.versions.map((v) => ({
    ...v,
    live: v.version === result.live,
    ...(result.canary?.version === v.version ? { canaryWeight: result.canary.weight } : {}),
  }));
  return `Versions of the local stack at ${result.url}:\n${versionTable(versions, result.canary, style, false)}`;
}

export const command = defineCommand({
  options: [
    ...awsOptions(),
    {
      flags: '--local',
      description: 'the local stack running here: the versions it runs, which one is live and any canary',
    },
    jsonOption('print the versions as JSON'),
  ],
  help: `Examples:
  $ products-cli versions
  $ products-cli versions --stack alice --json
  $ products-cli versions --local              # the local stack: its versions since it started, live and canary

Each version deploy or setup published: when, the bundle's SHA-256, the products-cli that published it,
which one alias live runs and which one has canary traffic (deploy --canary). deploy keeps the newest few
and deletes older ones, never the live or canary one. Go back with products-cli rollback [--to VERSION].`,
  run: async (
    _args: [],
    opts: AwsTargetOptions & { local?: boolean },
    ctx,
  ): Promise<VersionsResult | LocalVersionsResult> => {
    if (!opts.local) return listFunctionVersions(opts, ctx);
    const { listLocalVersions } = await import('./versions-local.js');
    return listLocalVersions(ctx);
  },
  render: (result: VersionsResult | LocalVersionsResult, style: Style) =>
    result.target === 'local' ? renderLocalVersions(result, style) : renderVersions(result, style),
});
