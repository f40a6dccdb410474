import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/local/token-bucket.js';

describe('TokenBucket', () => {
  it('serves a full burst at once, then refuses until tokens refill at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ rateLimit: 10, burstLimit: 3 }, () => now);

    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 99; // 0.99 of a token
    expect(bucket.take()).toBe(false);
    now += 2;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than the burst', () => {
    let now = 0;
    const bucket = new TokenBucket({ rateLimit: 100, burstLimit: 2 }, () => now);
    now += 60_000;

    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
