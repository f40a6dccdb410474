// Placeholder until this command lands; replaced in full by its implementation.
import type { Context } from '../context.js';
import { AppError } from '../errors.js';

export async function teardownLocal(_opts: unknown, _ctx: Context): Promise<unknown> {
  throw new AppError('teardown-local is not available in this build');
}
