/** The product API's client: one connection pool per base URL, timeouts, safe retries and errors people can read. */
import {
  LIST_LIMIT_BEFORE_SEGMENTS,
  normalizeField,
  operationRequest,
  type BatchCreateAnswer,
  type BatchDeleteAnswer,
  type FieldName,
  type OperationId,
  type Product,
  type ProductInput,
  type ProductPatch,
} from '../contract/index.js';
import { errorFromNetwork, errorFromResponse, notProductApi } from './response-error.js';
import {
  backoffDelay,
  isNotSent,
  isRetryableNetworkError,
  NOT_ACTED_ON_STATUSES,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  sleep,
} from './retry.js';
import type { ApiResponse, ListOptions, ProductApiOptions, ProductPage, RequestOptions } from './api-types.js';
import type { Transport } from './transport.js';

export type {
  ApiResponse,
  Exchange,
  ListOptions,
  ProductApiOptions,
  ProductPage,
  RequestOptions,
} from './api-types.js';

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const DEFAULTS = {
  timeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  retries: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  connections: 16,
  retryThrottled: true,
  slowNoticeMs: 1_500,
};

/** A client of the product API at one base URL. */
export class ProductApi {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly options: ProductApiOptions & typeof DEFAULTS;
  private openTransport: Transport | undefined;
  /** A request could not be sent (connection refused) and is tried again: said once per client, so the wait is not silent. */
  private toldRetry = false;

  constructor(options: ProductApiOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.baseUrl = `${this.origin}${this.basePath}`;
    this.options = { ...DEFAULTS, ...withoutUndefined(options), baseUrl: options.baseUrl };
  }

  /** Creates a product; with an id the request is retried safely, since the API never overwrites. */
  async create(input: ProductInput): Promise<Product> {
    const { method, path } = operationRequest('createProduct');
    const response = await this.request(method, path, { body: input, idempotent: input.id !== undefined });
    if (response.status === 201) return this.json<Product>(method, path, response);
    if (response.status === 409 && response.ambiguous && input.id !== undefined) {
      // The first attempt's answer was lost, so the 409 may be about this very product: look before failing.
      const existing = await this.find(input.id);
      if (existing && existing.version === 1 && sameContent(existing, input)) {
        this.options.onNotice?.(`an earlier attempt, whose answer was lost, created product ${input.id}`);
        return existing;
      }
      throw this.fail(method, path, response, ` (an earlier attempt whose answer was lost may have reached the API)`);
    }
    throw this.fail(method, path, response);
  }

  /** Reads one product; NotFoundError when there is none. */
  async get(id: string): Promise<Product> {
    const { method, path } = operationRequest('getProduct', { id });
    const response = await this.request(method, path);
    if (response.status === 200) return this.json<Product>(method, path, response);
    throw this.fail(method, path, response);
  }

  /** Reads one page of products. */
  async listPage(options: { limit?: number; cursor?: string | null } = {}): Promise<ProductPage> {
    const query = { limit: options.limit, cursor: options.cursor ?? undefined };
    const { method, path } = operationRequest('listProducts');
    const response = await this.request(method, path, { query });
    if (response.status === 200) {
      const page = this.json<ProductPage>(method, path, response);
      if (!Array.isArray(page.items)) throw notProductApi(`${this.baseUrl}${path}`, 200, response.headers);
      return page;
    }
    throw this.fail(method, path, response);
  }

  /**
   * Starts a list in `segments` parts read side by side: the API's cursor for each segment of a parallel scan.
   * An API deployed before segments ignores the parameter and answers its first page, from which the list
   * goes on one page after another. `pageSize` is the page size the API takes (see firstPage).
   */
  async listStart(options: {
    segments: number;
    limit: number;
  }): Promise<{ segments: string[]; pageSize: number } | { page: ProductPage; pageSize: number }> {
    const { page, pageSize } = await this.firstPage({ limit: options.limit, segments: options.segments });
    if (Array.isArray(page.segments) && page.segments.every((cursor) => typeof cursor === 'string'))
      return { segments: page.segments, pageSize };
    return { page, pageSize };
  }

