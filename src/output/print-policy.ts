/**
 * What a run prints, decided here alone from its context: results as JSON with --json, for people otherwise;
 * progress for people unless --json or --quiet, redrawn in place only when stderr is a terminal; notices that
 * qualify a result (a retry that recovered, a row that failed) unless --json, as --quiet keeps them.
 */
import type { Context } from '../context.js';

export interface PrintPolicy {
  /** Results as JSON on stdout and errors as JSON on stderr, for scripts. */
  json: boolean;
  /** Results, and what a command shows as it runs (the request log of `local`), rendered for people. */
  human: boolean;
  /** Progress on stderr: step lines, "starting…" notes, counts after a list. */
  progress: boolean;
  /** Progress meant for someone watching a terminal: a spinner, a bar redrawn in place, "waiting for…". */
  liveProgress: boolean;
  /** Warnings and notices on stderr that qualify the result or say what the command waits for (stdin). */
  notices: boolean;
}

/** The policy of the run whose context this is. */
export function printPolicy(ctx: Pick<Context, 'json' | 'quiet' | 'stderr'>): PrintPolicy {
  const human = !ctx.json;
  const progress = human && !ctx.quiet;
  return { json: ctx.json, human, progress, liveProgress: progress && Boolean(ctx.stderr.isTTY), notices: human };
}
