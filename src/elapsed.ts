/** Milliseconds since `started` (a performance.now() reading) to 0.1 ms, as reports give them: finer digits are noise. */
export function elapsedMs(started: number, now: number = performance.now()): number {
  return Math.round((now - started) * 10) / 10;
}
