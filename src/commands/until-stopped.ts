/** Waiting, for a command that serves until it is stopped. */
import type { Context } from '../context.js';

/** Resolves on Ctrl-C (the context's signal) or SIGTERM. */
export function untilStopped(ctx: Context): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGTERM', done);
      ctx.signal.removeEventListener('abort', done);
      resolve();
    };
    if (ctx.signal.aborted) return done();
    ctx.signal.addEventListener('abort', done);
    process.on('SIGTERM', done);
  });
}