  /**
   * The first page of a list, and the page size the API took: an API deployed before pages grew refuses a
   * `limit` past LIST_LIMIT_BEFORE_SEGMENTS, and is asked again with that, its own largest page.
   */
  private async firstPage(query: {
    limit: number;
    cursor?: string;
    segments?: number;
  }): Promise<{ page: ProductPage; pageSize: number }> {
    const { method, path } = operationRequest('listProducts');
    for (let limit = query.limit; ; limit = LIST_LIMIT_BEFORE_SEGMENTS) {
      const response = await this.request(method, path, { query: { ...query, limit } });
      const problem = response.body as { errors?: { field?: unknown }[] } | undefined;
      const refusedLimit =
        response.status === 400 && (problem?.errors ?? []).some((fieldError) => fieldError.field === 'limit');
      if (refusedLimit && limit > LIST_LIMIT_BEFORE_SEGMENTS) continue;
      if (response.status !== 200) throw this.fail(method, path, response);
      const page = this.json<ProductPage>(method, path, response);
      if (!Array.isArray(page.items)) throw notProductApi(`${this.baseUrl}${path}`, 200, response.headers);
      return { page, pageSize: limit };
    }
  }

  /** Reads page after page, following the cursors, until the end or `max` products; each page as it arrives. */
  async *pages(options: ListOptions = {}): AsyncGenerator<ProductPage> {
    let pageSize = options.pageSize ?? 100;
    let remaining = options.max ?? Number.POSITIVE_INFINITY;
    let cursor: string | null = options.cursor ?? null;
    for (let first = true; first || (cursor && remaining > 0); first = false) {
      const limit = Math.min(pageSize, remaining);
      let page: ProductPage;
      if (first) {
        const answer = await this.firstPage({ limit, ...(cursor ? { cursor } : {}) });
        page = answer.page;
        pageSize = Math.min(pageSize, answer.pageSize);
      } else page = await this.listPage({ limit, cursor });
      const items = page.items.length > remaining ? page.items.slice(0, remaining) : page.items;
      remaining -= items.length;
      cursor = page.nextCursor;
      yield {
        items,
        nextCursor: cursor,
        ...(page.skipped && page.skipped.length > 0 ? { skipped: page.skipped } : {}),
      };
    }
  }

  /** Every product, one at a time, read a page at a time; stops after `max`. */
  async *listAll(options: ListOptions = {}): AsyncGenerator<Product> {
    for await (const page of this.pages(options)) yield* page.items;
  }

  /** Changes a product; with `ifVersion` only if it is still at that version, and then retried safely. */
  async update(id: string, patch: ProductPatch, options: { ifVersion?: number } = {}): Promise<Product> {
    const { method, path } = operationRequest('updateProduct', { id });
    const headers = ifMatch(options.ifVersion);
    const response = await this.request(method, path, {
      body: patch,
      headers,
      idempotent: options.ifVersion !== undefined,
    });
    if (response.status === 200) return this.json<Product>(method, path, response);
    if (response.status === 412 && response.ambiguous && options.ifVersion !== undefined) {
      const current = await this.find(id);
      if (current && current.version === options.ifVersion + 1 && sameContent(current, patch)) {
        this.options.onNotice?.(`an earlier attempt, whose answer was lost, updated product ${id}`);
        return current;
      }
    }
    throw this.fail(method, path, response);
  }

  /** Deletes a product; NotFoundError when there is none, ConflictError when `ifVersion` no longer matches. */
  async delete(id: string, options: { ifVersion?: number } = {}): Promise<void> {
    const { method, path } = operationRequest('deleteProduct', { id });
    const response = await this.request(method, path, { headers: ifMatch(options.ifVersion) });
    if (response.status === 204 || response.status === 200) return;
    if (response.status === 404 && response.ambiguous) {
      // The product is gone, which is what was asked; an attempt whose answer was lost most likely removed it.
      this.options.onNotice?.(`product ${id} is gone; an earlier attempt, whose answer was lost, probably deleted it`);
      return;
    }
    throw this.fail(method, path, response);
  }

  /**
   * Creates many products in one request (each answered on its own; ids never overwritten, so it is safe to
   * retry); undefined when the API has no batch route (API Gateway's 403 `Missing Authentication Token`, or 404).
   */
  async createMany(inputs: readonly ProductInput[]): Promise<BatchCreateAnswer | undefined> {
    return this.batch<BatchCreateAnswer>('createProducts', { items: inputs });
  }

  /** Deletes many products in one request; undefined when the API has no batch route. */
  async deleteMany(ids: readonly string[]): Promise<BatchDeleteAnswer | undefined> {
    return this.batch<BatchDeleteAnswer>('deleteProducts', { ids });
  }

