/** `metrics --local`: the local stack's own records, asked of the running stack with its secret. */
import type { Context } from '../../context.js';
import { DEFAULT_FUNCTION_NAME, DEFAULT_TABLE_NAME } from '../../defaults.js';
import { AppError } from '../../errors.js';
import type { MetricsSource } from './index.js';

/** The running local stack as a source of series; a usage-level error when none runs. */
export async function localMetricsSource(ctx: Context): Promise<MetricsSource> {
  const [{ readState }, { locateStack }] = await Promise.all([
    import('../../state/state-file.js'),
    import('../../local/locate.js'),
  ]);
  const state = await readState(ctx.cwd);
  const stage = state.local?.stage ?? 'prod';
  return {
    target: 'local',
    names: { api: 'local gateway', stage, function: DEFAULT_FUNCTION_NAME, table: DEFAULT_TABLE_NAME },
    queries: 1,
    async read(window) {
      const found = await locateStack(ctx.cwd, await readState(ctx.cwd), { metrics: window });
      if (found.kind !== 'running')
        throw new AppError(
          'no local stack is running here, and only a running one has metrics; start it with products-cli setup --local',
        );
      if (!found.identity.metrics)
        throw new AppError(
          `the local stack at ${found.identity.url} does not report metrics; restart it with products-cli setup --local`,
        );
      return found.identity.metrics;
    },
    close() {},
  };
}
