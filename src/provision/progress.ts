/** Step progress on stderr: a spinner on a terminal, one plain line per step otherwise, nothing with --json. */
import type { Context } from '../context.js';
import type { Clock } from '../aws/clock.js';
import { styleFor } from '../output/print.js';
import type { StepResult } from './context.js';

export interface Progress {
  /** Runs one step, shows it as running, then prints its outcome and duration. */
  step<T extends Pick<StepResult, 'outcome' | 'detail'>>(label: string, run: () => Promise<T>): Promise<T>;
  /** A message between steps ("waiting for IAM…"). */
  note(text: string): void;
  /** Stops the spinner. */
  close(): void;
  /** Every step's label, outcome and duration so far. */
  readonly timings: Array<{ label: string; outcome: string; ms: number; startedAt: number; endedAt: number }>;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Formats a duration the way every step line shows it. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function createProgress(ctx: Context, clock: Clock): Progress {
  const style = styleFor(ctx);
  const quiet = ctx.json;
  const tty = Boolean(ctx.stderr.isTTY) && !quiet;
  const running = new Map<string, number>();
  const timings: Progress['timings'] = [];
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => tty && ctx.stderr.write('\r\x1b[2K');
  const draw = () => {
    if (!tty || running.size === 0) return;
    const labels = [...running.keys()].join(', ');
    ctx.stderr.write(`\r\x1b[2K${style.cyan(FRAMES[frame % FRAMES.length])} ${labels}`.slice(0, ((ctx.stderr as { columns?: number }).columns ?? 100) + 12));
  };
  const line = (text: string) => {
    if (quiet) return;
    clear();
    ctx.stderr.write(`${text}\n`);
    draw();
  };
  const mark = (outcome: string) =>
    ({ created: style.green('+'), updated: style.yellow('~'), removed: style.red('-'), unchanged: style.dim('='), absent: style.dim('='), kept: style.yellow('!') })[outcome] ?? style.dim('·');
  return {
    timings,
    async step(label, run) {
      const started = clock.now();
      running.set(label, started);
      if (tty && !timer) {
        timer = setInterval(() => {
          frame += 1;
          draw();
        }, 100);
        timer.unref();
      }
      draw();
      try {
        const result = await run();
        const ms = clock.now() - started;
        timings.push({ label, outcome: result.outcome, ms, startedAt: started, endedAt: started + ms });
        running.delete(label);
        line(`${mark(result.outcome)} ${label}: ${result.outcome}${result.detail ? ` (${result.detail})` : ''} ${style.dim(formatDuration(ms))}`);
        return result;
      } catch (error) {
        const ms = clock.now() - started;
        timings.push({ label, outcome: 'failed', ms, startedAt: started, endedAt: started + ms });
        running.delete(label);
        line(`${style.red('✗')} ${label}: failed ${style.dim(formatDuration(ms))}`);
        throw error;
      } finally {
        if (running.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
          clear();
        }
      }
    },
    note(text) {
      line(style.dim(text));
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      clear();
    },
  };
}
