/**
 * The load generator: `connections` workers send a weighted mix of product requests over one connection pool,
 * for a duration or a number of requests, optionally at a fixed overall rate, and record every answer's
 * latency and status. Throttling (429) and errors are counted, never retried, so they show in the figures.
 */
import { operationRequest, type OperationId } from '../contract/index.js';
import type { ProductApi } from '../http/api-client.js';
import { sleep } from '../http/retry.js';
import { looksLikeProductApi, notProductApi, type NotProductApiError } from '../http/response-error.js';
import { LatencyRecorder } from './latency.js';
import { elapsedMs } from '../elapsed.js';

export const OPERATIONS = ['get', 'list', 'add', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];
export type Mix = Readonly<Partial<Record<Operation, number>>>;

export const DEFAULT_MIX: Mix = { get: 80, add: 10, update: 5, delete: 5 };

/** Parses `get=80,add=10,update=5,delete=5`; returns an error message instead when it is not one. */
export function parseMix(text: string): Mix | string {
  const mix: Partial<Record<Operation, number>> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const match = /^([a-z]+)\s*=\s*(\d{1,6})$/.exec(part);
    if (!match) return `"${part}" is not op=weight, such as get=80`;
    const op = match[1] as Operation;
    if (!OPERATIONS.includes(op)) return `"${match[1]}" is not an operation; use ${OPERATIONS.join(', ')}`;
    if (op in mix) return `${op} is given twice`;
    mix[op] = Number(match[2]);
  }
  const total = Object.values(mix).reduce((sum, weight) => sum + weight, 0);
  if (total === 0) return 'the weights add up to 0; give at least one operation a weight';
  return mix;
}

/** The mix as text, in the order of OPERATIONS: `get=80 add=10 update=5 delete=5`. */
export function formatMix(mix: Mix): string {
  return OPERATIONS.filter((op) => (mix[op] ?? 0) > 0)
    .map((op) => `${op}=${mix[op]}`)
    .join(' ');
}

/** Picks an operation by weight. */
export function pickOperation(mix: Mix, random: () => number): Operation {
  const total = OPERATIONS.reduce((sum, op) => sum + (mix[op] ?? 0), 0);
  let point = random() * total;
  for (const op of OPERATIONS) {
    point -= mix[op] ?? 0;
    if (point < 0) return op;
  }
  return OPERATIONS.filter((op) => (mix[op] ?? 0) > 0).at(-1) as Operation;
}

export interface LoadOptions {
  api: ProductApi;
  connections: number;
  mix: Mix;
  /** Stop after this long (milliseconds)... */
  durationMs?: number;
  /** ...or after exactly this many requests; with both, whichever comes first. */
  requests?: number;
  /** Requests per second across all connections; unlimited when omitted. */
  rate?: number;
  /** Products that exist when the load starts: gets, updates and deletes pick from these and from those added. */
  ids: string[];
  /** Prefix of the ids of products that the load adds. */
  idPrefix: string;
  signal?: AbortSignal;
  random?: () => number;
  /** Called after each request is answered or fails, with the counts so far (for a progress line). */
  onAnswer?: (progress: LoadProgress) => void;
}

/** How far a load has got. */
export interface LoadProgress {
  requests: number;
  elapsedMs: number;
  statusCounts: Record<string, number>;
  errors: number;
}

export interface LoadResult {
  /** Requests that were sent and answered or failed (never more than `requests`). */
  requests: number;
  durationMs: number;
  latency: LatencyRecorder;
  /** The 2xx answers alone, and the 429s alone: throttled answers are fast and would flatter the figures. */
  latency2xx: LatencyRecorder;
  latency429: LatencyRecorder;
  /** Set when an answer was not one the product API gives: the load stopped there. */
  notProductApi?: NotProductApiError;
  /** Answers by HTTP status. */
  statusCounts: Record<string, number>;
  /** Requests that got no answer at all. */
  errors: number;
  /** A few of the errors' messages, to say what went wrong. */
  errorSamples: string[];
  /** Requests sent, by operation. */
  operations: Record<Operation, number>;
  /** Products that exist (or may exist) after the load: those to delete. */
  liveIds: string[];
  /** True when Ctrl-C stopped the load early. */
  interrupted: boolean;
}

