/**
 * Importing rows: each checked against the contract, then created with bounded concurrency. A row that fails
 * is recorded with its line and reason and the rest still go in; an id that exists counts as skipped, so an
 * interrupted import is simply run again.
 */
import { SERVER_FIELDS, validateProductInput, type ProductInput, type Validated } from '../contract/index.js';
import type { SourceRow } from './read-rows.js';

export type RowOutcome = 'created' | 'skipped' | 'failed';

export interface ImportFailure {
  line: number;
  id?: string;
  reason: string;
}

export interface ImportSummary {
  /** Rows read from the file, good and bad. */
  rows: number;
  created: number;
  skipped: number;
  failed: number;
  /** Rows without an id: the API chose one, so running the file again would create them again. */
  withoutId: number;
  /** The first failures, in line order (at most `maxFailures`). */
  failures: ImportFailure[];
  /** Failures counted but not kept in `failures`. */
  failuresOmitted: number;
  durationMs: number;
  /** True when Ctrl-C stopped the import before the end of the file. */
  interrupted: boolean;
}

export interface ImportDeps {
  /** Creates one product: 'created', or 'skipped' when its id exists; throws with a readable message otherwise. */
  create(input: ProductInput): Promise<'created' | 'skipped'>;
  /** Requests in flight at once. */
  concurrency: number;
  /** True for an error that every further row would hit too (API unreachable, wrong URL): the import stops. */
  isFatal?(error: unknown): boolean;
  /** Told after each row. */
  onRow?(outcome: RowOutcome, failure?: ImportFailure): void;
  signal?: AbortSignal;
  /** Failures kept for the summary (default 1000); more are only counted. */
  maxFailures?: number;
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

/** Imports the rows; rejects only with a fatal error, after the requests in flight have settled. */
export async function importRows(rows: AsyncIterable<SourceRow>, deps: ImportDeps): Promise<ImportSummary> {
  const started = performance.now();
  const maxFailures = deps.maxFailures ?? 1000;
  const summary: ImportSummary = { rows: 0, created: 0, skipped: 0, failed: 0, withoutId: 0, failures: [], failuresOmitted: 0, durationMs: 0, interrupted: false };
  const inFlight = new Set<Promise<void>>();
  let fatal: unknown;

  const fail = (failure: ImportFailure) => {
    summary.failed++;
    if (summary.failures.length < maxFailures) summary.failures.push(failure);
    else summary.failuresOmitted++;
    deps.onRow?.('failed', failure);
  };

  const send = async (line: number, input: ProductInput) => {
    try {
      const outcome = await deps.create(input);
      summary[outcome]++;
      deps.onRow?.(outcome);
    } catch (error) {
      if (deps.signal?.aborted) return;
      if (deps.isFatal?.(error)) {
        fatal ??= error;
        return;
      }
      fail({ line, ...(input.id !== undefined ? { id: input.id } : {}), reason: (error as Error)?.message ?? String(error) });
    }
  };

  for await (const row of rows) {
    if (fatal !== undefined || deps.signal?.aborted) break;
    summary.rows++;
    if (row.error !== undefined) {
      fail({ line: row.line, reason: row.error });
      continue;
    }
    const checked = rowToInput(row.value);
    if (!checked.ok) {
      const id = idOf(row.value);
      fail({ line: row.line, ...(id !== undefined ? { id } : {}), reason: checked.errors.map((e) => `${e.field} ${e.message}`).join('; ') });
      continue;
    }
    if (checked.value.id === undefined) summary.withoutId++;
    const task: Promise<void> = send(row.line, checked.value).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= deps.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  summary.interrupted = Boolean(deps.signal?.aborted);
  summary.failures.sort((a, b) => a.line - b.line);
  summary.durationMs = performance.now() - started;
  if (fatal !== undefined && !summary.interrupted) throw fatal;
  return summary;
}
