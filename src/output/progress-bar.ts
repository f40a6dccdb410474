/** A one-line progress bar on a terminal's stderr, redrawn at most ten times a second; silent when not `enabled`. */
import type { Writable } from 'node:stream';

export interface ProgressState {
  /** Work done so far, in the unit of `total` (bytes of a file, or rows). */
  done: number;
  /** The whole, when known; without it the bar shows a count only. */
  total?: number;
  /** Text after the bar, e.g. counts. */
  detail: string;
}

const WIDTH = 24;

/** `0:42` or `1:02:03`. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const [h, m, sec] = hms as [number, number, number];
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
    : `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * `95 rows/s  ETA 0:12`: the rate since the start, and the time left at that pace when the whole is known
 * (`done` and `total` in bytes); just the rate otherwise, as for stdin.
 */
export function rateAndEta(rows: number, elapsedMs: number, done?: number, total?: number): string {
  if (elapsedMs < 500 || rows === 0) return '';
  const rate = rows / (elapsedMs / 1000);
  const text = `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} rows/s`;
  if (done === undefined || total === undefined || done <= 0 || done >= total) return text;
  return `${text}  ETA ${clock(((total - done) / done) * (elapsedMs / 1000))}`;
}

/** The narrowest bar worth drawing; with less room the percentage stands alone. */
const MIN_WIDTH = 8;

/**
 * The bar's text for a state, `label [########--------]  42%  detail`, within `columns`: the counts come first,
 * so the bar narrows to make room for them, and goes where it cannot fit.
 */
export function renderProgress(label: string, state: ProgressState, columns = Number.POSITIVE_INFINITY): string {
  if (state.total === undefined || state.total <= 0) return `${label}  ${state.detail}`;
  const fraction = Math.min(1, Math.max(0, state.done / state.total));
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const bare = `${label} ${percent}  ${state.detail}`;
  const width = Math.min(WIDTH, columns - 1 - bare.length - 3);
  if (width < MIN_WIDTH) return bare;
  const filled = Math.round(fraction * width);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${state.detail}`;
}

export class ProgressBar {
  private lastDraw = 0;
  private shown = false;

  constructor(
    private readonly out: Writable & { columns?: number },
    private readonly label: string,
    /** As printPolicy's liveProgress says. */
    private readonly enabled: boolean,
  ) {}

  /** Redraws the line unless it was drawn less than 100 ms ago (or `force`). */
  update(state: ProgressState, force = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const columns = this.out.columns ?? 100;
    this.out.write(`\r${renderProgress(this.label, state, columns).slice(0, columns - 1)}\x1b[K`);
    this.shown = true;
  }

  /** Clears the line, so that a message can be written in its place. */
  clear(): void {
    if (!this.enabled || !this.shown) return;
    this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
