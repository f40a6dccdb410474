/** Writing products as NDJSON, a page at a time, waiting for the destination to drain so memory stays flat. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Writes each batch as NDJSON lines, honouring back-pressure; returns how many items were written. */
export async function writeNdjson<T>(batches: AsyncIterable<readonly T[]>, out: Writable, onBatch?: (written: number) => void): Promise<number> {
  let written = 0;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    let text = '';
    for (const item of batch) text += `${JSON.stringify(item)}\n`;
    written += batch.length;
    if (!out.write(text)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    onBatch?.(written);
  }
  return written;
}
