/** The shapes the product API's client takes and gives: its options, a request's options, answers and pages. */
import type { Dispatcher } from 'undici';
import type { Product, SkippedItem } from '../contract/index.js';
import type { RequestSigning } from './request-auth.js';
import type { Transport } from './transport.js';

export interface ProductApiOptions {
  /** The invoke URL, stage included: `http://127.0.0.1:3000/prod`. */
  baseUrl: string;
  /** Sent as `x-api-key` when the API requires a key. */
  apiKey?: string;
  /** SigV4 signing of the methods that need it; each attempt is signed afresh. */
  signing?: RequestSigning;
  /** Longest wait for an answer's headers, and for each chunk of its body, per attempt (default 10 s). */
  timeoutMs?: number;
  /**
   * Whether 429 and 503 answers are retried here (default true). A caller that paces itself (import) turns this
   * off, gets ThrottledError at once and decides when to send again.
   */
  retryThrottled?: boolean;
  /** Told, once per client, that a request could not be sent (connection refused) and is being tried again. */
  onRetry?: (message: string) => void;
  /**
   * Told once per request that has had no answer for `slowNoticeMs` (default 1.5 s), to say what is waited for;
   * the function it may return is called when the wait ends, to take the notice back.
   */
  onSlow?: (request: { method: string; url: string; timeoutMs: number; attempt: number }) => (() => void) | void;
  slowNoticeMs?: number;
  /** Longest wait for a connection (default 5 s). */
  connectTimeoutMs?: number;
  /** Attempts after the first for a retryable failure (default 4). */
  retries?: number;
  /** Ceiling of the first backoff; doubles per retry (default 200 ms). */
  baseDelayMs?: number;
  /** Longest backoff (default 5 s). */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured; a longer one ends the retries (default 30 s). */
  maxRetryAfterMs?: number;
  /** Connections the pool may open at once (default 16). */
  connections?: number;
  /** Ends every request early when aborted. */
  signal?: AbortSignal;
  /** Sees every attempt as it completes, for tracing. */
  onExchange?: (exchange: Exchange) => void;
  /** Told when the client recovers from an answer that was lost, so the caller can say so. */
  onNotice?: (message: string) => void;
  /**
   * How requests travel: `undici` (the default) keeps a connection pool, for clients that send many requests;
   * `node` uses node:http, which starts faster, for one-shot commands; or a Transport of the caller's own.
   */
  transport?: 'undici' | 'node' | Transport;
  /** With the undici transport, a dispatcher to use instead of the client's own pool (not closed by `close`). */
  dispatcher?: Dispatcher;
  /** For tests: the jitter's source of randomness. */
  random?: () => number;
  userAgent?: string;
}

export interface RequestOptions {
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  /**
   * Whether the request may be sent again after a failure that it may already have been acted on (a lost
   * answer, 502, 504). Defaults to true for GET, HEAD, PUT, DELETE and OPTIONS.
   */
  idempotent?: boolean;
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed as JSON when it is JSON, the text otherwise, undefined when empty. */
  body: T;
  attempts: number;
  /** True when an earlier attempt may have been acted on although its answer was lost. */
  ambiguous: boolean;
  /** The whole exchange, retries and waits included. */
  durationMs: number;
}

/** One attempt, as `onExchange` sees it. */
export interface Exchange {
  method: string;
  url: string;
  attempt: number;
  requestHeaders: Record<string, string>;
  requestBody?: unknown;
  status?: number;
  responseHeaders?: Record<string, string | string[] | undefined>;
  responseBody?: unknown;
  /** Why the attempt got no answer. */
  error?: string;
  durationMs: number;
  /** The wait before the next attempt, when there is one. */
  retryInMs?: number;
}

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
  /** Stored items of the page that do not read as products, with the fields at fault. */
  skipped?: SkippedItem[];
  /** Only in the answer to `segments=N`: one cursor per segment of a parallel scan. */
  segments?: string[];
}

export interface ListOptions {
  /** Products per request (1-LIST_LIMIT_MAX; default 100). */
  pageSize?: number;
  /** Stop after this many products in all. */
  max?: number;
  /** Start from this cursor instead of the beginning. */
  cursor?: string;
}