/** Runs the load; resolves when the duration or request count is reached, or when the signal aborts. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const random = options.random ?? Math.random;
  const { api, mix, signal } = options;
  const live = [...options.ids];
  const uncertain = new Set<string>();
  const latency = new LatencyRecorder();
  const latency2xx = new LatencyRecorder();
  const latency429 = new LatencyRecorder();
  let notApi: NotProductApiError | undefined;
  const statusCounts: Record<string, number> = {};
  const operations = Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<Operation, number>;
  const errorSamples: string[] = [];
  let errors = 0;
  let issued = 0;
  let added = 0;
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  const limit = options.requests ?? Number.POSITIVE_INFINITY;
  const interval = options.rate ? 1000 / options.rate : 0;

  const takeRandom = (remove: boolean): string | undefined => {
    if (live.length === 0) return undefined;
    const index = Math.floor(random() * live.length);
    const id = live[index] as string;
    if (remove) {
      live[index] = live[live.length - 1] as string;
      live.pop();
    }
    return id;
  };

  /** Sends one request; an answer the product API would not give stops the load (the URL is some other server). */
  const send = async (operationId: OperationId, request: Parameters<ProductApi['call']>[1] = {}): Promise<number> => {
    const { params, ...options } = request;
    const { method, path } = operationRequest(operationId, params);
    const response = await api.request(method, path, options);
    if (!looksLikeProductApi(response.status, response.body))
      notApi ??= notProductApi(`${api.baseUrl}${path}`, response.status, response.headers);
    return response.status;
  };

  const one = async (op: Operation): Promise<{ status?: number; id?: string; op: Operation }> => {
    if (op === 'add') {
      const id = `${options.idPrefix}${added++}`;
      uncertain.add(id);
      return {
        status: await send('createProduct', {
          body: { id, title: `Bench product ${id}`, price: 10 },
          idempotent: true,
        }),
        id,
        op,
      };
    }
    if (op === 'list') return { status: await send('listProducts', { query: { limit: 20 } }), op };
    const id = takeRandom(op === 'delete') as string;
    if (op === 'get') return { status: await send('getProduct', { params: { id } }), id, op };
    if (op === 'update') {
      const body = { price: Math.round(random() * 100_000) / 100 };
      return { status: await send('updateProduct', { params: { id }, body }), id, op };
    }
    uncertain.add(id);
    return { status: await send('deleteProduct', { params: { id } }), id, op };
  };

  const worker = async () => {
    while (!signal?.aborted && !notApi) {
      const now = performance.now();
      if (issued >= limit || now >= deadline) return;
      const sequence = issued++;
      let due = now;
      if (interval > 0) {
        due = started + sequence * interval;
        if (due >= deadline) return;
        if (due > now) {
          try {
            await sleep(due - now, signal);
          } catch {
            issued--; // not sent
            return;
          }
        }
      }
      let op = pickOperation(mix, random);
      // With nothing left to read, change or delete, the request adds a product instead.
      if (op !== 'add' && op !== 'list' && live.length === 0) op = 'add';
      operations[op]++;
      try {
        const outcome = await one(op);
        // Latency counts from when the request was due, so a slow answer delays no measurement (no coordinated omission).
        const took = performance.now() - due;
        latency.record(took);
        const status = outcome.status as number;
        if (status >= 200 && status < 300) latency2xx.record(took);
        else if (status === 429) latency429.record(took);
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        if (outcome.op === 'add' && status === 201) {
          live.push(outcome.id as string);
          uncertain.delete(outcome.id as string);
        } else if (outcome.op === 'add' && status < 500) {
          uncertain.delete(outcome.id as string); // refused: nothing was stored
        } else if (outcome.op === 'delete' && (status === 204 || status === 404)) {
          uncertain.delete(outcome.id as string);
        } else if (outcome.op === 'delete' && status < 500) {
          uncertain.delete(outcome.id as string);
          live.push(outcome.id as string); // refused (e.g. 429): still there
        }
      } catch (error) {
        if (signal?.aborted) {
          operations[op]--;
          issued--;
          return;
        }
        latency.record(performance.now() - due);
        errors++;
        if (errorSamples.length < 5) errorSamples.push((error as Error)?.message ?? String(error));
      }
      options.onAnswer?.({ requests: latency.count, elapsedMs: elapsedMs(started), statusCounts, errors });
    }
  };

  await Promise.all(Array.from({ length: options.connections }, worker));
  return {
    requests: latency.count,
    durationMs: elapsedMs(started),
    latency,
    latency2xx,
    latency429,
    ...(notApi ? { notProductApi: notApi } : {}),
    statusCounts,
    errors,
    errorSamples,
    operations,
    liveIds: [...new Set([...live, ...uncertain])],
    interrupted: Boolean(signal?.aborted),
  };
}
