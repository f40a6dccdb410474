/** `--local` by default: `status` and `logs` mean the local stack when it is the only one recorded. */
import type { AwsTargetOptions } from './option-sets.js';

/** True when a command without --local should still mean the local stack: only a local one is recorded, and no AWS flag is given. */
export async function onlyLocalRecorded(opts: AwsTargetOptions, cwd: string): Promise<boolean> {
  if (opts.region || opts.profile || opts.endpointUrl || opts.stack) return false;
  const { readState } = await import('../state/state-file.js');
  const state = await readState(cwd);
  return Boolean(state.local) && !state.aws;
}