  private async batch<T>(operationId: 'createProducts' | 'deleteProducts', body: unknown): Promise<T | undefined> {
    const { method, path } = operationRequest(operationId);
    const response = await this.request(method, path, { body, idempotent: true });
    if (response.status === 200) return this.json<T>(method, path, response);
    const message = (response.body as { message?: unknown } | undefined)?.message;
    // API Gateway answers a resource it does not have with 403 Missing Authentication Token, signed or not.
    if (
      (response.status === 403 && message === 'Missing Authentication Token') ||
      (response.status === 404 && typeof message === 'string')
    )
      return undefined;
    throw this.fail(method, path, response);
  }

  /** Sends one operation of the contract's table, its path parameters filled from `params`; see request(). */
  call<T = unknown>(
    operationId: OperationId,
    options: RequestOptions & { params?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const { params, ...request } = options;
    const { method, path } = operationRequest(operationId, params);
    return this.request<T>(method, path, request);
  }

  /**
   * Sends one request and returns the answer whatever its status; retries throttling, gateway trouble and
   * network failures where that is safe; throws ApiError only when no answer came.
   */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const transport = this.openTransport ?? (await this.transport());
    const upperMethod = method.toUpperCase();
    const requestPath = this.pathWithQuery(path, options.query);
    const url = `${this.origin}${requestPath}`;
    const idempotent = options.idempotent ?? IDEMPOTENT_METHODS.has(upperMethod);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'products-cli',
    };
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, options.headers);
    const timeout = options.timeoutMs ?? this.options.timeoutMs;
    const signal = this.options.signal;
    const started = performance.now();
    let ambiguous = false;
    let clockCorrected = false;

    for (let attempt = 1; ; attempt++) {
      const attemptStarted = performance.now();
      let status: number | undefined;
      let responseHeaders: ApiResponse['headers'] = {};
      let body: unknown;
      let failure: unknown;
      // Before the slow notice and outside the try: a signing failure (no credentials) is the caller's to see.
      const signing = this.options.signing;
      const sent = signing?.needed(upperMethod)
        ? { ...headers, ...(await signing.sign({ method: upperMethod, url, headers, body: payload })) }
        : headers;
      const onSlow = this.options.onSlow;
      const wait: { end?: (() => void) | void } = {};
      const slow =
        onSlow &&
        setTimeout(
          () => (wait.end = onSlow({ method: upperMethod, url, timeoutMs: timeout, attempt })),
          this.options.slowNoticeMs,
        );
      slow?.unref?.();
      try {
        const answer = await transport.send({
          method: upperMethod,
          path: requestPath,
          headers: sent,
          body: payload,
          signal,
          timeoutMs: timeout,
        });
        status = answer.status;
        responseHeaders = answer.headers;
        body = parseBody(answer.text, responseHeaders['content-type']);
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? error;
        failure = error;
      } finally {
        clearTimeout(slow);
        wait.end?.();
      }

      // A signature refused for a skewed clock: sign again once, on the server's time (as the SDK does).
      const signing403 =
        status === 403 &&
        signing?.needed(upperMethod) &&
        /signature expired|signature not yet current/i.test((body as { message?: string } | undefined)?.message ?? '');
      if (signing403 && !clockCorrected && signing?.correctClock([responseHeaders.date].flat()[0])) {
        clockCorrected = true;
        continue;
      }
      const retry = attempt <= this.options.retries && this.shouldRetry(status, failure, idempotent);
      const retryInMs = retry ? this.delayBefore(attempt, responseHeaders['retry-after']) : null;
      this.options.onExchange?.({
        method: upperMethod,
        url,
        attempt,
        requestHeaders: sent,
        requestBody: options.body,
        status,
        responseHeaders,
        responseBody: body,
        error: failure === undefined ? undefined : errorFromNetwork(upperMethod, url, failure, 1).message,
        durationMs: performance.now() - attemptStarted,
        retryInMs: retryInMs ?? undefined,
      });

      if (retryInMs === null) {
        if (failure !== undefined) throw errorFromNetwork(upperMethod, url, failure, attempt);
        return {
          status: status as number,
          headers: responseHeaders,
          body: body as T,
          attempts: attempt,
          ambiguous,
          durationMs: performance.now() - started,
        };
      }
      if (failure !== undefined && isNotSent(failure) && !this.toldRetry) {
        this.toldRetry = true;
        const reason = errorFromNetwork(upperMethod, url, failure, 1).message.replace(/;.*$/, '');
        this.options.onRetry?.(`${reason}; trying again (up to ${this.options.retries - attempt + 1} more attempts)…`);
      }
      const actedOnMaybe = failure !== undefined ? !isNotSent(failure) : !NOT_ACTED_ON_STATUSES.has(status as number);
      ambiguous ||= actedOnMaybe;
      await sleep(retryInMs, signal);
    }
  }

  /** Closes the client's connections; the client can still be used afterwards, with new ones. */
  async close(): Promise<void> {
    const transport = this.openTransport;
    this.openTransport = undefined;
    // A transport the caller passed in is the caller's to close.
    if (transport && transport !== this.options.transport) await transport.close();
  }

  /** The transport, loaded on first use, so that a one-shot command loads only the one it uses. */
  private async transport(): Promise<Transport> {
    const chosen = this.options.transport;
    if (typeof chosen === 'object') return (this.openTransport = chosen);
    if (chosen === 'node') {
      const { nodeTransport } = await import('./node-transport.js');
      this.openTransport ??= nodeTransport(this.origin, this.options);
    } else {
      const { undiciTransport } = await import('./undici-transport.js');
      this.openTransport ??= undiciTransport(this.origin, { ...this.options, dispatcher: this.options.dispatcher });
    }
    return this.openTransport;
  }

  private shouldRetry(status: number | undefined, failure: unknown, idempotent: boolean): boolean {
    if (failure !== undefined) return isRetryableNetworkError(failure) && (idempotent || isNotSent(failure));
    if (!RETRYABLE_STATUSES.has(status as number)) return false;
    if (!this.options.retryThrottled && NOT_ACTED_ON_STATUSES.has(status as number)) return false;
    return idempotent || NOT_ACTED_ON_STATUSES.has(status as number);
  }

  /** The wait before retry number `attempt`: Retry-After when the API gave one, else backoff; null to give up. */
  private delayBefore(attempt: number, retryAfter: string | string[] | undefined): number | null {
    const asked = parseRetryAfter(retryAfter);
    if (asked !== undefined) return asked <= this.options.maxRetryAfterMs ? asked : null;
    return backoffDelay(attempt, this.options, this.options.random);
  }

  private pathWithQuery(path: string, query: RequestOptions['query']): string {
    const full = `${this.basePath}${path.startsWith('/') ? path : `/${path}`}`;
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, String(value));
    const search = params.toString();
    return search ? `${full}?${search}` : full;
  }

  /** A success's JSON body; NotProductApiError when there is none, as when the URL is some other server. */
  private json<T>(_method: string, path: string, response: ApiResponse): T {
    if (typeof response.body === 'object' && response.body !== null) return response.body as T;
    throw notProductApi(`${this.baseUrl}${path}`, response.status, response.headers);
  }

  private fail(method: string, path: string, response: ApiResponse, suffix = ''): Error {
    const url = `${this.origin}${this.basePath}${path}`;
    const error = errorFromResponse({
      method,
      url,
      status: response.status,
      body: response.body,
      attempts: response.attempts,
      headers: response.headers,
    });
    if (response.status === 403 && this.options.signing?.needed(method)) {
      error.message = this.options.signing.refused(
        method,
        url,
        (response.body as { message?: string } | undefined)?.message,
      );
    }
    if (suffix) error.message += suffix;
    return error;
  }

  /** The product, or undefined when there is none. */
  private async find(id: string): Promise<Product | undefined> {
    const { method, path } = operationRequest('getProduct', { id });
    const response = await this.request(method, path);
    if (response.status === 200) return response.body as Product;
    if (response.status === 404) return undefined;
    throw this.fail(method, path, response);
  }
}

function ifMatch(version: number | undefined): Record<string, string> {
  return version === undefined ? {} : { 'if-match': `"${version}"` };
}

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  if (text === '') return undefined;
  const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
  if (/json/i.test(type) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** True when the product holds every value the input or patch asked for, as the API stores it. */
function sameContent(product: Product, fields: ProductInput | ProductPatch): boolean {
  return Object.entries(fields).every(
    ([field, wanted]) =>
      wanted === undefined || product[field as FieldName] === normalizeField(field as FieldName, wanted),
  );
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
