// The console in a real browser (Debian's chromium, headless, through playwright-core), served by the real bin
// against a local stack seeded with 10,000 products: scrolling, search, create with a field error then fixed,
// edit, a conflict made by a concurrent CLI update, delete of several, import of a file with a bad row, export,
// Swagger UI's try-it-out, Health's charts of a known mix of requests, each reached and driven from the keyboard
// (Tab to each control, no clicks); the refusals (no token, a foreign Origin, a foreign Host); axe-core on each
// view; no request to any other host. The stack requires signed writes: the console signs them with the key pair
// the state file records. Screenshots go to test-results/console/ (git-ignored).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, localAwsEnv, type LocalStack } from '../../src/local/stack.js';
import { DEFAULT_FUNCTION_NAME, DEFAULT_TABLE_NAME } from '../../src/defaults.js';
import { EXIT } from '../../src/errors.js';
import type { MetricsReport } from '../../src/output/render-metrics.js';
import { packageRoot } from '../helpers/artifact.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { startConsoleCli } from '../helpers/console-cli.js';
import { CHROMIUM, FLAGS, missingBrowser } from './chromium.js';
import { send, type RawReply } from '../helpers/send.js';

const SEEDED = 10_000;
const KEY = { accessKeyId: 'AKIACONSOLETESTKEY01', secretAccessKey: 'console-test-secret-0123456789abcdefghij' };
const SHOTS = join(packageRoot, 'test-results', 'console');

function missing(): string | undefined {
  return (
    missingBrowser() ??
    (existsSync(join(packageRoot, 'build', 'web', 'console.js')) ? undefined : 'needs the built page: npm run build')
  );
}

const lack = missing();
let stack: LocalStack;
let consoleProcess: ChildProcess;
let consoleUrl: string;
let consoleStderr: () => string;
let base: string;
let browser: import('playwright-core').BrowserContext;
let tab: import('playwright-core').Page;
let cwd: string;
const violations: string[] = [];
/** Requests the pages sent anywhere but the console: none, so it works offline and loads nothing from a CDN. */
const offsite: string[] = [];

/** 10,000 products written straight into the table, 25 an item batch, as the API would have stored them. */
async function seed(endpoint: string): Promise<void> {
  const env = localAwsEnv();
  const dynamodb = new DynamoDBClient({
    endpoint,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string },
  });
  const now = new Date('2026-01-01T00:00:00.000Z').toISOString();
  const batches = Array.from({ length: SEEDED / 25 }, (_, b) =>
    Array.from({ length: 25 }, (_, i) => {
      const n = b * 25 + i;
      const id = `p${String(n).padStart(5, '0')}`;
      return {
        PutRequest: {
          Item: marshall({
            id,
            title: `Product ${n}`,
            description: `Seeded item number ${n}`,
            price: (n % 500) + 0.99,
            createdAt: now,
            updatedAt: now,
            version: 1,
          }),
        },
      };
    }),
  );
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches
        .slice(i, i + 8)
        .map((items) => dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [DEFAULT_TABLE_NAME]: items } }))),
    );
  }
  dynamodb.destroy();
}

/** A raw request to the console, so that Host and Origin can be anything. */
function raw(path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<RawReply> {
  return send(base, { path, headers, method, body });
}

async function axe(view: string): Promise<void> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Through the DevTools protocol, as an extension would: the page's CSP forbids inline script, rightly.
  await tab.evaluate(source);
  const found = (await tab.evaluate(async () => {
    const result = await (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: (v.nodes as { target: string[] }[]).slice(0, 4).map((n) => n.target.join(' ')),
    }));
  })) as { id: string; impact: string }[];
  expect(
    found.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
    `axe on ${view}`,
  ).toEqual([]);
}

type Focused = { document: { activeElement: { matches(selector: string): boolean } | null } };

