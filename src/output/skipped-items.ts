/**
 * Stored items that do not read as products, as list pages name them: one line each on stderr as the page
 * arrives, and at the end an error with its own exit code, once every readable product was written.
 */
import type { SkippedItem } from '../contract/index.js';
import { AppError, EXIT } from '../errors.js';
import { escapeControl } from './escape.js';

export class SkippedItems {
  count = 0;

  constructor(private readonly stderr: NodeJS.WritableStream) {}

  /** Tells each item of a page that was skipped: `skipped product ID: price is a string, not a number`. */
  note(items: readonly SkippedItem[] | undefined): void {
    for (const item of items ?? []) {
      this.count++;
      const why = item.errors.map((e) => `${e.field} ${e.message}`).join('; ');
      this.stderr.write(`skipped product ${escapeControl(item.id)}: ${escapeControl(why)}\n`);
    }
  }

  /** Throws, with exit 7, when any item was skipped. */
  check(done: string): void {
    if (this.count === 0) return;
    const one = this.count === 1;
    const what = one
      ? '1 stored item does not read as a product and was'
      : `${this.count} stored items do not read as products and were`;
    throw new AppError(
      `${done}; ${what} skipped (listed above): correct or delete ${one ? 'it' : 'them'} in the table`,
      EXIT.unreadable,
    );
  }
}
