/** Asking a person before something destructive; without a terminal to ask at, `--yes` is required. */
import { createInterface } from 'node:readline/promises';
import type { Context } from '../context.js';
import { AppError, UsageError } from '../errors.js';

/**
 * Asks `question` on stderr and resolves when the answer is yes. Throws a UsageError naming `--yes` when stdin
 * is not a terminal, and an AppError saying nothing changed when the answer is no.
 */
export async function confirmOrCancel(ctx: Context, question: string, whenNoTerminal: string): Promise<void> {
  if (!ctx.stdin.isTTY) throw new UsageError(whenNoTerminal);
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  let answer: string;
  try {
    answer = await rl.question(`${question} [y/N] `);
  } finally {
    rl.close();
  }
  if (!/^y(es)?$/i.test(answer.trim())) throw new AppError('teardown cancelled; nothing was changed');
}
