/** `setup`: the local stack with --local, otherwise the AWS stack. */
import type { Context } from '../context.js';

export interface SetupOptions {
  local?: boolean;
  json?: boolean;
  [option: string]: unknown;
}

export async function setup(opts: SetupOptions, ctx: Context): Promise<unknown> {
  if (opts.local) {
    const { setupLocal } = await import('./setup-local.js');
    return setupLocal(opts as never, ctx);
  }
  const { setupAws } = await import('./setup-aws.js');
  return setupAws(opts as never, ctx);
}
