/** `teardown`: stops and removes the local stack with --local, otherwise removes the AWS stack. */
import type { Context } from '../context.js';

export interface TeardownOptions {
  local?: boolean;
  json?: boolean;
  [option: string]: unknown;
}

export async function teardown(opts: TeardownOptions, ctx: Context): Promise<unknown> {
  if (opts.local) {
    const { teardownLocal } = await import('./teardown-local.js');
    return teardownLocal(opts as never, ctx);
  }
  const { teardownAws } = await import('./teardown-aws.js');
  return teardownAws(opts as never, ctx);
}
