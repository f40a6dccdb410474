/** Asking a person before something destructive; without a terminal to ask at, `--yes` is required. */
import { createInterface } from 'node:readline/promises';
import type { Context } from '../context.js';
import { AppError, EXIT, UsageError } from '../errors.js';

/**
 * Asks `question` on stderr and resolves when the answer is yes. Throws a UsageError naming `--yes` when stdin
 * is not a terminal, and an AppError saying nothing changed when the answer is no.
 */
export async function confirmOrCancel(ctx: Context, question: string, whenNoTerminal: string): Promise<void> {
  if (!ctx.stdin.isTTY) throw new UsageError(whenNoTerminal);
  const answer = await ask(ctx, `${question} [y/N] `);
  if (answer === undefined) {
    // Ctrl-C or Ctrl-D: the cursor is still on the prompt's line, so the message starts a line of its own.
    ctx.stderr.write('\n');
    throw new AppError('cancelled; nothing was changed', EXIT.interrupted);
  }
  if (!/^y(es)?$/i.test(answer.trim())) throw new AppError('teardown cancelled; nothing was changed');
}

/** The answer to a question, or undefined when Ctrl-C (or the command's abort) or Ctrl-D (end of input) ends it. */
async function ask(ctx: Context, prompt: string): Promise<string | undefined> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  const gone = new AbortController();
  const cancel = () => gone.abort();
  rl.once('SIGINT', cancel);
  rl.once('close', cancel);
  ctx.signal.addEventListener('abort', cancel, { once: true });
  try {
    return await rl.question(prompt, { signal: gone.signal });
  } catch (error) {
    if (gone.signal.aborted) return undefined;
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
    rl.off('close', cancel);
    rl.close();
  }
}
