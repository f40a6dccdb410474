/** When each step of an AWS command started and ended, for its --json result (setup and teardown). */

/** One step, its times in ms from the start of the command. */
export interface TimelineEntry {
  step: string;
  outcome: string;
  startMs: number;
  endMs: number;
}

/** The progress timings relative to `started`. */
export function timelineOf(
  timings: Array<{ label: string; outcome: string; startedAt: number; endedAt: number }>,
  started: number,
): TimelineEntry[] {
  return timings.map((t) => ({
    step: t.label,
    outcome: t.outcome,
    startMs: t.startedAt - started,
    endMs: t.endedAt - started,
  }));
}
