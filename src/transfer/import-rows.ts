/**
 * Importing rows: each checked against the contract, then created at the pace the API accepts (see pacer.ts).
 * A row that fails is recorded with its line and reason and the rest still go in; an id that exists counts as
 * skipped, so an interrupted import is simply run again; a throttled row is not sent yet, never failed. A file
 * that cannot be read further stops the reading, and what was read before it is still sent.
 */
import { setMaxListeners } from 'node:events';
import {
  SERVER_FIELDS,
  validateProductInput,
  type BatchCreateAnswer,
  type ProductInput,
  type Validated,
} from '../contract/index.js';
import { ApiError, UsageError } from '../errors.js';
import { NotProductApiError, ThrottledError } from '../http/response-error.js';
import { Pacer, THROTTLE_STALL_MS } from './pacer.js';
import type { SourceRow } from './read-rows.js';
import type { ImportMark } from './import-checkpoint.js';
import { elapsedMs } from '../elapsed.js';
import { sleep as sleepFor } from '../http/retry.js';

export type RowOutcome = 'created' | 'skipped' | 'failed';

export interface ImportFailure {
  line: number;
  id?: string;
  reason: string;
}

export interface ImportSummary {
  /** Rows read from the file, good and bad. */
  rows: number;
  /** Rows that passed the contract's checks. */
  valid: number;
  created: number;
  skipped: number;
  failed: number;
  /** Valid rows read but not (or not surely) created: the import stopped before their answer came. */
  notSent: number;
  /** 429 answers met on the way; each such row was sent again later. */
  throttled: number;
  /** Of `skipped`, the rows an earlier run of the same import had answered (see import-checkpoint.ts): not sent again. */
  alreadyDone: number;
  /** Rows without an id: the API chose one, so running the file again would create them again. */
  withoutId: number;
  /** The first failures, in line order (at most `maxFailures`). */
  failures: ImportFailure[];
  /** Failures counted but not kept in `failures`. */
  failuresOmitted: number;
  /** Where and why reading stopped before the end of the file. */
  stoppedAt?: { line: number; reason: string };
  /** True when the rows were only checked (`--dry-run`). */
  dryRun: boolean;
  durationMs: number;
  /** True when Ctrl-C stopped the import before the end of the file. */
  interrupted: boolean;
}

export interface ImportDeps {
  /** Creates one product: 'created', or 'skipped' when its id exists; throws with a readable message otherwise. */
  create(input: ProductInput): Promise<'created' | 'skipped'>;
  /**
   * Creates many in one request: each row's outcome, or undefined when the API has no batch route (then every
   * row is sent with create() from there on). Without it, every row is sent with create().
   */
  createMany?(inputs: ProductInput[]): Promise<BatchCreateAnswer | undefined>;
  /** Rows per batch request, and bytes of their JSON (defaults: 500 and 1 MiB, well inside the route's limits). */
  batchItems?: number;
  batchBytes?: number;
  /** Most requests in flight at once; fewer while the API throttles. */
  concurrency: number;
  /** At most this many requests per second (`--rate`). */
  rate?: number;
  /**
   * True for an error that every further row would hit too (API unreachable, wrong URL): the import stops. An
   * answer that is not the product API's always stops it.
   */
  isFatal?(error: unknown): boolean;
  /** Check every row, send none. */
  dryRun?: boolean;
  /** Told after each row. */
  onRow?(outcome: RowOutcome, failure?: ImportFailure): void;
  /** Where an earlier run of this import got to: its rows are not sent again, but for those that had failed. */
  resume?: ImportMark;
  /** Told each time the rows answered from the first one on (created, skipped or failed) grow. */
  onMark?(mark: ImportMark): void;
  /** Told of each 429, so progress can show it. */
  onThrottled?(): void;
  signal?: AbortSignal;
  /** Failures kept for the summary (default 1000); more are only counted. */
  maxFailures?: number;
  /** How long the API may throttle every request before the import gives up (default 2 minutes). */
  stallMs?: number;
  pacer?: Pacer;
}

