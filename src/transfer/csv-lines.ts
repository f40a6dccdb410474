/** Products as CSV lines with the header `import` reads: RFC 4180 quoting, so any title survives the round trip. */
import type { Product } from '../contract/index.js';

/** The columns, in order; import drops the last three, which the server sets. */
export const CSV_COLUMNS = ['id', 'title', 'description', 'price', 'createdAt', 'updatedAt', 'version'] as const;

/** One cell: quoted when it holds a comma, a quote, a line break or leading/trailing space. */
export function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

/** The CSV lines of a batch of products. */
export function csvLines(batch: readonly Product[]): string {
  return batch.map((product) => `${CSV_COLUMNS.map((column) => csvCell(product[column])).join(',')}\n`).join('');
}
