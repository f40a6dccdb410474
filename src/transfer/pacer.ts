/**
 * Pacing for many requests against a throttled API (a stage throttle is a token bucket: a burst, then a steady
 * rate). Two limits, both adaptive: the requests in flight (a window that halves on throttling and grows back
 * by one per window of answers, AIMD), and the rate of sending, which on throttling drops to the rate the API
 * was seen to accept over the last second and then creeps back up. A throttled request costs the API nothing
 * (API Gateway refuses it before the function runs), so running slightly above the limit loses no throughput,
 * while running below it does: the rate is never cut below what the API accepts, nor by half.
 */
import { sleep } from '../http/retry.js';

export interface PacerOptions {
  /** Most requests in flight at once; the window starts here. */
  maxConcurrency: number;
  /** A ceiling in requests per second (`--rate`); none when omitted. */
  rate?: number;
  now?: () => number;
}

/** How long every request may be throttled before a paced job gives up: the API is not going to let it through. */
export const THROTTLE_STALL_MS = 120_000;

/** Accepted answers counted over this window to measure the rate the API accepts. */
const MEASURE_MS = 1_000;
/** At most one cut per this long, so that the answers of requests sent before a cut do not cut again. */
const CUT_EVERY_MS = 250;
/** Requests per second added per accepted answer: at 100 answers/s the rate grows 10 req/s a second. */
const RATE_STEP = 0.1;
const MIN_RATE = 1;
/** Accepted answers needed in the measuring window before the accepted rate is believed. */
const MIN_SAMPLE = 20;
const MAX_BLIND_PAUSE_MS = 2_000;

export class Pacer {
  private window: number;
  private inFlight = 0;
  private rate: number;
  private readonly maxRate: number;
  private nextAt = 0;
  private pausedUntil = 0;
  private lastCut = Number.NEGATIVE_INFINITY;
  private startedAt: number | undefined;
  private blindCuts = 0;
  private readonly accepted: number[] = [];
  private readonly waiting = new Set<() => void>();
  private readonly now: () => number;

  constructor(private readonly options: PacerOptions) {
    this.window = options.maxConcurrency;
    this.maxRate = options.rate ?? Number.POSITIVE_INFINITY;
    this.rate = this.maxRate;
    this.now = options.now ?? (() => performance.now());
  }

  /** The current limits, for progress lines and tests. */
  get state(): { concurrency: number; rate: number; inFlight: number } {
    return { concurrency: Math.floor(this.window), rate: this.rate, inFlight: this.inFlight };
  }

  /** Waits for a free place in the window and for the request's turn under the rate; rejects when `signal` aborts. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (this.inFlight >= Math.floor(this.window)) {
        await this.slotFreed(signal);
        continue;
      }
      const now = this.now();
      const at = Math.max(this.nextAt, this.pausedUntil);
      if (at > now) {
        await sleep(at - now, signal);
        continue;
      }
      this.inFlight++;
      this.startedAt ??= now;
      this.nextAt = Math.max(now, this.nextAt) + (Number.isFinite(this.rate) ? 1000 / this.rate : 0);
      return;
    }
  }

  /** Ends a request: `throttled` when the API refused it for the rate (429), with the wait it asked for. */
  release(outcome: 'answered' | 'throttled' | 'lost', retryAfterMs?: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const now = this.now();
    if (outcome === 'answered') {
      this.accepted.push(now);
      this.blindCuts = 0;
      this.window = Math.min(this.options.maxConcurrency, this.window + 1 / Math.floor(this.window));
      if (this.rate < this.maxRate) this.rate = Math.min(this.maxRate, this.rate + RATE_STEP);
    } else if (outcome === 'throttled') {
      if (retryAfterMs !== undefined && retryAfterMs > 0)
        this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
      if (now - this.lastCut >= CUT_EVERY_MS) {
        this.lastCut = now;
        this.window = Math.max(1, Math.floor(this.window / 2));
        const accepted = this.acceptedRate(now);
        if (accepted === undefined) {
          // Too few answers to tell the API's rate (its bucket was empty at the start): back off and look again.
          this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(MAX_BLIND_PAUSE_MS, 50 * 2 ** this.blindCuts++));
        } else {
          // Never below half the current rate in one cut.
          const floor = Number.isFinite(this.rate) ? this.rate / 2 : 0;
          this.rate = Math.max(MIN_RATE, Math.min(this.rate, Math.max(accepted, floor)));
        }
      }
    }
    for (const wake of this.waiting) wake();
    this.waiting.clear();
  }

  /**
   * Accepted answers per second over the last second (or since the first request, when more recent); undefined
   * with fewer than MIN_SAMPLE answers in that time, which say too little.
   */
  private acceptedRate(now: number): number | undefined {
    while (this.accepted.length > 0 && (this.accepted[0] as number) < now - MEASURE_MS) this.accepted.shift();
    const span = Math.min(MEASURE_MS, now - (this.startedAt ?? now));
    if (this.accepted.length < MIN_SAMPLE || span <= 0) return undefined;
    return (this.accepted.length * 1000) / span;
  }

  private slotFreed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', wake);
        this.waiting.delete(wake);
        resolve();
      };
      this.waiting.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}
