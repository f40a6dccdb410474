/** Step progress on stderr: a spinner on a terminal, one plain line per step otherwise, nothing with --json or --quiet. */
import type { Clock } from '../aws/clock.js';
import type { Context } from '../context.js';
import { trackProgress, type Progress, type ProgressContext, type ProgressView } from '../provision/progress.js';
import { formatDuration } from './format.js';
import { styleFor } from './chalk-style.js';
import { printPolicy } from './print-policy.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The view that draws provisioning steps on the context's stderr. */
export function terminalProgressView(ctx: Context): ProgressView {
  const style = styleFor(ctx);
  const { progress, liveProgress: live } = printPolicy(ctx);
  let labels: string[] = [];
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => live && ctx.stderr.write('\r\x1b[2K');
  const draw = () => {
    if (!live || labels.length === 0) return;
    ctx.stderr.write(
      `\r\x1b[2K${style.cyan(FRAMES[frame % FRAMES.length] as string)} ${labels.join(', ')}`.slice(
        0,
        ((ctx.stderr as { columns?: number }).columns ?? 100) + 12,
      ),
    );
  };
  const line = (text: string) => {
    if (!progress) return;
    clear();
    ctx.stderr.write(`${text}\n`);
    draw();
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    clear();
  };
  const mark = (outcome: string) =>
    ({
      created: style.green('+'),
      updated: style.yellow('~'),
      removed: style.red('-'),
      unchanged: style.dim('='),
      absent: style.dim('='),
      kept: style.yellow('!'),
    })[outcome] ?? style.dim('·');
  return {
    started(_label, running) {
      labels = running;
      if (live && !timer) {
        timer = setInterval(() => {
          frame += 1;
          draw();
        }, 100);
        timer.unref();
      }
      draw();
    },
    ended(step, running) {
      labels = running;
      const took = style.dim(formatDuration(step.ms));
      if (!step.unreported)
        line(
          step.outcome === 'failed'
            ? `${style.red('✗')} ${step.label}: failed ${took}`
            : `${mark(step.outcome)} ${step.label}: ${step.outcome}${step.detail ? ` (${step.detail})` : ''} ${took}`,
        );
      if (running.length === 0 && timer) stop();
    },
    note(text) {
      line(style.dim(text));
    },
    close: stop,
  };
}

/** The context with the terminal view of progress, for the commands that provision. */
export function withTerminalProgress(ctx: Context): ProgressContext {
  return { ...ctx, progressView: terminalProgressView(ctx) };
}

/** A Progress drawn on the terminal. */
export function createProgress(ctx: Context, clock: Clock): Progress {
  return trackProgress(withTerminalProgress(ctx), clock);
}
