/** How the demo looks to people: each request and response as it happens, then a verdict. */
import { STATUS_CODES } from 'node:http';
import type { DemoResult, DemoStep } from '../commands/demo.js';
import type { Style } from './render-style.js';

function body(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One step: its name and verdict, the request line, the status and duration, and both bodies. */
export function renderDemoStep(step: DemoStep, index: number, style: Style): string {
  const mark = step.ok ? style.green('✓') : style.red('✗');
  const status = step.status === undefined ? style.red('no answer') : `${step.status} ${STATUS_CODES[step.status] ?? ''}`.trim();
  const lines = [
    `${mark} ${style.bold(`${index + 1}. ${step.name}`)}`,
    `  ${style.cyan(step.method)} ${step.url}  ${style.dim('→')}  ${step.ok ? status : style.red(status)}  ${style.dim(`${step.durationMs} ms`)}`,
  ];
  if (step.requestBody !== undefined) lines.push(`  ${style.dim('>')} ${body(step.requestBody)}`);
  if (step.responseBody !== undefined) lines.push(`  ${style.dim('<')} ${body(step.responseBody)}`);
  if (!step.ok) lines.push(`  ${style.red(step.problem ?? 'failed')}`);
  return `${lines.join('\n')}\n`;
}

/** The closing line. */
export function renderDemoSummary(result: DemoResult, style: Style): string {
  const passed = result.steps.filter((step) => step.ok).length;
  if (result.ok) {
    return style.green(`demo passed: ${passed} steps in ${result.durationMs} ms on a local stack at ${result.url}, now stopped`);
  }
  return style.red(`demo failed after ${passed} good steps of ${result.steps.length} tried; the local stack is stopped`);
}
