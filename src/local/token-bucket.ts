/** The stage throttle: a token bucket holding `burstLimit` tokens and refilled at `rateLimit` per second. */

export interface ThrottleLimits {
  rateLimit: number;
  burstLimit: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    // The bucket starts full, so a burst is served at once.
    this.tokens = limits.burstLimit;
    this.last = now();
  }

  /** Takes one token for a request; false when the bucket is empty and the request is to be refused. */
  take(): boolean {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + elapsedSeconds * this.limits.rateLimit);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
