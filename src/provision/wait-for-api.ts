/** The live check: the stack answers through its invoke URL (retried while a new deployment propagates). */
import type { Clock } from '../aws/clock.js';
import { operationRequest } from '../contract/routes.js';

/** The live check lists one product. */
const LIVE_CHECK = operationRequest('listProducts');

export interface VerifyOptions {
  fetch: typeof fetch;
  clock: Clock;
  apiKey?: string;
  /** Signature headers for the GET, when reads need SigV4. */
  sign?: (url: string) => Promise<Record<string, string>>;
  timeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

export interface VerifyResult {
  ok: boolean;
  status?: number;
  attempts: number;
  ms: number;
  /** What the last attempt saw, when it was not a success. */
  detail?: string;
}

/**
 * Lists one product through the invoke URL until it answers 200 with a page, or the bound is hit. A fresh
 * deployment answers 403 "Missing Authentication Token" or 5xx for a short while; those are retried.
 */
export async function waitForApi(url: string, options: VerifyOptions): Promise<VerifyResult> {
  const { clock } = options;
  const started = clock.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  let attempts = 0;
  let detail = '';
  let status: number | undefined;
  for (;;) {
    attempts += 1;
    try {
      const target = `${url.replace(/\/$/, '')}${LIVE_CHECK.path}?limit=1`;
      const response = await options.fetch(target, {
        headers: {
          accept: 'application/json',
          ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
          ...(options.sign ? await options.sign(target) : {}),
        },
        signal: AbortSignal.timeout(10_000),
      });
      status = response.status;
      const text = await response.text();
      if (response.status === 200 && text.includes('"items"'))
        return { ok: true, status, attempts, ms: clock.now() - started };
      detail = `${response.status} ${text.slice(0, 120)}`;
      // A client error other than the propagation ones will not go away by waiting.
      if (response.status >= 400 && response.status < 500 && ![403, 404, 429].includes(response.status)) break;
    } catch (error) {
      detail = (error as Error).message;
    }
    if (clock.now() - started + (options.intervalMs ?? 2_000) > timeoutMs) break;
    await clock.sleep(options.intervalMs ?? 2_000, options.signal);
  }
  return { ok: false, ...(status !== undefined ? { status } : {}), attempts, ms: clock.now() - started, detail };
}
