/** `deploy --local` and `rollback --local`: the running local stack loads a bundle as a new version, or moves live back. */
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { AppError, EXIT, NotFoundError, type ExitCode } from '../errors.js';
import type { Style } from '../output/style.js';
import type { ControlRequest } from '../local/health.js';

export interface LocalSwitchResult {
  target: 'local';
  url: string;
  version: string;
  replacedVersion: string;
  moved: boolean;
  /** Every version the stack has loaded since it started, oldest first. */
  versions: Array<{ version: string; codeSha256: string; publishedAt: string }>;
}

/** Sends one request to the local stack this directory runs, with its secret. */
async function controlLocal(ctx: Context, control: ControlRequest): Promise<LocalSwitchResult> {
  const [{ readState }, { locateStack }, { sendControl }] = await Promise.all([import('../state/state-file.js'), import('../local/locate.js'), import('../local/control.js')]);
  const found = await locateStack(ctx.cwd, await readState(ctx.cwd));
  if (found.kind !== 'running' || !found.record.secret) throw new NotFoundError('no local stack runs here; start it with products-cli setup --local');
  const answer = await sendControl(found.identity.port, found.record.secret, control);
  if (answer.status !== 200) throw new AppError(answer.body.message ?? `the local stack answered ${answer.status}`, (answer.body.exitCode ?? EXIT.failure) as ExitCode);
  const { version = '', replacedVersion = '', moved = false, versions = [] } = answer.body;
  return { target: 'local', url: found.identity.url, version, replacedVersion, moved, versions };
}

/** Loads the bundle (dist/handler.zip or `zip`) into the running local stack as a new version and moves live to it. */
export async function deployLocal(zip: string | undefined, ctx: Context): Promise<LocalSwitchResult> {
  const { defaultHandlerZip } = await import('../local/handler-code.js');
  return controlLocal(ctx, { action: 'deploy', zip: zip ? resolve(ctx.cwd, zip) : defaultHandlerZip() });
}

/** Moves the local stack's live back to the version before it, or to `to`. */
export function rollbackLocal(to: number | undefined, ctx: Context): Promise<LocalSwitchResult> {
  return controlLocal(ctx, { action: 'rollback', ...(to === undefined ? {} : { to: String(to) }) });
}

/** The local switch for people. */
export function renderLocalSwitch(result: LocalSwitchResult, style: Style, verb: 'Deployed' | 'Rolled back'): string {
  const sha = result.versions.find((v) => v.version === result.version)?.codeSha256 ?? '';
  if (!result.moved) return `Nothing to ${verb === 'Deployed' ? 'deploy' : 'roll back'}: the local stack at ${result.url} already runs version ${result.version} (code ${sha}).`;
  return `${verb} the local stack at ${result.url}: live runs version ${style.bold(result.version)} (code ${sha}), replacing version ${result.replacedVersion}.`;
}
