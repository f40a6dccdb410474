/**
 * The smoke suite: the tutorial's test section as a contract check of a running API. Each check sends real
 * requests and compares the answer with the contract; a failed check says what it expected and what came
 * back. Whatever the suite created is deleted at the end, whether the checks passed or not.
 */
import { isProblem, PROBLEM_CONTENT_TYPE, productPath, type Product } from '../contract/index.js';
import type { ApiResponse, ProductApi } from '../http/api-client.js';
import { elapsedMs } from '../elapsed.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  durationMs: number;
  /** For a failure: what the contract wants, and what came back. For a skip: why. */
  expected?: string;
  actual?: string;
  reason?: string;
}

export interface SmokeReport {
  target: string;
  /** The id the suite created its product under. */
  productId: string;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  checks: CheckResult[];
  /** Ids the suite deleted after the checks, and those it could not. */
  cleanup: { deleted: string[]; leftBehind: string[] };
  startedAt: string;
  /** True when Ctrl-C stopped the suite before its last check. */
  interrupted: boolean;
}

/** A check's verdict: thrown with what was expected and what came back. */
export class CheckFailure extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`expected ${expected}, got ${actual}`);
    this.name = 'CheckFailure';
  }
}

/** The tutorial's product, under the run's own id. */
export function smokeProduct(id: string) {
  return { id, title: 'IPhone', description: 'This is an IPhone', price: 900 };
}

/** A unique id for one run, so that runs against the same API never collide. */
export function smokeId(now: number = Date.now(), random: () => number = Math.random): string {
  return `smoke-${now.toString(36)}-${Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')}`;
}

const MAX_ACTUAL = 300;

/** An answer in one line: `HTTP 500 {"message":"..."}`, cut to a readable length. */
export function describeResponse(response: ApiResponse): string {
  const body =
    response.body === undefined
      ? '(no body)'
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
  const text = `HTTP ${response.status} ${body}`.replace(/\s+/g, ' ');
  return text.length > MAX_ACTUAL ? `${text.slice(0, MAX_ACTUAL - 1)}…` : text;
}

