/**
 * Answers of reads made by setup's name check, kept so that each step's first read of the same resource takes
 * the answer instead of asking AWS again: every resource is read once per setup.
 */
export interface FirstReads {
  /** True during the check: answers are kept. Afterwards each kept answer is handed out once. */
  keeping: boolean;
  answers: Map<string, Promise<unknown>>;
}

/** `read()`, or the answer the check kept under `key` (handed out once); without `reads`, always `read()`. */
export function readOnce<T>(reads: FirstReads | undefined, key: string, read: () => Promise<T>): Promise<T> {
  if (!reads) return read();
  const kept = reads.answers.get(key) as Promise<T> | undefined;
  if (kept) {
    if (!reads.keeping) reads.answers.delete(key);
    return kept;
  }
  const answer = read();
  if (reads.keeping) {
    reads.answers.set(key, answer);
    // A failed read fails the check, which awaits it; the kept copy must not count as unhandled.
    answer.catch(() => undefined);
  }
  return answer;
}