/** Reading stopped before the end of the file (a malformed CSV, a cut JSON array): carries what was done. */
export class ImportStoppedError extends UsageError {
  constructor(
    readonly summary: ImportSummary,
    options?: { cause?: unknown },
  ) {
    const { line, reason } = summary.stoppedAt as { line: number; reason: string };
    const notSent = summary.notSent > 0 ? `, ${summary.notSent} not sent` : '';
    const done = summary.dryRun
      ? `${summary.valid} valid, ${summary.failed} failed`
      : `${summary.created} created, ${summary.skipped} skipped, ${summary.failed} failed${notSent}`;
    const before = summary.rows === 0 ? 'no rows before it' : `the ${summary.rows} rows before it: ${done}`;
    super(`reading stopped at line ${line}: ${reason}; ${before}`, options);
    this.name = 'ImportStoppedError';
  }
}

/** Checks a row against the contract; the fields the server sets (createdAt, updatedAt, version) are dropped. */
export function rowToInput(value: unknown): Validated<ProductInput> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const fields = { ...(value as Record<string, unknown>) };
    for (const field of SERVER_FIELDS) delete fields[field];
    return validateProductInput(fields);
  }
  return validateProductInput(value);
}

function idOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Imports the rows; rejects with a fatal error, or with ImportStoppedError when the file cannot be read to its
 * end, in both cases only after the requests in flight have settled.
 */
