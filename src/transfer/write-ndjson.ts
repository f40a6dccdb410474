/** Writing products as NDJSON or CSV, a page at a time, waiting for the destination to drain so memory stays flat. */
import type { Writable } from 'node:stream';

/** Writes each batch as the lines `toText` makes of it, honouring back-pressure; returns how many items were written. */
export async function writeBatches<T>(
  batches: AsyncIterable<readonly T[]>,
  out: Writable,
  toText: (batch: readonly T[]) => string,
  onBatch?: (written: number) => void,
): Promise<number> {
  let written = 0;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    const text = toText(batch);
    written += batch.length;
    if (!out.write(text)) await drained(out);
    onBatch?.(written);
  }
  return written;
}

/** A batch as NDJSON text: one JSON line per item. */
export const ndjsonLines = <T>(batch: readonly T[]): string =>
  batch.map((item) => `${JSON.stringify(item)}\n`).join('');

/** Writes each batch as NDJSON lines, honouring back-pressure; returns how many items were written. */
export function writeNdjson<T>(
  batches: AsyncIterable<readonly T[]>,
  out: Writable,
  onBatch?: (written: number) => void,
): Promise<number> {
  return writeBatches(batches, out, ndjsonLines, onBatch);
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