function header(response: ApiResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function expectStatus(response: ApiResponse, status: number, what = ''): void {
  if (response.status !== status)
    throw new CheckFailure(`HTTP ${status}${what ? ` ${what}` : ''}`, describeResponse(response));
}

function expectProblem(response: ApiResponse, status: number, fields: string[] = []): void {
  expectStatus(response, status, `with a problem body${fields.length > 0 ? ` naming ${fields.join(' and ')}` : ''}`);
  const type = header(response, 'content-type') ?? '';
  if (!type.startsWith(PROBLEM_CONTENT_TYPE))
    throw new CheckFailure(`Content-Type ${PROBLEM_CONTENT_TYPE}`, `Content-Type ${type || '(none)'}`);
  if (!isProblem(response.body) || response.body.status !== status) {
    throw new CheckFailure(`a problem body {type, title, status: ${status}, detail}`, describeResponse(response));
  }
  const named = new Set((response.body.errors ?? []).map((error) => error.field));
  const missing = fields.filter((field) => !named.has(field));
  if (missing.length > 0)
    throw new CheckFailure(
      `field errors for ${fields.join(' and ')}`,
      `errors for ${[...named].join(', ') || 'no field'}`,
    );
}

const isIsoDate = (value: unknown) =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;

function expectProduct(response: ApiResponse, wanted: Record<string, unknown>, version: number): Product {
  const body = response.body as Record<string, unknown> | undefined;
  const differences: string[] = [];
  for (const [field, value] of Object.entries({ ...wanted, version })) {
    if (body?.[field] !== value) differences.push(`${field} ${JSON.stringify(body?.[field])}`);
  }
  for (const field of ['createdAt', 'updatedAt'])
    if (!isIsoDate(body?.[field])) differences.push(`${field} ${JSON.stringify(body?.[field])}`);
  if (differences.length > 0) {
    throw new CheckFailure(
      `${JSON.stringify({ ...wanted, version })} with ISO createdAt and updatedAt`,
      `${differences.join(', ')} in ${describeResponse(response)}`,
    );
  }
  const etag = header(response, 'etag');
  if (etag !== `"${version}"`) throw new CheckFailure(`ETag "${version}"`, `ETag ${etag ?? '(none)'}`);
  return body as unknown as Product;
}

/** A batch answer whose items have these outcomes, in order. */
function expectOutcomes(response: ApiResponse, wanted: string[]): void {
  const results = (response.body as { results?: Array<{ outcome?: unknown }> } | undefined)?.results;
  const outcomes = Array.isArray(results) ? results.map((result) => result?.outcome) : undefined;
  if (JSON.stringify(outcomes) !== JSON.stringify(wanted))
    throw new CheckFailure(
      `outcomes ${wanted.join(', ')}`,
      outcomes ? `outcomes ${outcomes.join(', ')}` : describeResponse(response),
    );
}

export interface SmokeOptions {
  /** The client the checks use. */
  api: ProductApi;
  /** A client for the clean-up, which must still work after Ctrl-C aborted `api`. */
  cleanupApi: ProductApi;
  /** The product id; a fresh one by default. */
  id?: string;
  /** Told as each check finishes, so that people see progress. */
  onCheck?: (result: CheckResult) => void;
  signal?: AbortSignal;
  /** Pages of the list to read while looking for the product (default 1000, i.e. 100,000 products). */
  maxListPages?: number;
  /** A client without the target's credentials, when writes need them: an unsigned write must be refused. */
  anonymousApi?: ProductApi;
  /** The message of that refusal: `Missing Authentication Token` (IAM) or `Forbidden` (API key). */
  refusal?: string;
  /** An origin the API allows (CORS), whose preflight is checked. */
  corsOrigin?: string;
}

/** Runs every check in order; never throws for a failed check (the report says); stops early on Ctrl-C. */
export async function runSmoke(options: SmokeOptions): Promise<SmokeReport> {
  const { api } = options;
  const id = options.id ?? smokeId();
  const product = smokeProduct(id);
  const created = new Set<string>();
  const deleted = new Set<string>();
  const gone = new Set<string>();
  const checks: CheckResult[] = [];
  const passed = new Set<string>();
  const startedAt = new Date().toISOString();
  const started = performance.now();
  let current: Product | undefined;

  const check = async (name: string, needs: string[], body: () => Promise<void>) => {
    if (options.signal?.aborted) return;
    const missing = needs.filter((need) => !passed.has(need));
    let result: CheckResult;
    if (missing.length > 0) {
      result = { name, status: 'skip', durationMs: 0, reason: `needs "${missing.join('", "')}" to pass` };
    } else {
      const begun = performance.now();
      try {
        await body();
        result = { name, status: 'pass', durationMs: elapsedMs(begun) };
        passed.add(name);
      } catch (error) {
        if (options.signal?.aborted) return; // Ctrl-C: the check did not finish, so it has no verdict
        const durationMs = elapsedMs(begun);
        result =
          error instanceof CheckFailure
            ? { name, status: 'fail', durationMs, expected: error.expected, actual: error.actual }
            : {
                name,
                status: 'fail',
                durationMs,
                expected: 'an answer',
                actual: (error as Error)?.message ?? String(error),
              };
      }
    }
    checks.push(result);
    options.onCheck?.(result);
  };

  try {
    await check('create product', [], async () => {
      created.add(id); // before sending: an answer lost on the way still leaves a product to clean up
      const response = await api.call('createProduct', { body: product, idempotent: true });
      expectStatus(response, 201);
      current = expectProduct(response, product, 1);
      const location = header(response, 'location') ?? '';
      if (!location.endsWith(productPath(id)))
        throw new CheckFailure(`Location ending in ${productPath(id)}`, `Location ${location || '(none)'}`);
    });

    await check('get product', ['create product'], async () => {
      const response = await api.call('getProduct', { params: { id } });
      expectStatus(response, 200);
      expectProduct(response, { ...product, createdAt: current?.createdAt }, 1);
    });

    await check('find product in list', ['create product'], async () => {
      const maxPages = options.maxListPages ?? 1000;
      let cursor: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const response = await api.call('listProducts', { query: { limit: 100, cursor } });
        expectStatus(response, 200);
        const body = response.body as { items?: unknown; nextCursor?: unknown };
        if (!Array.isArray(body?.items) || !(typeof body.nextCursor === 'string' || body.nextCursor === null)) {
          throw new CheckFailure('a page {items: [...], nextCursor}', describeResponse(response));
        }
        const found = (body.items as Product[]).find((item) => item?.id === id);
        if (found) {
          if (found.title !== product.title || found.price !== product.price)
            throw new CheckFailure(JSON.stringify(product), JSON.stringify(found));
          return;
        }
        if (body.nextCursor === null)
          throw new CheckFailure(`product ${id} on one of the pages`, `${page + 1} pages without it`);
        cursor = body.nextCursor as string;
      }
      throw new CheckFailure(`product ${id} within ${maxPages} pages`, 'not found there');
    });

    const change = { title: 'IPhone 15', price: 850 };
    await check('update product (If-Match)', ['create product'], async () => {
      const response = await api.call('updateProduct', {
        params: { id },
        body: change,
        headers: { 'if-match': '"1"' },
        idempotent: true,
      });
      expectStatus(response, 200);
      current = expectProduct(response, { ...product, ...change }, 2);
    });

    await check('stale If-Match gives 412', ['update product (If-Match)'], async () => {
      const response = await api.call('updateProduct', {
        params: { id },
        body: { price: 1 },
        headers: { 'if-match': '"1"' },
        idempotent: true,
      });
      expectProblem(response, 412);
      const after = await api.call('getProduct', { params: { id } });
      expectStatus(after, 200, 'on reading it again');
      expectProduct(after, { ...product, ...change }, 2);
    });

    await check('delete product', ['create product'], async () => {
      const response = await api.call('deleteProduct', { params: { id } });
      expectStatus(response, 204);
      gone.add(id);
    });

    await check('get deleted product gives 404', ['delete product'], async () => {
      expectProblem(await api.call('getProduct', { params: { id } }), 404);
    });

    await check('bad body gives 400 with field errors', [], async () => {
      created.add(`${id}-bad`); // a broken API might store it
      const response = await api.call('createProduct', {
        body: { id: `${id}-bad`, title: '', price: 'free' },
        idempotent: true,
      });
      expectProblem(response, 400, ['title', 'price']);
    });

    const batchId = `${id}-batch`;
    await check('batch create answers each item', [], async () => {
      created.add(batchId);
      const items = [smokeProduct(batchId), smokeProduct(batchId), { title: '', price: 'free' }];
      const response = await api.call('createProducts', { body: { items }, idempotent: true });
      expectStatus(response, 200);
      expectOutcomes(response, ['created', 'exists', 'invalid']);
      const after = await api.call('getProduct', { params: { id: batchId } });
      expectStatus(after, 200, 'on reading the created item');
      expectProduct(after, smokeProduct(batchId), 1);
    });

    await check('batch delete answers each id', ['batch create answers each item'], async () => {
      const response = await api.call('deleteProducts', { body: { ids: [batchId, `${batchId}-absent`] } });
      expectStatus(response, 200);
      expectOutcomes(response, ['deleted', 'notFound']);
      gone.add(batchId);
    });

    const anonymous = options.anonymousApi;
    if (anonymous) {
      await check('write without credentials is refused (403)', [], async () => {
        created.add(`${id}-anonymous`); // an API that lets it through stores it
        const response = await anonymous.call('createProduct', {
          body: smokeProduct(`${id}-anonymous`),
          idempotent: true,
        });
        expectStatus(response, 403);
        const message = (response.body as { message?: unknown } | undefined)?.message;
        const wanted = options.refusal ?? 'Missing Authentication Token';
        if (message !== wanted) throw new CheckFailure(JSON.stringify({ message: wanted }), describeResponse(response));
      });
    }

    const corsOrigin = options.corsOrigin;
    if (corsOrigin) {
      await check('CORS preflight allows a signed PATCH with If-Match', [], async () => {
        const response = await api.request('OPTIONS', productPath(id), {
          headers: {
            origin: corsOrigin,
            'access-control-request-method': 'PATCH',
            'access-control-request-headers': 'authorization,content-type,if-match,x-amz-date',
          },
        });
        expectStatus(response, 200);
        const allowOrigin = header(response, 'access-control-allow-origin');
        const methods = (header(response, 'access-control-allow-methods') ?? '').toLowerCase();
        const headers = (header(response, 'access-control-allow-headers') ?? '').toLowerCase();
        const ok =
          (allowOrigin === corsOrigin || allowOrigin === '*') &&
          methods.includes('patch') &&
          ['authorization', 'if-match', 'x-amz-date', 'content-type'].every((h) => headers.includes(h));
        if (!ok)
          throw new CheckFailure(
            `Access-Control-Allow-Origin ${corsOrigin}, -Methods with PATCH, -Headers with Authorization, If-Match, X-Amz-Date, Content-Type`,
            `Allow-Origin ${allowOrigin ?? '(none)'}, Allow-Methods ${methods || '(none)'}, Allow-Headers ${headers || '(none)'}`,
          );
      });
    }

    await check("unknown route gives API Gateway's 403", [], async () => {
      const response = await api.request('GET', `/no-such-route-${id}`);
      expectStatus(response, 403);
      const message = (response.body as { message?: unknown } | undefined)?.message;
      if (message !== 'Missing Authentication Token')
        throw new CheckFailure('{"message":"Missing Authentication Token"}', describeResponse(response));
    });
  } finally {
    // Runs after a failure and after Ctrl-C alike, with the client that the signal does not abort.
    for (const leftover of [...created].filter((createdId) => !gone.has(createdId))) {
      try {
        const response = await options.cleanupApi.call('deleteProduct', { params: { id: leftover } });
        if (response.status === 204 || response.status === 200) deleted.add(leftover);
        if (response.status === 204 || response.status === 200 || response.status === 404) gone.add(leftover);
      } catch {
        // reported below as left behind
      }
    }
  }

  return {
    target: api.baseUrl,
    productId: id,
    passed: checks.filter((c) => c.status === 'pass').length,
    failed: checks.filter((c) => c.status === 'fail').length,
    skipped: checks.filter((c) => c.status === 'skip').length,
    durationMs: elapsedMs(started),
    checks,
    cleanup: { deleted: [...deleted], leftBehind: [...created].filter((c) => !gone.has(c)) },
    startedAt,
    interrupted: Boolean(options.signal?.aborted),
  };
}