export async function importRows(rows: AsyncIterable<SourceRow>, deps: ImportDeps): Promise<ImportSummary> {
  const started = performance.now();
  const maxFailures = deps.maxFailures ?? 1000;
  const stallMs = deps.stallMs ?? THROTTLE_STALL_MS;
  const summary: ImportSummary = {
    rows: 0,
    valid: 0,
    created: 0,
    skipped: 0,
    failed: 0,
    notSent: 0,
    throttled: 0,
    alreadyDone: 0,
    withoutId: 0,
    failures: [],
    failuresOmitted: 0,
    dryRun: Boolean(deps.dryRun),
    durationMs: 0,
    interrupted: false,
  };
  const pacer = deps.pacer ?? new Pacer({ maxConcurrency: deps.concurrency, rate: deps.rate });
  // Aborted on Ctrl-C and on a fatal error: rows still waiting for their turn are then not sent.
  const stop = new AbortController();
  // Each row held (at most `concurrency`, see below) listens on it while it waits for its turn.
  setMaxListeners(deps.concurrency * 4 + 10, stop.signal);
  const onAbort = () => stop.abort();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  const inFlight = new Set<Promise<void>>();
  let fatal: unknown;
  let lastAnswer = performance.now();

  // The rows answered from the first on, for the checkpoint: rows go in units (one batch, or one row sent alone),
  // and the mark moves past a unit once it is closed and every row of it has an answer.
  type Unit = { last: number; pending: number; failed: number[]; closed: boolean };
  const units: Unit[] = [];
  let unitHead = 0;
  let open: Unit | undefined;
  const mark: ImportMark = { rows: 0, failed: [] };
  const advance = () => {
    let moved = false;
    for (let unit = units[unitHead]; unit?.closed && unit.pending === 0; unit = units[unitHead]) {
      if (unit.last > 0) mark.rows = unit.last;
      mark.failed.push(...unit.failed);
      unitHead++;
      moved = true;
    }
    if (unitHead > 1024) units.splice(0, unitHead), (unitHead = 0);
    if (moved) deps.onMark?.(mark);
  };
  /** The unit the row `ordinal` goes in; `sent` when it awaits an answer. */
  const unitFor = (ordinal: number, sent: boolean): Unit => {
    if (open === undefined) units.push((open = { last: 0, pending: 0, failed: [], closed: false }));
    open.last = ordinal;
    if (sent) open.pending++;
    return open;
  };
  const closeUnit = () => {
    if (open === undefined) return;
    open.closed = true;
    open = undefined;
    advance();
  };
  const answered = (row: Held, failed: boolean) => {
    if (failed) row.unit.failed.push(row.ordinal);
    row.unit.pending--;
    if (row.unit.pending === 0) advance();
  };

  const fail = (failure: ImportFailure) => {
    summary.failed++;
    if (summary.failures.length < maxFailures) summary.failures.push(failure);
    else summary.failuresOmitted++;
    deps.onRow?.('failed', failure);
  };
  const failRow = (row: Held, reason: string) => {
    fail({ line: row.line, ...(row.input.id !== undefined ? { id: row.input.id } : {}), reason });
    answered(row, true);
  };
  const succeed = (row: Held, outcome: 'created' | 'skipped') => {
    summary[outcome]++;
    deps.onRow?.(outcome);
    answered(row, false);
  };

  const stopWith = (error: unknown) => {
    fatal ??= error;
    stop.abort();
  };

  /** A 429: the request gives its place back and waits out Retry-After; the import gives up when nothing gets through. */
  const throttledBy = (error: ThrottledError) => {
    pacer.release('throttled', error.retryAfterMs);
    summary.throttled++;
    deps.onThrottled?.();
    if (performance.now() - lastAnswer > stallMs) {
      stopWith(
        new ApiError(
          `the API throttled every request for ${Math.round(stallMs / 1000)} s; try again later or with a lower --rate`,
          error.status,
          { cause: error },
        ),
      );
    }
  };

  /** Sends one row until it is answered; a throttled attempt waits its turn and goes again. */
  const send = async (row: Held) => {
    for (let first = true; ; first = false) {
      if (!first) {
        try {
          await pacer.acquire(stop.signal);
        } catch {
          summary.notSent++;
          return;
        }
      }
      try {
        const outcome = await deps.create(row.input);
        pacer.release('answered');
        lastAnswer = performance.now();
        succeed(row, outcome);
        return;
      } catch (error) {
        if (error instanceof ThrottledError) {
          throttledBy(error);
          continue;
        }
        pacer.release(error instanceof ApiError && error.status === undefined ? 'lost' : 'answered');
        if (deps.signal?.aborted || stop.signal.aborted) {
          summary.notSent++;
          return;
        }
        if (error instanceof NotProductApiError || deps.isFatal?.(error)) {
          summary.notSent++;
          stopWith(error);
          return;
        }
        failRow(row, (error as Error)?.message ?? String(error));
        return;
      }
    }
  };

  type Held = { line: number; ordinal: number; input: ProductInput; unit: Unit };
  let batching = deps.createMany !== undefined;
  const batchItems = deps.batchItems ?? 500;
  const batchBytes = deps.batchBytes ?? 1024 * 1024;
  let batch: Held[] = [];
  let batchSize = 0;

  /** Rows of a batch the API could not take as a batch: each sent on its own, under the same pacer. */
  const sendEach = async (rows: Held[]) => {
    await Promise.all(
      rows.map(async (row) => {
        try {
          await pacer.acquire(stop.signal);
        } catch {
          summary.notSent++;
          return;
        }
        await send(row);
      }),
    );
  };

  /** Sends one batch (its first turn already taken) until every row has an outcome; throttled rows go again. */
  const sendBatch = async (rows: Held[]) => {
    for (let first = true, tableBusy = 0; rows.length > 0; first = false) {
      if (!first) {
        try {
          if (tableBusy > 0) await sleepFor(Math.min(2_000, 100 * 2 ** tableBusy), stop.signal);
          await pacer.acquire(stop.signal);
        } catch {
          summary.notSent += rows.length;
          return;
        }
      }
      let answer: BatchCreateAnswer | undefined;
      try {
        answer = await (deps.createMany as NonNullable<ImportDeps['createMany']>)(rows.map((row) => row.input));
      } catch (error) {
        if (error instanceof ThrottledError) {
          throttledBy(error);
          continue;
        }
        pacer.release(error instanceof ApiError && error.status === undefined ? 'lost' : 'answered');
        if (
          deps.signal?.aborted ||
          stop.signal.aborted ||
          error instanceof NotProductApiError ||
          deps.isFatal?.(error)
        ) {
          summary.notSent += rows.length;
          if (!deps.signal?.aborted) stopWith(error);
          return;
        }
        for (const row of rows) failRow(row, (error as Error)?.message ?? String(error));
        return;
      }
      pacer.release('answered');
      lastAnswer = performance.now();
      if (answer === undefined) {
        // The API has no batch route: this batch and every row after it go one request each.
        batching = false;
        return sendEach(rows);
      }
      const again: Held[] = [];
      for (const result of answer.results) {
        const row = rows[result.index] as Held;
        if (result.outcome === 'throttled') again.push(row);
        else if (result.outcome === 'invalid')
          failRow(row, (result.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; '));
        else succeed(row, result.outcome === 'created' ? 'created' : 'skipped');
      }
      if (again.length > 0) {
        tableBusy++;
        summary.throttled++;
        deps.onThrottled?.();
      } else tableBusy = 0;
      rows = again;
    }
  };

  /** Hands the batch held so far to a request of its own, once there is room for it. */
  const dispatch = async (): Promise<boolean> => {
    closeUnit();
    if (batch.length === 0) return true;
    const rows = batch;
    batch = [];
    batchSize = 0;
    while (inFlight.size >= deps.concurrency) await Promise.race(inFlight);
    if (batching) {
      try {
        await pacer.acquire(stop.signal);
      } catch {
        summary.notSent += rows.length;
        return false;
      }
    }
    const task: Promise<void> = (batching ? sendBatch(rows) : sendEach(rows)).finally(() => inFlight.delete(task));
    inFlight.add(task);
    return true;
  };

  let lastLine = 0;
  const resumeFailed = new Set(deps.resume?.failed ?? []);
  /** A row answered without a request: done by an earlier run, or failed here. */
  const local = (ordinal: number, failure?: ImportFailure) => {
    const unit = unitFor(ordinal, false);
    if (failure) {
      unit.failed.push(ordinal);
      fail(failure);
    }
    if (!batching) closeUnit();
  };
  try {
    for await (const row of rows) {
      if (stop.signal.aborted) break;
      lastLine = row.line;
      const ordinal = ++summary.rows;
      if (deps.resume && ordinal <= deps.resume.rows && !resumeFailed.has(ordinal)) {
        summary.alreadyDone++;
        summary.skipped++;
        deps.onRow?.('skipped');
        local(ordinal);
        continue;
      }
      if (row.error !== undefined) {
        local(ordinal, { line: row.line, reason: row.error });
        continue;
      }
      const checked = rowToInput(row.value);
      if (!checked.ok) {
        const id = idOf(row.value);
        local(ordinal, {
          line: row.line,
          ...(id !== undefined ? { id } : {}),
          reason: checked.errors.map((e) => `${e.field} ${e.message}`).join('; '),
        });
        continue;
      }
      summary.valid++;
      if (checked.value.id === undefined) summary.withoutId++;
      if (deps.dryRun) continue;
      if (batching) {
        batch.push({ line: row.line, ordinal, input: checked.value, unit: unitFor(ordinal, true) });
        batchSize += Buffer.byteLength(JSON.stringify(checked.value)) + 1;
        if ((batch.length >= batchItems || batchSize >= batchBytes) && !(await dispatch())) break;
        continue;
      }
      // A throttled row gives its place back and waits for another: without this bound the loop would take new
      // rows into that place, and the rows held (each listening on `stop`) would grow for as long as the throttle lasts.
      while (inFlight.size >= deps.concurrency) await Promise.race(inFlight);
      try {
        await pacer.acquire(stop.signal);
      } catch {
        summary.notSent++;
        break;
      }
      const held = { line: row.line, ordinal, input: checked.value, unit: unitFor(ordinal, true) };
      closeUnit();
      const task: Promise<void> = send(held).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (!stop.signal.aborted) await dispatch();
    else summary.notSent += batch.length;
  } catch (error) {
    if (!stop.signal.aborted) await dispatch();
    // The file cannot be read further: what was read is still sent, then the import reports where it stopped.
    const { line, reason } = error as { line?: unknown; reason?: unknown };
    summary.stoppedAt = {
      line: typeof line === 'number' ? line : lastLine + 1,
      reason: typeof reason === 'string' ? reason : ((error as Error)?.message ?? String(error)),
    };
    await Promise.all(inFlight);
    deps.signal?.removeEventListener('abort', onAbort);
    finish(summary, started, deps);
    throw new ImportStoppedError(summary, { cause: error });
  }
  await Promise.all(inFlight);
  deps.signal?.removeEventListener('abort', onAbort);
  finish(summary, started, deps);
  if (fatal !== undefined && !summary.interrupted) throw fatal;
  return summary;
}

function finish(summary: ImportSummary, started: number, deps: ImportDeps): void {
  summary.interrupted = Boolean(deps.signal?.aborted);
  summary.failures.sort((a, b) => a.line - b.line);
  summary.durationMs = elapsedMs(started);
}
