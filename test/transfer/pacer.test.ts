import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/transfer/pacer.js';

describe('Pacer', () => {
  it('halves its window on throttling and grows it back by one per window of answers', async () => {
    let now = 0;
    const pacer = new Pacer({ maxConcurrency: 8, now: () => now });
    for (let index = 0; index < 8; index++) await pacer.acquire();
    expect(pacer.state.inFlight).toBe(8);

    pacer.release('throttled');
    expect(pacer.state.concurrency).toBe(4);
    now += 10;
    pacer.release('throttled'); // within the same round: not cut again
    expect(pacer.state.concurrency).toBe(4);

    for (let index = 0; index < 6; index++) pacer.release('answered');
    expect(pacer.state.concurrency).toBe(5);
  });

  it('after throttling, sends no faster than the rate the API was seen to accept', async () => {
    // Prepare: 100 answers accepted over one second, then a 429.
    let now = 0;
    const pacer = new Pacer({ maxConcurrency: 1, now: () => now });
    for (let index = 0; index < 100; index++) {
      await pacer.acquire();
      now += 10;
      pacer.release('answered');
    }
    await pacer.acquire();
    pacer.release('throttled');

    // Assess: about 100 per second, the rate seen, not half of it.
    expect(pacer.state.rate).toBeGreaterThan(95);
    expect(pacer.state.rate).toBeLessThanOrEqual(110);
  });

  it('keeps --rate as its ceiling: requests are spaced 1/rate apart', async () => {
    const pacer = new Pacer({ maxConcurrency: 4, rate: 20 });
    const started = performance.now();
    for (let index = 0; index < 4; index++) {
      await pacer.acquire();
      pacer.release('answered');
    }
    // Four sends at 20/s: the first at once, the others 50 ms apart.
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('honours Retry-After: nothing is sent before it', async () => {
    const pacer = new Pacer({ maxConcurrency: 2 });
    await pacer.acquire();
    pacer.release('throttled', 120);
    const started = performance.now();
    await pacer.acquire();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('gives up waiting when the signal aborts', async () => {
    const pacer = new Pacer({ maxConcurrency: 1 });
    await pacer.acquire();
    const abort = new AbortController();
    const waiting = pacer.acquire(abort.signal);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});
