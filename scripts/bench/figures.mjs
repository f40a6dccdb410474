// What every bench script shares: a row per figure that carries its goal and whether the work behind it
// succeeded, printing, and the exit code. A figure whose requests did not all answer as expected, or that has
// fewer successes than its minimum, is printed as MISS with the reason, never as a result.
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Counts answers: `expect(answer)` returns true, or a short reason ("status 500") that is tallied. */
export function tally() {
  const reasons = new Map();
  return {
    ok: 0,
    failed: 0,
    record(verdict) {
      if (verdict === true) this.ok += 1;
      else {
        this.failed += 1;
        reasons.set(verdict, (reasons.get(verdict) ?? 0) + 1);
      }
    },
    merge(other) {
      this.ok += other.ok;
      this.failed += other.failed;
      for (const [reason, count] of other.reasons()) reasons.set(reason, (reasons.get(reason) ?? 0) + count);
    },
    reasons: () => [...reasons],
    /** null when every answer was as expected and there were at least `min`; else why not. */
    problem(min) {
      if (this.failed > 0)
        return `${this.failed} of ${this.ok + this.failed} unexpected: ${[...reasons].map(([r, n]) => `${n}x ${r}`).join(', ')}`;
      if (this.ok < min) return `only ${this.ok} succeeded, at least ${min} needed`;
      return null;
    },
  };
}

/**
 * A row: `figure` is the text of the value, `goal` what it must meet (a target, or what its measurement
 * asserts), `met` whether it did. `problem` (from tally().problem or a caught error) replaces the value by MISS.
 */
export function row(name, figure, goal, met, problem = null) {
  return problem
    ? { name, value: 'MISS', goal, met: false, problem }
    : { name, value: figure, goal, met: Boolean(met) };
}

/** Prints the rows as a table with goal and verdict; returns true when every row was met. */
export function printRows(title, rows, write = (line) => console.log(line)) {
  const width = Math.max(...rows.map((r) => r.name.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  const goalWidth = Math.max(...rows.map((r) => r.goal.length));
  write(title);
  write(`  ${'figure'.padEnd(width)}  ${'value'.padStart(valueWidth)}  ${'goal'.padEnd(goalWidth)}  verdict`);
  for (const r of rows) {
    write(
      `  ${r.name.padEnd(width)}  ${r.value.padStart(valueWidth)}  ${r.goal.padEnd(goalWidth)}  ${r.met ? 'ok' : 'MISS'}${r.problem ? `  (${r.problem})` : ''}`,
    );
  }
  const missed = rows.filter((r) => !r.met).length;
  if (missed) write(`  ${missed} of ${rows.length} figures MISS`);
  return missed === 0;
}

/** The end of a bench script: its rows as JSON (--json) or as a table, and exit code 1 when any row missed. */
export function finish(title, rows, extra = {}) {
  const ok = process.argv.includes('--json')
    ? (console.log(JSON.stringify({ title, rows, ...extra })), rows.every((r) => r.met))
    : printRows(title, rows);
  if (!ok) process.exitCode = 1;
  return ok;
}

/** The message of a caught error, on one line, for a MISS row. */
export const reason = (error) =>
  String(error?.message ?? error)
    .split('\n')[0]
    .slice(0, 200);
