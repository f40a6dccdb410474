/** `--since` of `logs`: how far back to read, resolved against the clock when the command runs. */
import { readDuration } from '../../cli/parsers.js';
import { UsageError } from '../../errors.js';

/** `--since`: a length of time back from when the command runs, or a moment. */
export type Since = { agoMs: number } | { at: number };

export const DEFAULT_SINCE: Since = { agoMs: 10 * 60_000 };

/** Reads `--since`: `30s`, `10m`, `2h`, `1d` (a unit is needed), or a date such as 2026-01-31T12:00:00Z. */
export function readSince(text: string): Since {
  const agoMs = readDuration(text, null);
  if (agoMs !== undefined) return { agoMs };
  const at = Date.parse(text);
  if (Number.isFinite(at)) return { at };
  throw new UsageError(
    `--since must be a duration such as 30s, 10m, 2h or 1d, or a date such as 2026-01-31T12:00:00Z, not "${text}"`,
  );
}

/** The start time of `since`, in ms since the epoch, when the clock says `now`. */
export function sinceStart(since: Since, now: number): number {
  return 'at' in since ? since.at : now - since.agoMs;
}

/** `--since` text as a start time, when the clock says `now`. */
export function parseSince(text: string, now: number): number {
  return sinceStart(readSince(text), now);
}
