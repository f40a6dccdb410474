/** `smoke`: the tutorial's test section as a contract suite against the target; exit 1 when a check fails. */
import { writeFile } from 'node:fs/promises';
import { defineCommand, type RunContext } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import { oneOf } from '../cli/parsers.js';
import type { Context } from '../context.js';
import { CheckFailedError, UsageError } from '../errors.js';
import { openProductApi, type TargetOptions } from './open-product-api.js';
import { resolveTarget } from '../target.js';
import type { Style } from '../output/style.js';
import { toJUnitXml } from '../testing/junit.js';
import { runSmoke, type CheckResult, type SmokeReport } from '../testing/smoke.js';

export const REPORTERS = ['text', 'junit'] as const;

export interface SmokeOptions extends TargetOptions {
  reporter?: (typeof REPORTERS)[number];
  /** Where the JUnit report goes; stdout when omitted. */
  output?: string;
  json?: boolean;
}

const parseReporter = oneOf('--reporter', REPORTERS);

/** Runs the checks, handing each to `onCheck` as it finishes (text reporter); writes the JUnit file if asked. */
export async function smoke(
  opts: SmokeOptions,
  ctx: Context,
  onCheck: (result: CheckResult) => void = () => {},
): Promise<SmokeReport> {
  const reporter = parseReporter(opts.reporter ?? 'text');
  if (opts.output !== undefined && reporter !== 'junit') throw new UsageError('--output goes with --reporter junit');
  // A failing API should fail its checks in seconds, not after a long series of retries.
  const api = await openProductApi(opts, ctx, { retries: 2, timeoutMs: 10_000 });
  const cleanupApi = await openProductApi(opts, ctx, { retries: 2, timeoutMs: 10_000, signal: undefined });
  const target = await resolveTarget({ url: opts.url, env: ctx.env, cwd: ctx.cwd });
  // When writes need credentials, one client goes without them: its write must be refused.
  const guarded = target.auth?.mode === 'iam' || target.apiKey !== undefined;
  const anonymousApi = guarded
    ? await openProductApi(opts, ctx, { retries: 0, timeoutMs: 10_000, signing: undefined, apiKey: undefined })
    : undefined;
  try {
    const report = await runSmoke({
      api,
      cleanupApi,
      signal: ctx.signal,
      ...(anonymousApi
        ? { anonymousApi, refusal: target.auth?.mode === 'iam' ? 'Missing Authentication Token' : 'Forbidden' }
        : {}),
      ...(target.corsOrigins?.length
        ? { corsOrigin: target.corsOrigins[0] === '*' ? 'https://example.com' : target.corsOrigins[0] }
        : {}),
      onCheck: (result) => {
        if (reporter === 'text') onCheck(result);
      },
    });
    if (reporter === 'junit' && opts.output !== undefined) {
      try {
        await writeFile(opts.output, smokeJUnit(report));
      } catch (error) {
        throw new UsageError(`cannot write ${opts.output}: ${(error as Error).message}`);
      }
    }
    return report;
  } finally {
    await Promise.all([api.close(), cleanupApi.close(), anonymousApi?.close()]);
  }
}

/** Ends a run that had a failed check with exit 1, naming the checks. */
export function assertSmokePassed(report: SmokeReport): void {
  if (report.failed === 0) return;
  const names = report.checks.filter((check) => check.status === 'fail').map((check) => check.name);
  throw new CheckFailedError(`${report.failed} of ${report.checks.length} smoke checks failed: ${names.join(', ')}`);
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

/** One check: `PASS  create product  12 ms`, with expected and actual below a failure. */
export function renderCheck(result: CheckResult, style: Style): string {
  const label = { pass: style.green('PASS'), fail: style.red('FAIL'), skip: style.yellow('SKIP') }[result.status];
  const line = `${label}  ${result.name}${result.status === 'skip' ? '' : `  ${style.dim(ms(result.durationMs))}`}`;
  if (result.status === 'skip') return `${line}  ${style.dim(result.reason ?? '')}\n`;
  if (result.status === 'pass') return `${line}\n`;
  return `${line}\n      expected: ${result.expected ?? ''}\n      actual:   ${result.actual ?? ''}\n`;
}

/** The closing lines: counts, time, target and the clean-up. */
export function renderSmokeSummary(report: SmokeReport, style: Style): string {
  const counts = [
    `${report.passed} passed`,
    `${report.failed} failed`,
    ...(report.skipped > 0 ? [`${report.skipped} skipped`] : []),
  ].join(', ');
  const verdict = report.failed > 0 ? style.red(counts) : style.green(counts);
  const lines = [
    `\n${verdict} in ${ms(report.durationMs)} against ${report.target}${report.interrupted ? style.yellow(' (interrupted)') : ''}`,
  ];
  if (report.cleanup.deleted.length > 0)
    lines.push(style.dim(`cleaned up: deleted ${report.cleanup.deleted.join(', ')}`));
  if (report.cleanup.leftBehind.length > 0)
    lines.push(
      style.yellow(`could not delete ${report.cleanup.leftBehind.join(', ')}; remove with products-cli delete <id>`),
    );
  return lines.join('\n');
}

/** The report as JUnit XML: one test case per check. */
export function smokeJUnit(report: SmokeReport): string {
  return toJUnitXml({
    name: 'products-cli smoke',
    className: 'products-cli.smoke',
    timestamp: report.startedAt.replace(/\.\d{3}Z$/, ''),
    durationMs: report.durationMs,
    properties: { target: report.target, productId: report.productId },
    cases: report.checks.map((check) => ({
      name: check.name,
      status: check.status,
      durationMs: check.durationMs,
      message: check.status === 'fail' ? `expected ${check.expected}` : check.reason,
      details: check.status === 'fail' ? `expected: ${check.expected}\nactual:   ${check.actual}` : undefined,
    })),
  });
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    {
      flags: '--reporter <name>',
      description: 'text, or junit for CI systems (JUnit XML)',
      default: 'text',
      parse: parseReporter,
    },
    { flags: '--output <file>', description: 'with --reporter junit: write the XML here instead of stdout' },
    jsonOption('print the report as one JSON document'),
  ],
  help: `Examples:
  $ products-cli smoke
  $ products-cli smoke --url https://abc123.execute-api.us-east-1.amazonaws.com/prod
  $ products-cli smoke --reporter junit --output smoke.xml

Checks: create (the tutorial's IPhone, under a fresh id), get, find in list, update with If-Match, a stale
If-Match (412), delete, get after delete (404), a bad body (400 with field errors) and an unknown route
(API Gateway's 403). What it created is deleted afterwards, even when a check fails.`,
  run: (_args: [], opts: SmokeOptions, ctx: RunContext<CheckResult>) => smoke(opts, ctx, ctx.emit),
  // A reader that goes away (`smoke | head -1`) must not end the run before it deletes what it created.
  live: { render: renderCheck, outlivesReader: true },
  // JUnit without --output is the report itself, on stdout.
  render: (report, style, opts) =>
    opts.reporter === 'junit' && opts.output === undefined ? smokeJUnit(report) : renderSmokeSummary(report, style),
  check: assertSmokePassed,
});