/** Presses Tab (Shift+Tab with `back`) until the selector's element has the focus, as the keyboard alone reaches it. */
async function tabTo(selector: string, { back = false, limit = 80 } = {}): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (
      await tab.evaluate(
        (s) => (globalThis as unknown as Focused).document.activeElement?.matches(s) ?? false,
        selector,
      )
    )
      return;
    await tab.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${limit} presses of ${back ? 'Shift+Tab' : 'Tab'} never reached ${selector}`);
}

/** Tab to the field and replace what it holds with `text`. */
async function typeInto(selector: string, text: string, direction: { back?: boolean } = {}): Promise<void> {
  await tabTo(selector, direction);
  await tab.keyboard.press('ControlOrMeta+A');
  if (text === '') await tab.keyboard.press('Backspace');
  else await tab.keyboard.type(text);
}

/** Back to the search box from the table or the toolbar, and the search replaced by `text`. */
const searchFor = (text: string) => typeInto('#search', text, { back: true });

const shot = (name: string, fullPage = false) => tab.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

beforeAll(async () => {
  if (lack) return;
  requireBuild();
  mkdirSync(SHOTS, { recursive: true });
  cwd = mkdtempSync(join(tmpdir(), 'products-cli-console-'));
  // Writes must be signed: the console (and the CLI's update) sign with the key pair the state file records.
  const auth = { mode: 'iam' as const, privateReads: false };
  stack = await startLocalStack({
    port: 0,
    access: { auth, credentials: [KEY], region: 'us-east-1', corsOrigins: [] },
  });
  mkdirSync(join(cwd, '.products-cli'), { mode: 0o700 });
  const local = {
    url: stack.url,
    port: stack.port,
    stage: 'prod',
    pid: process.pid,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    startedAt: stack.startedAt,
    secret: stack.secret,
    auth,
    region: 'us-east-1',
    credentials: KEY,
  };
  writeFileSync(join(cwd, '.products-cli', 'state.json'), JSON.stringify({ version: 1, current: 'local', local }), {
    mode: 0o600,
  });
  await seed(stack.dynamodbEndpoint);
  const running = await startConsoleCli(['--url', stack.url, '--port', '0'], { cwd });
  [consoleProcess, consoleUrl, consoleStderr] = [running.process, running.url, running.stderr];
  base = new URL(consoleUrl).origin;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launchPersistentContext(join(cwd, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1360, height: 820 },
    acceptDownloads: true,
  });
  browser.on('request', (r) => {
    const { protocol, hostname } = new URL(r.url());
    if (protocol !== 'data:' && hostname !== '127.0.0.1' && hostname !== 'localhost') offsite.push(r.url());
  });
  browser.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  tab = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  consoleProcess?.kill('SIGINT');
  await stack?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('the console', () => {
  it('refuses a request without the token, from a foreign Origin, or with a foreign Host', async (ctx) => {
    if (lack) return ctx.skip(lack);
    const { port } = new URL(base);
    const token = new URL(consoleUrl).searchParams.get('token') as string;
    const cookie = `products_console_${port}=${token}`;
    const body = JSON.stringify({ id: 'intruder', title: 'x', price: 1 });

    await tab.goto(`${base}/`);
    expect(await tab.textContent('body')).toMatch(/open the console through the URL products-cli console printed/);
    expect((await raw('/api/product', { host: `127.0.0.1:${port}` })).status).toBe(401);
    expect((await raw('/api/product?token=wrong', { host: `127.0.0.1:${port}` })).status).toBe(401);
    expect((await raw('/api/product', { host: `evil.example:${port}`, cookie })).status).toBe(421);
    const foreign = await raw(
      '/api/product',
      { host: `127.0.0.1:${port}`, cookie, origin: 'http://127.0.0.1:9', 'content-type': 'application/json' },
      'POST',
      body,
    );
    expect(foreign.status).toBe(403);
    expect((await raw('/api/product/intruder', { host: `127.0.0.1:${port}`, cookie })).status).toBe(404);
    expect((await raw('/api/product?limit=1', { host: `localhost:${port}`, cookie })).status).toBe(200);
    expect((await raw('/console/metrics', { host: `127.0.0.1:${port}` })).status).toBe(401);
    expect((await raw('/console/metrics', { host: `evil.example:${port}`, cookie })).status).toBe(421);
    expect(
      (await raw('/console/metrics', { host: `127.0.0.1:${port}`, cookie, origin: 'http://evil.example' })).status,
    ).toBe(403);
    // The stack refuses an unsigned write: what the console sends later, it signs itself.
    expect((await fetch(`${stack.url}/product`, { method: 'POST', body })).status).toBe(403);
  });

  it('lists 10,000 products as the table scrolls, rendering only the rows in view, and searches them', async (ctx) => {
    if (lack) return ctx.skip(lack);
    await tab.goto(consoleUrl);
    expect(new URL(tab.url()).search).toBe(''); // the token left the address bar for the cookie
    expect(await tab.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe(
      '',
    ); // HttpOnly
    await tab.waitForSelector('tbody tr[aria-rowindex]');
    await axe('products');
    const scroller = tab.locator('.table-scroll');
    // Scrolled from the keyboard: End in the focused table loads the next pages as their rows come into view.
    await tabTo('.table-scroll');
    for (let i = 0; i < 4; i++) {
      await tab.keyboard.press('End');
      await tab.waitForTimeout(150);
    }
    await expect.poll(() => tab.locator('.count').textContent()).toMatch(/[3-9]\d\d loaded|\d,\d{3} loaded/);
    await searchFor('Product 9999');
    await expect
      .poll(() => tab.locator('.count').textContent(), { timeout: 60_000 })
      .toBe('1 found in 10,000 loaded (all)');
    expect(await tab.locator('tbody tr[aria-rowindex] .c-id').allTextContents()).toEqual(['p09999']);
    await searchFor('');
    await tabTo('.table-scroll');
    await tab.keyboard.press('End');
    await expect
      .poll(() => tab.locator('tbody tr[aria-rowindex]').last().getAttribute('aria-rowindex'))
      .toBe(String(SEEDED + 1));
    expect(await tab.locator('tbody tr[aria-rowindex]').count()).toBeLessThan(60);
    await tab.keyboard.press('Home');
    await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBe(0);
    await tabTo('th.c-price button.sort');
    await tab.keyboard.press('Enter');
    expect(await tab.getAttribute('th.c-price', 'aria-sort')).toBe('ascending');
    expect(await tab.locator('tbody tr[aria-rowindex] .c-price').first().textContent()).toBe('0.99');
    await tab.keyboard.press('Enter');
    expect(await tab.locator('tbody tr[aria-rowindex] .c-price').first().textContent()).toBe('499.99');
    await tab.keyboard.press('Enter');
    expect(await tab.getAttribute('th.c-price', 'aria-sort')).toBeNull();
    await shot('products');
  }, 120_000);

  it("creates from the keyboard alone, showing the contract's and the API's field errors beside the fields", async (ctx) => {
    if (lack) return ctx.skip(lack);
    await tabTo('.toolbar button.primary', { back: true });
    await tab.keyboard.press('Enter');
    await expect
      .poll(() =>
        tab.evaluate(
          () =>
            (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement
              ?.id,
        ),
      )
      .toBe('field-id');
    await tab.keyboard.type('lamp-1');
    await tab.keyboard.press('Tab');
    await tab.keyboard.type('Desk lamp');
    await tab.keyboard.press('Tab');
    await tab.keyboard.type('Brass, with a linen shade');
    await tab.keyboard.press('Tab');
    await tab.keyboard.type('12.345');
    await tab.keyboard.press('Enter');
    await expect
      .poll(() => tab.locator('#field-price-error').textContent())
      .toBe('Price must have at most 2 decimal places');
    expect(await tab.getAttribute('#field-price', 'aria-invalid')).toBe('true');
    await axe('product form');
    await shot('create-field-error');
    await tab.keyboard.press('Backspace');
    await tab.keyboard.press('Enter');
    await expect.poll(() => tab.locator('.banner.ok').textContent()).toBe('Created lamp-1 (version 1).');

    // The same id again: the API's 409 lands beside the id field.
    await tabTo('.toolbar button.primary', { back: true });
    await tab.keyboard.press('Enter');
    await typeInto('#field-id', 'lamp-1');
    await typeInto('#field-title', 'Another lamp');
    await typeInto('#field-price', '3');
    await tab.keyboard.press('Enter');
    await expect.poll(() => tab.locator('#field-id-error').textContent()).toMatch(/^Id is taken/);
    await tab.keyboard.press('Escape');
    await expect.poll(() => tab.locator('dialog[open]').count()).toBe(0);
  });

  it('edits with If-Match, and shows a conflict made meanwhile by the CLI with both versions, from the keyboard', async (ctx) => {
    if (lack) return ctx.skip(lack);
    await searchFor('lamp-1');
    await tabTo('button[aria-label="Edit lamp-1"]');
    await tab.keyboard.press('Enter');
    await typeInto('#field-price', '15');
    await tab.keyboard.press('Enter');
    await expect.poll(() => tab.locator('.banner.ok').textContent()).toBe('Saved lamp-1 (version 2).');

    await tabTo('button[aria-label="Edit lamp-1"]');
    await tab.keyboard.press('Enter');
    const cli = await runCli(['update', 'lamp-1', '--price', '20'], { cwd });
    expect(cli.code, cli.stderr).toBe(0);
    await typeInto('#field-title', 'Desk lamp, brass');
    await tab.keyboard.press('Enter');
    await tab.getByRole('heading', { name: 'lamp-1 was changed meanwhile' }).waitFor();
    expect(await tab.locator('.compare tbody tr').allInnerTexts()).toEqual([
      'Title\tDesk lamp, brass\tDesk lamp',
      'Description\tunchanged\tBrass, with a linen shade',
      'Price\tunchanged\t20',
    ]);
    await axe('conflict');
    await shot('conflict');
    await tabTo('dialog[open] button.primary');
    expect(await tab.locator('dialog[open] button.primary').textContent()).toBe('Apply mine to version 3');
    await tab.keyboard.press('Enter');
    await expect.poll(() => tab.locator('.banner.ok').textContent()).toBe('Saved lamp-1 (version 4).');
    const stored = JSON.parse(
      (await raw('/api/product/lamp-1', { host: new URL(base).host, cookie: await cookieHeader() })).text,
    ) as { title: string; price: number };
    expect(stored).toMatchObject({ title: 'Desk lamp, brass', price: 20 });
  });

  it('deletes several products after a confirmation, from the keyboard', async (ctx) => {
    if (lack) return ctx.skip(lack);
    // Selected one search at a time: the selection outlives the search.
    for (const id of ['p00001', 'p00002']) {
      await searchFor(id);
      await expect.poll(() => tab.locator('.count').textContent()).toMatch(/^1 found/);
      await tabTo(`input[aria-label="Select ${id}"]`);
      await tab.keyboard.press('Space');
    }
    await searchFor('p0000');
    await expect.poll(() => tab.locator('.count').textContent()).toMatch(/^10 found/);
    expect(await tab.locator('tbody tr.selected .c-id').allTextContents()).toEqual(
      expect.arrayContaining(['p00001', 'p00002']),
    );
    await tabTo('button.danger', { back: true });
    expect(await tab.locator('.toolbar button.danger').textContent()).toBe('Delete 2');
    await tab.keyboard.press('Enter');
    await tab.getByRole('heading', { name: 'Delete 2 products?' }).waitFor();
    await axe('delete dialog');
    await shot('delete');
    await tabTo('dialog[open] button.danger');
    expect(await tab.locator('dialog[open] button.danger').textContent()).toBe('Delete 2 products');
    await tab.keyboard.press('Enter');
    await expect.poll(() => tab.locator('.banner.ok').textContent()).toBe('Deleted 2 products.');
    expect(await tab.locator('.count').textContent()).toMatch(/^8 found/);
    for (const id of ['p00001', 'p00002'])
      expect((await raw(`/api/product/${id}`, { host: new URL(base).host, cookie: await cookieHeader() })).status).toBe(
        404,
      );
  });

  it('checks an import before sending it, then imports the valid rows with counts; exports CSV', async (ctx) => {
    if (lack) return ctx.skip(lack);
    // Listened for ahead: playwright asks the browser for file choosers asynchronously, once something listens.
    const chooserListener = () => {};
    tab.on('filechooser', chooserListener);
    await tab.goto(`${base}/#transfer`);
    await tab.getByRole('heading', { name: 'Import' }).waitFor();
    await axe('import and export');
    const file = [
      '{"id":"imp-1","title":"Imported one","price":3}',
      '{"id":"imp-2","title":"Imported two","price":-1}',
      '{"id":"imp-3","title":"Imported three","price":4.5}',
    ].join('\n');
    // The file picker opened from the keyboard: Tab to it, Space.
    await tabTo('#import-file');
    const [chooser] = await Promise.all([tab.waitForEvent('filechooser'), tab.keyboard.press('Space')]);
    await chooser.setFiles({ name: 'new.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(file) });
    tab.off('filechooser', chooserListener);
    await expect
      .poll(() => tab.locator('.summary').textContent())
      .toBe('new.ndjson (ndjson): 3 rows, 2 valid, 1 with errors. Nothing has been sent yet.');
    expect(await tab.locator('.failures tbody tr').allInnerTexts()).toEqual([
      '2\timp-2\tprice must be between 0 and 1000000000',
    ]);
    expect((await raw('/api/product/imp-1', { host: new URL(base).host, cookie: await cookieHeader() })).status).toBe(
      404,
    );
    await shot('import-checked');
    await tabTo('button.primary');
    expect(
      await tab.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement
            .textContent,
      ),
    ).toBe('Import 2 valid rows');
    await tab.keyboard.press('Enter');
    await expect
      .poll(() => tab.locator('.summary').textContent())
      .toMatch(/^Imported new\.ndjson in [\d.]+ s: 2 created, 0 skipped \(id exists\), 1 failed\.$/);
    await shot('import-done');
    for (const id of ['imp-1', 'imp-3'])
      expect((await raw(`/api/product/${id}`, { host: new URL(base).host, cookie: await cookieHeader() })).status).toBe(
        200,
      );

    await tabTo('a[href="/console/export?format=csv"]');
    const [download] = await Promise.all([tab.waitForEvent('download'), tab.keyboard.press('Enter')]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\n');
    expect(download.suggestedFilename()).toMatch(/^products-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(lines[0]).toBe('id,title,description,price,createdAt,updatedAt,version');
    expect(lines.length - 1).toBe(SEEDED - 2 + 1 + 2); // seeded, less two deleted, plus lamp-1 and two imported
  }, 60_000);

  it('renders the OpenAPI document, and try-it-out reaches the stack through the console', async (ctx) => {
    if (lack) return ctx.skip(lack);
    await tab.goto(`${base}/api.html`);
    const operation = tab.locator('#operations-products-getProduct');
    await tabTo('#operations-products-getProduct .opblock-summary-control', { limit: 150 });
    await tab.keyboard.press('Enter');
    await operation.locator('input[placeholder="id"]').waitFor();
    await tabTo('#operations-products-getProduct input[placeholder="id"]');
    await tab.keyboard.type('lamp-1');
    await tabTo('#operations-products-getProduct button.execute');
    await tab.keyboard.press('Enter');
    const answer = operation.locator('.live-responses-table .response-col_description pre').first();
    await expect
      .poll(async () => ((await answer.count()) > 0 ? answer.textContent() : ''), { timeout: 20_000 })
      .toMatch(/"title": "Desk lamp, brass"/);
    await axe('API');
    await operation.scrollIntoViewIfNeeded();
    await shot('api');
  }, 60_000);

  it('charts the metrics of a known mix of requests, refreshes while visible only, and picks the period from the keyboard', async (ctx) => {
    if (lack) return ctx.skip(lack);
    // Prepare: the figures so far, then 30 answered 200 and 10 answered 404 straight from the stack.
    const metrics = async (since: string) =>
      JSON.parse(
        (await raw(`/console/metrics?since=${since}`, { host: new URL(base).host, cookie: await cookieHeader() })).text,
      ) as MetricsReport;
    const total = (report: MetricsReport, id: string) =>
      report.series.find((s) => s.id === id)?.values.reduce((sum, v) => sum + v, 0) ?? 0;
    const before = await metrics('1h');
    const statuses = [];
    for (let i = 0; i < 40; i++)
      statuses.push(
        (await fetch(i % 4 === 3 ? `${stack.url}/product/missing-${i}` : `${stack.url}/product?limit=1`)).status,
      );
    expect(statuses.filter((s) => s === 404)).toHaveLength(10);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    const requests = before.summary.requests + 40;
    const errors4xx = total(before, 'api.4xx') + 10;

    // Act: Health in a tab whose timers the test moves on.
    tab = await browser.newPage();
    await tab.clock.install();
    const asked: string[] = [];
    tab.on('request', (r) => r.url().includes('/console/metrics') && asked.push(new URL(r.url()).search));
    await tab.goto(`${base}/#health`);

    // Assess
    const grouped = new Intl.NumberFormat('en-US');
    await expect
      .poll(() => tab.locator('.summary-line').textContent())
      .toMatch(
        new RegExp(
          `^${grouped.format(requests).replace(',', '\\,?')} requests, 0% 5XX, p99 [\\d.]+ ms, (no throttles|[\\d,]+ throttled)$`,
        ),
      );
    expect(await tab.locator('.tile', { hasText: 'Requests' }).locator('.tile-value').textContent()).toBe(
      grouped.format(requests),
    );
    expect(await tab.locator('.tile', { hasText: '5XX rate' }).locator('.tile-value').textContent()).toBe('0%');
    const chart = (id: string) => tab.locator(`figure[data-series="${id}"] svg[role="img"]`);
    expect(await chart('api.count').getAttribute('aria-label')).toMatch(
      new RegExp(
        `^requests: ${grouped.format(requests)} \\([\\d.,]+/min\\), peak [\\d,]+, \\d+ of \\d+ periods with data$`,
      ),
    );
    expect(await chart('api.4xx').getAttribute('aria-label')).toMatch(
      new RegExp(`^4XX errors: ${grouped.format(errors4xx)} \\(`),
    );
    expect(await chart('api.count').locator('rect.bar').count()).toBeGreaterThan(0);
    expect(await chart('api.latency.p99').locator('polyline').count()).toBeGreaterThan(0);
    expect(await tab.locator('figure.chart').count()).toBe(before.series.length);
    expect(await tab.locator('.chart-group h2').allTextContents()).toEqual([
      'API local gateway / prod',
      `function ${DEFAULT_FUNCTION_NAME}`,
      `table ${DEFAULT_TABLE_NAME}`,
    ]);
    await axe('health');
    await shot('health', true);

    // Every 10 s while visible; none while hidden; at once when visible again.
    expect(asked).toEqual(['?since=1h']);
    await tab.clock.runFor(10_000);
    await expect.poll(() => asked.length).toBe(2);
    const setVisibility = (state: string) =>
      tab.evaluate((value) => {
        const doc = (globalThis as unknown as { document: { dispatchEvent(e: unknown): void } }).document;
        Object.defineProperty(doc, 'visibilityState', { configurable: true, get: () => value });
        doc.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await tab.clock.runFor(60_000);
    await tab.waitForTimeout(200);
    expect(asked).toHaveLength(2);
    await setVisibility('visible');
    await expect.poll(() => asked.length).toBe(3);

    // The period from the keyboard: Tab reaches the chosen one, an arrow key picks the next.
    await tabTo('input[name="since"]');
    expect(
      await tab.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { value?: string } | null } }).document.activeElement
            ?.value,
      ),
    ).toBe('1h');
    await tab.keyboard.press('ArrowRight');
    await expect.poll(() => asked.at(-1)).toBe('?since=3h');
    await expect.poll(() => tab.locator('.toolbar .muted').textContent()).toMatch(/^local stack · 3m periods/);
    await tab.keyboard.press('ArrowLeft');
    await tab.keyboard.press('ArrowLeft');
    await expect.poll(() => asked.at(-1)).toBe('?since=15m');
    await expect.poll(() => tab.locator('.periods label.on').textContent()).toBe('last 15m');
    await expect.poll(() => tab.locator('.toolbar .muted').textContent()).toMatch(/^local stack · 1m periods/);
    await shot('health-15m', true);
    expect((await metrics('soon')) as unknown).toMatchObject({ message: expect.stringMatching(/^--since must be/) });
  }, 60_000);

  it('loaded nothing from anywhere but the console, and broke no rule of its Content-Security-Policy', (ctx) => {
    if (lack) return ctx.skip(lack);
    expect(offsite).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('stops on Ctrl-C', async (ctx) => {
    if (lack) return ctx.skip(lack);
    const exited = new Promise<number | null>((resolve) => consoleProcess.once('exit', (code) => resolve(code)));
    consoleProcess.kill('SIGINT');
    expect(await exited, consoleStderr()).toBe(EXIT.interrupted);
    await expect(fetch(consoleUrl)).rejects.toThrow();
  });
});

async function cookieHeader(): Promise<string> {
  const cookies = await browser.cookies(base);
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
