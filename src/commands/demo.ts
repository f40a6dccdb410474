/**
 * `demo`: the tutorial's whole flow on a fresh, in-memory local stack: add the IPhone, read it, list, change
 * its price, delete it and check that it is gone, showing every request and response.
 */
import { defineCommand, type RunContext } from '../cli/command.js';
import { jsonOption } from '../cli/target-options.js';
import { FLAG } from '../cli/option-sets.js';
import { STATUS_CODES } from 'node:http';
import type { Context } from '../context.js';
import { CheckFailedError } from '../errors.js';
import { operationRequest, type OperationId } from '../contract/index.js';
import { ProductApi } from '../http/api-client.js';
import { note } from '../output/print.js';
import type { Style } from '../output/style.js';
import { elapsedMs } from '../elapsed.js';

export interface DemoOptions {
  json?: boolean;
  /** Port of the demo's local API; 0 (the default) takes a free one. */
  port?: number;
}

/** What the demo needs of a stack: where it answers, and how to stop it. */
export interface DemoStack {
  url: string;
  stop(): Promise<void>;
}

export interface DemoDeps {
  startStack: (port: number, onProgress?: (part: string) => void) => Promise<DemoStack>;
}

export interface DemoStep {
  name: string;
  method: string;
  url: string;
  requestBody?: unknown;
  status?: number;
  expectedStatus: number;
  responseBody?: unknown;
  durationMs: number;
  ok: boolean;
  /** What misbehaved, when the step failed. */
  problem?: string;
}

export interface DemoResult {
  ok: boolean;
  url: string;
  steps: DemoStep[];
  durationMs: number;
}

/** The tutorial's product. */
export const IPHONE = { id: '1', title: 'IPhone', description: 'This is an IPhone', price: 900 } as const;
const NEW_PRICE = 850;

interface Plan {
  name: string;
  operation: OperationId;
  /** The id in the path, for the operations on one product. */
  id?: string;
  body?: unknown;
  expectedStatus: number;
  /** Returns what is wrong with the body, or undefined. */
  check?: (body: any) => string | undefined;
}

const PLAN: Plan[] = [
  {
    name: 'add the IPhone',
    operation: 'createProduct',
    body: IPHONE,
    expectedStatus: 201,
    check: (body) => differs(body, { ...IPHONE, version: 1 }),
  },
  {
    name: 'get it',
    operation: 'getProduct',
    id: IPHONE.id,
    expectedStatus: 200,
    check: (body) => differs(body, { ...IPHONE, version: 1 }),
  },
  {
    name: 'list the products',
    operation: 'listProducts',
    expectedStatus: 200,
    check: (body) =>
      Array.isArray(body?.items) && body.items.some((item: any) => item?.id === IPHONE.id)
        ? undefined
        : 'the list does not hold product 1',
  },
  {
    name: 'change its price',
    operation: 'updateProduct',
    id: IPHONE.id,
    body: { price: NEW_PRICE },
    expectedStatus: 200,
    check: (body) => differs(body, { ...IPHONE, price: NEW_PRICE, version: 2 }),
  },
  { name: 'delete it', operation: 'deleteProduct', id: IPHONE.id, expectedStatus: 204 },
  {
    name: 'check that it is gone',
    operation: 'getProduct',
    id: IPHONE.id,
    expectedStatus: 404,
    check: (body) =>
      body?.status === 404 && typeof body?.title === 'string' ? undefined : 'the answer is not a 404 problem body',
  },
];

