/**
 * A virtual clock: `sleep` registers a timer, and time jumps to the next timer once every task is waiting on
 * one (checked after the pending callbacks have run). Seconds of modelled AWS latency pass in milliseconds.
 */
import type { Clock } from '../../../src/aws/clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];
  private pumping = false;
  private busy = 0;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pump();
    });
  }

  /** Keeps time still while `work` (real I/O, such as a state file write) is under way. */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.busy += 1;
    try {
      return await work();
    } finally {
      this.busy -= 1;
      if (this.busy === 0) this.pump();
    }
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    // Two turns of the event loop: every task that can run without time passing has run.
    setImmediate(() => setImmediate(() => this.advance()));
  }

  private advance(): void {
    this.pumping = false;
    if (this.timers.length === 0 || this.busy > 0) return;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.timers[0] as Timer;
    this.time = Math.max(this.time, next.at);
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const timer of due) timer.resolve();
    if (this.timers.length > 0) this.pump();
  }
}
