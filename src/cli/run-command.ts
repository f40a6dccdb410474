/** Runs one command's definition: live events as they come, then the result (JSON or text), then its check. */
import type { Context } from '../context.js';
import { hinted, printResult, streamWriter } from '../output/print.js';
import { printPolicy } from '../output/print-policy.js';
import { styleOf } from '../output/style.js';
import type { CommandDefinition } from './command.js';

const line = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

/** The `emit` a command's run receives: renders each live event to stdout, or drops it. */
async function liveWriter(definition: CommandDefinition, ctx: Context): Promise<(event: unknown) => void> {
  const live = definition.live;
  if (!live) return () => {};
  if (printPolicy(ctx).json)
    return live.json ? (event) => void ctx.stdout.write(`${JSON.stringify(event)}\n`) : () => {};
  const style = await styleOf(ctx);
  // A reader that goes away (| head) must not end a command that has to clean up: it runs on, printing nothing.
  const write = live.outlivesReader ? streamWriter(ctx.stdout) : (text: string) => ctx.stdout.write(text);
  let index = 0;
  return (event) => void write(hinted(ctx, line(live.render(event, style, index++))));
}

/** Runs `definition` with parsed arguments and options, and prints what it returns. */
export async function runCommand(
  definition: CommandDefinition,
  args: string[],
  opts: Record<string, unknown>,
  ctx: Context,
): Promise<void> {
  const emit = await liveWriter(definition, ctx);
  const data = await definition.run(args, opts, { ...ctx, emit });
  if (definition.print) await definition.print(data, ctx, opts);
  else if (definition.render) {
    const render = definition.render;
    await printResult(ctx, data, (value, style) => render(value, style, opts));
  }
  definition.check?.(data);
}