function differs(body: any, expected: Record<string, unknown>): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the answer has no product';
  for (const [field, value] of Object.entries(expected)) {
    if (body[field] !== value) return `${field} is ${JSON.stringify(body[field])}, expected ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** Runs the tutorial's steps against an API, calling `onStep` after each; stops at the first that misbehaves. */
export async function runDemoSteps(api: ProductApi, onStep: (step: DemoStep) => void = () => {}): Promise<DemoStep[]> {
  const steps: DemoStep[] = [];
  for (const plan of PLAN) {
    const params: Record<string, string> = plan.id === undefined ? {} : { id: plan.id };
    const { method, path } = operationRequest(plan.operation, params);
    const step: DemoStep = {
      name: plan.name,
      method,
      url: `${api.baseUrl}${path}`,
      expectedStatus: plan.expectedStatus,
      durationMs: 0,
      ok: false,
    };
    if (plan.body !== undefined) step.requestBody = plan.body;
    const started = performance.now();
    try {
      const response = await api.request(method, path, { body: plan.body });
      step.status = response.status;
      step.responseBody = response.body;
      step.problem =
        response.status !== plan.expectedStatus
          ? `answered ${response.status}, expected ${plan.expectedStatus}`
          : plan.check?.(response.body);
    } catch (error) {
      step.problem = (error as Error).message;
    }
    step.durationMs = elapsedMs(started);
    step.ok = step.problem === undefined;
    if (step.ok) delete step.problem;
    steps.push(step);
    onStep(step);
    if (!step.ok) break;
  }
  return steps;
}

async function startEmbeddedStack(port: number, onProgress?: (part: string) => void): Promise<DemoStack> {
  const { startLocalStack } = await import('../local/stack.js');
  return startLocalStack({ port, ...(onProgress ? { onProgress } : {}) });
}

/** Starts a fresh local stack, runs the steps against it and stops it, whatever happened. */
export async function demo(
  opts: DemoOptions,
  ctx: Context,
  onStep: (step: DemoStep) => void = () => {},
  deps: DemoDeps = { startStack: startEmbeddedStack },
): Promise<DemoResult> {
  const port = opts.port ?? 0;
  const started = performance.now();
  note(ctx, 'starting a fresh local stack (in memory)…');
  const stack = await deps.startStack(port, (part) => note(ctx, `  ${part}…`));
  const api = new ProductApi({ baseUrl: stack.url, signal: ctx.signal, retries: 0 });
  try {
    const steps = await runDemoSteps(api, onStep);
    const ok = steps.length === PLAN.length && steps.every((step) => step.ok);
    return { ok, url: stack.url, steps, durationMs: Math.round(performance.now() - started) };
  } finally {
    await api.close();
    await stack.stop();
  }
}

/** Throws CheckFailedError, naming the step, when the demo did not pass. */
export function assertDemoPassed(result: DemoResult): void {
  if (result.ok) return;
  const failed = result.steps.find((step) => !step.ok);
  throw new CheckFailedError(
    failed ? `demo step "${failed.name}" failed: ${failed.problem}` : 'the demo did not finish',
  );
}

function body(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One step: its name and verdict, the request line, the status and duration, and both bodies. */
export function renderDemoStep(step: DemoStep, index: number, style: Style): string {
  const mark = step.ok ? style.green('✓') : style.red('✗');
  const status =
    step.status === undefined ? style.red('no answer') : `${step.status} ${STATUS_CODES[step.status] ?? ''}`.trim();
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
    return style.green(
      `demo passed: ${passed} steps in ${result.durationMs} ms on a local stack at ${result.url}, now stopped`,
    );
  }
  return style.red(
    `demo failed after ${passed} good steps of ${result.steps.length} tried; the local stack is stopped`,
  );
}

export const command = defineCommand({
  options: [
    { flags: '--port <n>', description: 'port of the demo API (default: a free one)', parse: FLAG.port },
    jsonOption('print the steps as one JSON document'),
  ],
  help: `Examples:
  $ products-cli demo
  $ products-cli demo --json | jq '.steps[] | {name, status}'

Exits 1 if any step misbehaves. Needs no AWS account and leaves nothing behind.`,
  run: (_args: [], opts: DemoOptions, ctx: RunContext<DemoStep>) => demo(opts, ctx, ctx.emit),
  live: { render: (step, style, index) => renderDemoStep(step, index, style), outlivesReader: true },
  render: renderDemoSummary,
  check: assertDemoPassed,
});
