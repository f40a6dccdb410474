/** `smoke`: the tutorial's test section as a contract suite against the target; exit 1 when a check fails. */
import { writeFile } from 'node:fs/promises';
import type { Context } from '../context.js';
import { CheckFailedError, UsageError } from '../errors.js';
import { openApi, type TargetOptions } from '../http/open-api.js';
import { styleFor } from '../output/print.js';
import { renderCheck, smokeJUnit } from '../testing/render-smoke.js';
import { runSmoke, type SmokeReport } from '../testing/smoke.js';

export interface SmokeOptions extends TargetOptions {
  reporter?: string;
  /** Where the JUnit report goes; stdout when omitted. */
  output?: string;
  json?: boolean;
}

export const REPORTERS = ['text', 'junit'] as const;

/** Runs the checks, printing each as it finishes (text reporter, not --json); writes the JUnit file if asked. */
export async function smoke(opts: SmokeOptions, ctx: Context): Promise<SmokeReport> {
  const reporter = opts.reporter ?? 'text';
  if (!(REPORTERS as readonly string[]).includes(reporter)) throw new UsageError(`--reporter must be one of ${REPORTERS.join(', ')}, not "${reporter}"`);
  if (opts.output !== undefined && reporter !== 'junit') throw new UsageError('--output goes with --reporter junit');
  const live = reporter === 'text' && !ctx.json;
  const style = styleFor(ctx);
  // A failing API should fail its checks in seconds, not after a long series of retries.
  const api = await openApi(opts, ctx, { retries: 2, timeoutMs: 10_000 });
  const cleanupApi = await openApi(opts, ctx, { retries: 2, timeoutMs: 10_000, signal: undefined });
  try {
    const report = await runSmoke({
      api,
      cleanupApi,
      signal: ctx.signal,
      onCheck: (result) => {
        if (live) ctx.stdout.write(renderCheck(result, style));
      },
    });
    if (reporter === 'junit') {
      const xml = smokeJUnit(report);
      if (opts.output !== undefined) {
        try {
          await writeFile(opts.output, xml);
        } catch (error) {
          throw new UsageError(`cannot write ${opts.output}: ${(error as Error).message}`);
        }
      } else if (!ctx.json) {
        ctx.stdout.write(xml);
      }
    }
    return report;
  } finally {
    await Promise.all([api.close(), cleanupApi.close()]);
  }
}

/** Ends a run that had a failed check with exit 1, naming the checks. */
export function assertSmokePassed(report: SmokeReport): void {
  if (report.failed === 0) return;
  const names = report.checks.filter((check) => check.status === 'fail').map((check) => check.name);
  throw new CheckFailedError(`${report.failed} of ${report.checks.length} smoke checks failed: ${names.join(', ')}`);
}
