/** Products as CSV lines with the header `import` reads: RFC 4180 quoting, so any title survives the round trip. */
import { FIELD_NAMES, type Product } from '../contract/index.js';

/** The columns: the product's fields in the contract's order; import drops those the server sets. */
export const CSV_COLUMNS = FIELD_NAMES;

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
