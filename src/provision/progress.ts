/**
 * How provisioning reports its steps: through a Progress that times each step and tells a view, which the
 * caller puts on the context (the CLI's terminal view is in output/progress.ts). Without one, nothing is shown.
 */
import type { Clock } from '../aws/clock.js';
import type { Context } from '../context.js';
import type { StepResult } from './context.js';

export interface Progress {
  /** Runs one step, shows it as running, then reports its outcome and duration. */
  step<T extends Pick<StepResult, 'outcome' | 'detail' | 'unreported'>>(
    label: string,
    run: () => Promise<T>,
  ): Promise<T>;
  /** A message between steps ("waiting for IAM…"). */
  note(text: string): void;
  /** Stops showing the steps in progress. */
  close(): void;
  /** Every step's label, outcome and duration so far. */
  readonly timings: Array<{ label: string; outcome: string; ms: number; startedAt: number; endedAt: number }>;
}

/** A step that ended: its outcome (`failed` when it threw), and how long it took. */
export interface StepEnded {
  label: string;
  outcome: string;
  detail?: string;
  ms: number;
  /** The step had nothing to do with anything asked for: a view shows no line for it. */
  unreported?: boolean;
}

/** What a view of the progress is told; it decides how, and whether, to show it. */
export interface ProgressView {
  /** A step started; `running` lists every step in progress now. */
  started(label: string, running: string[]): void;
  /** A step ended; `running` lists the steps still in progress. */
  ended(step: StepEnded, running: string[]): void;
  note(text: string): void;
  close(): void;
}

/** A context that may carry the view its caller wants the steps shown in. */
export interface ProgressContext extends Context {
  progressView?: ProgressView;
}

const silentView: ProgressView = { started() {}, ended() {}, note() {}, close() {} };

/** A Progress that times the steps and reports them to the context's view. */
export function trackProgress(ctx: ProgressContext, clock: Clock): Progress {
  const view = ctx.progressView ?? silentView;
  const running = new Set<string>();
  const timings: Progress['timings'] = [];
  const end = (label: string, started: number, outcome: string, result?: Pick<StepResult, 'detail' | 'unreported'>) => {
    const ms = clock.now() - started;
    timings.push({ label, outcome, ms, startedAt: started, endedAt: started + ms });
    running.delete(label);
    view.ended(
      {
        label,
        outcome,
        ...(result?.detail ? { detail: result.detail } : {}),
        ms,
        ...(result?.unreported ? { unreported: true } : {}),
      },
      [...running],
    );
  };
  return {
    timings,
    async step(label, run) {
      const started = clock.now();
      running.add(label);
      view.started(label, [...running]);
      try {
        const result = await run();
        end(label, started, result.outcome, result);
        return result;
      } catch (error) {
        end(label, started, 'failed');
        throw error;
      }
    },
    note: (text) => view.note(text),
    close: () => view.close(),
  };
}
