/** How a smoke run looks: a PASS/FAIL line per check as it finishes, a summary, and the JUnit form for CI. */
import type { Style } from '../output/render-style.js';
import { toJUnitXml } from './junit.js';
import type { CheckResult, SmokeReport } from './smoke.js';

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
  const counts = [`${report.passed} passed`, `${report.failed} failed`, ...(report.skipped > 0 ? [`${report.skipped} skipped`] : [])].join(', ');
  const verdict = report.failed > 0 ? style.red(counts) : style.green(counts);
  const lines = [`\n${verdict} in ${ms(report.durationMs)} against ${report.target}${report.interrupted ? style.yellow(' (interrupted)') : ''}`];
  if (report.cleanup.deleted.length > 0) lines.push(style.dim(`cleaned up: deleted ${report.cleanup.deleted.join(', ')}`));
  if (report.cleanup.leftBehind.length > 0) lines.push(style.yellow(`could not delete ${report.cleanup.leftBehind.join(', ')}; remove with products-cli delete <id>`));
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
