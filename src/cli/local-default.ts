/** `--local` by default: `status` and `logs` mean the local stack when it is the only one recorded. */
import type { AwsTargetOptions } from './option-sets.js';

function namesAwsStack(opts: AwsTargetOptions): boolean {
  return Boolean(opts.region || opts.profile || opts.endpointUrl || opts.stack);
}

/** True when a command without --local should still mean the local stack: only a local one is recorded, and no AWS flag is given. */
export async function onlyLocalRecorded(opts: AwsTargetOptions, cwd: string): Promise<boolean> {
  if (namesAwsStack(opts)) return false;
  const { readState } = await import('../state/state-file.js');
  const state = await readState(cwd);
  return Boolean(state.local) && !state.aws;
}

/** An AWS command with nothing to act on: no AWS flag names a stack and the state file records none. */
export interface NothingHere {
  target: 'none';
  stateFile: string;
  /** A local stack is recorded (it is reached with --local). */
  localRecorded: boolean;
}

/** What an AWS command without flags finds when this directory records no AWS stack; undefined when it has one to act on. */
export async function nothingRecordedForAws(opts: AwsTargetOptions, cwd: string): Promise<NothingHere | undefined> {
  if (namesAwsStack(opts)) return undefined;
  const { readState, statePath } = await import('../state/state-file.js');
  const state = await readState(cwd);
  if (state.aws) return undefined;
  return { target: 'none', stateFile: statePath(cwd), localRecorded: Boolean(state.local) };
}

/** The line for people: nothing is set up here, and how to name a stack set up elsewhere. */
export function renderNothingHere(result: NothingHere, what: string): string {
  const local = result.localRecorded ? ' (only a local stack, reached with --local)' : '';
  return [
    `Nothing is set up here: ${result.stateFile} records no AWS stack${local}; ${what}.`,
    `For an AWS stack set up from elsewhere, name it with --stack NAME --region REGION.`,
  ].join('\n');
}
