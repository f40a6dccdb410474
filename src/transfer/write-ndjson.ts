/** Writing products as NDJSON, a page at a time, waiting for the destination to drain so memory stays flat. */
import type { Writable } from 'node:stream';

/** Writes each batch as NDJSON lines, honouring back-pressure; returns how many items were written. */
export async function writeNdjson<T>(batches: AsyncIterable<readonly T[]>, out: Writable, onBatch?: (written: number) => void): Promise<number> {
  let written = 0;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    let text = '';
    for (const item of batch) text += `${JSON.stringify(item)}\n`;
    written += batch.length;
    if (!out.write(text)) await drained(out);
    onBatch?.(written);
  }
  return written;
}

/** Resolves when the stream drains or closes, removing both listeners either way. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
