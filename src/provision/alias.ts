/**
 * The function's published versions and the `live` alias the API invokes: setup and deploy publish what
 * $LATEST holds and move the alias in one call; rollback moves it back; a canary is the alias's routing
 * configuration (one additional version with a weight from 0 to 1).
 */
import {
  CreateAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  type AliasConfiguration,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { isNotFound, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import type { RoutedVersion } from '../stack/metric-series.js';
import type { ProvisionContext, StepResult } from './context.js';
import { describeStack } from './description.js';
import { updateFunction, waitForFunctionReady } from './function.js';
import { readVersionDescription, versionDescription } from './version-description.js';

export { readVersionDescription, versionDescription };

/** The alias's routing: the additional version and its share (0–1), or undefined without a canary. */
export function canaryOf(alias: AliasConfiguration | undefined): { version: string; weight: number } | undefined {
  const [entry] = Object.entries(alias?.RoutingConfig?.AdditionalVersionWeights ?? {});
  return entry ? { version: entry[0], weight: entry[1] } : undefined;
}

/** The `live` alias, or undefined when there is none. */
export async function getLiveAlias(ctx: ProvisionContext): Promise<AliasConfiguration | undefined> {
  const stack = describeStack(ctx);
  try {
    return await ctx.clients.lambda.send(
      new GetAliasCommand({ FunctionName: stack.function.name, Name: stack.function.alias.name }),
    );
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'lambda:GetAlias');
  }
}

/** The alias the API invokes and the versions it routes to, each with its share of the alias's invocations. */
export interface AliasRouting {
  alias: string;
  versions: RoutedVersion[];
}

/** The versions live routes to: the one it names, and the canary's while there is one; undefined without the alias. */
export async function liveRouting(ctx: ProvisionContext): Promise<AliasRouting | undefined> {
  const config = await getLiveAlias(ctx);
  if (!config?.FunctionVersion) return undefined;
  const canary = canaryOf(config);
  const main = { version: config.FunctionVersion, share: 1 - (canary?.weight ?? 0) };
  return {
    alias: describeStack(ctx).function.alias.name,
    versions: canary ? [main, { version: canary.version, share: canary.weight }] : [main],
  };
}

/** The configuration of one version (or $LATEST without a qualifier). */
export async function versionConfiguration(ctx: ProvisionContext, qualifier?: string): Promise<FunctionConfiguration> {
  try {
    return await ctx.clients.lambda.send(
      new GetFunctionConfigurationCommand({
        FunctionName: describeStack(ctx).function.name,
        ...(qualifier ? { Qualifier: qualifier } : {}),
      }),
    );
  } catch (error) {
    throw translateAwsError(error, 'lambda:GetFunctionConfiguration');
  }
}

/** The fields a version freezes that setup sets, so that a version can be compared with $LATEST. */
function frozen(config: FunctionConfiguration): string {
  return JSON.stringify([
    config.CodeSha256,
    config.Runtime,
    config.Handler,
    config.Role,
    config.MemorySize,
    config.Timeout,
    config.Environment?.Variables ?? {},
    config.Architectures ?? [],
    config.LoggingConfig?.LogGroup,
    config.LoggingConfig?.LogFormat,
  ]);
}

/**
 * Publishes what $LATEST holds, once its update is done. CodeSha256 pins the code that was checked, so a
 * concurrent upload is refused rather than published unseen; Lambda answers the last version when nothing
 * changed since it.
 */
export async function publishVersion(ctx: ProvisionContext): Promise<FunctionConfiguration> {
  // The function step already stopped on an update of this run that failed; an earlier failed one left the last
  // good configuration in place, which is what gets published.
  const latest = await waitForFunctionReady(ctx, { earlierUpdateFailed: 'accept' });
  const sha = latest.CodeSha256 ?? '';
  return updateFunction<FunctionConfiguration>(
    ctx,
    new PublishVersionCommand({
      FunctionName: describeStack(ctx).function.name,
      CodeSha256: sha,
      Description: versionDescription(sha),
    }),
    'lambda:PublishVersion',
  );
}

/**
 * Points the alias at one version, with or without a canary, in one UpdateAlias call (created when missing).
 * RevisionId refuses the move when another process changed the alias since it was read.
 */
export async function moveLiveAlias(
  ctx: ProvisionContext,
  current: AliasConfiguration | undefined,
  version: string,
  canary?: { version: string; weight: number },
): Promise<AliasConfiguration> {
  const { name, alias } = describeStack(ctx).function;
  const RoutingConfig = { AdditionalVersionWeights: canary ? { [canary.version]: canary.weight } : {} };
  if (!current) {
    try {
      return await ctx.clients.lambda.send(
        new CreateAliasCommand({
          FunctionName: name,
          Name: alias.name,
          FunctionVersion: version,
          Description: alias.description,
          RoutingConfig,
        }),
      );
    } catch (error) {
      throw translateAwsError(error, 'lambda:CreateAlias');
    }
  }
  try {
    return await updateFunction<AliasConfiguration>(
      ctx,
      new UpdateAliasCommand({
        FunctionName: name,
        Name: alias.name,
        FunctionVersion: version,
        RoutingConfig,
        ...(current.RevisionId ? { RevisionId: current.RevisionId } : {}),
      }),
      'lambda:UpdateAlias',
    );
  } catch (error) {
    if ((error as { cause?: { name?: string } }).cause?.name === 'PreconditionFailedException') {
      throw new AwsError(`another process moved alias ${alias.name} of ${name} meanwhile; run the command again`, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Setup's step: publishes $LATEST as a version when the alias does not already run exactly that code and
 * configuration, and points `live` at it. A canary in progress is left to deploy, rollback and status.
 */
export async function ensureLiveAlias(ctx: ProvisionContext): Promise<StepResult & { version: string }> {
  const stack = describeStack(ctx);
  const base = { resource: 'alias', name: `${stack.function.name}:${stack.function.alias.name}` };
  const [alias, latest] = await Promise.all([
    getLiveAlias(ctx),
    waitForFunctionReady(ctx, { earlierUpdateFailed: 'accept' }),
  ]);
  if (alias?.FunctionVersion && alias.FunctionVersion !== '$LATEST') {
    const running = await versionConfiguration(ctx, alias.FunctionVersion);
    if (frozen(running) === frozen(latest))
      return {
        ...base,
        outcome: 'unchanged',
        version: alias.FunctionVersion,
        id: alias.AliasArn ?? '',
        ...(canaryOf(alias) ? { detail: `canary on version ${canaryOf(alias)?.version}` } : {}),
      };
  }
  const published = await publishVersion(ctx);
  const version = published.Version ?? '';
  const moved = await moveLiveAlias(ctx, alias, version);
  return {
    ...base,
    outcome: alias ? 'updated' : 'created',
    version,
    id: moved.AliasArn ?? '',
    detail: alias ? `version ${alias.FunctionVersion} → ${version}` : `version ${version}`,
  };
}

/** Compares the alias with $LATEST (read calls only). */
export async function inspectLiveAlias(
  ctx: ProvisionContext,
): Promise<StepResult & { version?: string; canary?: { version: string; weight: number } }> {
  const stack = describeStack(ctx);
  const base = { resource: 'alias', name: `${stack.function.name}:${stack.function.alias.name}` };
  const alias = await getLiveAlias(ctx);
  if (!alias?.FunctionVersion) return { ...base, outcome: 'missing' };
  const canary = canaryOf(alias);
  // Status cannot tell a canary in progress from one a killed deploy left: it says what takes one out.
  const share = canary
    ? `; canary version ${canary.version} at ${Math.round(canary.weight * 1000) / 10}% (a deploy --canary running, or left by one that was killed: rollback or deploy takes it out)`
    : '';
  return {
    ...base,
    outcome: 'present',
    id: alias.AliasArn ?? '',
    version: alias.FunctionVersion,
    ...(canary ? { canary } : {}),
    detail: `version ${alias.FunctionVersion}${share}`,
  };
}

/** One published version, as `versions` shows it. */
export interface VersionInfo {
  version: string;
  publishedAt?: string;
  codeSha256?: string;
  /** The products-cli that published it; undefined for a version published otherwise. */
  productVersion?: string;
  live: boolean;
  /** The canary's share of traffic (0–1) when this version is the alias's additional version. */
  canaryWeight?: number;
}

/** The function's published versions, oldest first, with which one is live and which has canary traffic. */
export async function listVersions(ctx: ProvisionContext, alias?: AliasConfiguration): Promise<VersionInfo[]> {
  const name = describeStack(ctx).function.name;
  const found: FunctionConfiguration[] = [];
  let Marker: string | undefined;
  try {
    do {
      const page = await ctx.clients.lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: name, ...(Marker ? { Marker } : {}) }),
      );
      found.push(...(page.Versions ?? []));
      Marker = page.NextMarker;
    } while (Marker);
  } catch (error) {
    throw translateAwsError(error, 'lambda:ListVersionsByFunction');
  }
  const canary = canaryOf(alias);
  return found
    .filter((v) => v.Version && v.Version !== '$LATEST')
    .sort((a, b) => Number(a.Version) - Number(b.Version))
    .map((v) => {
      const recorded = readVersionDescription(v.Description);
      return {
        version: v.Version as string,
        ...(v.LastModified ? { publishedAt: v.LastModified } : {}),
        ...(v.CodeSha256 ? { codeSha256: v.CodeSha256 } : {}),
        ...(recorded ? { productVersion: recorded.productVersion } : {}),
        live: v.Version === alias?.FunctionVersion,
        ...(canary && canary.version === v.Version ? { canaryWeight: canary.weight } : {}),
      };
    });
}

/** The versions to delete: those products-cli published, beyond the newest `keep`, never the live or canary one. */
export function versionsToPrune(versions: readonly VersionInfo[], keep: number): string[] {
  const removable = versions.filter((v) => v.productVersion !== undefined && !v.live && v.canaryWeight === undefined);
  return removable.slice(0, Math.max(0, removable.length - keep)).map((v) => v.version);
}

/** Deletes old versions (DeleteFunction with the version as qualifier); a version an alias still uses is kept. */
export async function pruneVersions(ctx: ProvisionContext, versions: readonly VersionInfo[]): Promise<string[]> {
  const { name, alias } = describeStack(ctx).function;
  const pruned: string[] = [];
  for (const version of versionsToPrune(versions, alias.keepVersions)) {
    try {
      await ctx.clients.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: version }));
      pruned.push(version);
    } catch (error) {
      // Another alias (made by hand) may still route to it: keep it rather than fail the deploy.
      if (isNotFound(error) || (error as { name?: string }).name === 'ResourceConflictException') continue;
      throw translateAwsError(error, 'lambda:DeleteFunction');
    }
  }
  return pruned;
}
