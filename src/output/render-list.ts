/** How a list of products looks: NDJSON for scripts, a table for people, written as each page arrives. */
import type { Product } from '../contract/index.js';
import type { Context } from '../context.js';
import type { ProductPage } from '../http/api-client.js';
import { textField, numberField } from './untrusted.js';
import { formatPrice } from './render-product.js';
import { streamWriter } from './print.js';
import { printPolicy } from './print-policy.js';
import { styleOf, type Style } from './style.js';
import { displayWidth, padToWidth, truncateToWidth } from './width.js';
import { count } from './format.js';

const TITLE_MAX = 40;

interface Column {
  header: string;
  cell: (product: Product) => string;
  align: 'left' | 'right';
  /** Cells longer than this are cut with an ellipsis; ids are never cut, so that they can be copied. */
  max?: number;
}

// Cells come escaped (a newline shows as \n), and a field that breaks the contract shows as it is, marked.
const field = (p: Product, name: string) => (p as unknown as Record<string, unknown>)[name];
const COLUMNS: Column[] = [
  { header: 'ID', cell: (p) => textField(field(p, 'id')), align: 'left' },
  { header: 'TITLE', cell: (p) => textField(field(p, 'title')), align: 'left', max: TITLE_MAX },
  { header: 'PRICE', cell: (p) => numberField(field(p, 'price'), formatPrice), align: 'right' },
  { header: 'VERSION', cell: (p) => numberField(field(p, 'version')), align: 'right' },
  {
    header: 'UPDATED',
    cell: (p) => (field(p, 'updatedAt') === undefined ? '-' : textField(field(p, 'updatedAt'))),
    align: 'left',
  },
];

/** A cell on one line, cut to `max` columns. */
function cut(text: string, max: number | undefined): string {
  return max !== undefined ? truncateToWidth(text, max) : text;
}

/** A table whose column widths are set by the first page, so that rows can be printed as pages arrive. */
export class ProductTable {
  private widths: number[] | undefined;

  constructor(private readonly style: Style) {}

  /** The lines for one page: the header before the first rows. */
  page(items: Product[]): string {
    if (items.length === 0) return '';
    const cells = items.map((product) => COLUMNS.map((column) => cut(column.cell(product), column.max)));
    let header = '';
    if (!this.widths) {
      this.widths = COLUMNS.map((column, index) =>
        Math.max(column.header.length, ...cells.map((row) => displayWidth(row[index] as string))),
      );
      header = `${this.style.bold(this.line(COLUMNS.map((column) => column.header)))}\n`;
    }
    return header + cells.map((row) => this.line(row)).join('\n') + '\n';
  }

  private line(cells: string[]): string {
    return cells
      .map((cell, index) => {
        const column = COLUMNS[index] as Column;
        const last = index === cells.length - 1;
        return last && column.align === 'left' ? cell : padToWidth(cell, this.widths?.[index] ?? 0, column.align);
      })
      .join('  ');
  }
}

/** Writes each page as it arrives; ends with a count on stderr for people. Returns how many were written. */
export async function printProductPages(
  ctx: Context,
  pages: AsyncIterable<ProductPage>,
  stoppedEarly = 'stopped at --limit; more may remain',
): Promise<number> {
  const style = await styleOf(ctx);
  const policy = printPolicy(ctx);
  const table = new ProductTable(style);
  const write = streamWriter(ctx.stdout);
  let written = 0;
  let more = false;
  for await (const page of pages) {
    const text = policy.json
      ? page.items.map((product) => `${JSON.stringify(product)}\n`).join('')
      : table.page(page.items);
    if (!(await write(text))) return written;
    written += page.items.length;
    more = page.nextCursor !== null;
  }
  if (policy.progress) {
    ctx.stderr.write(
      style.dim(written === 0 ? 'no products\n' : `${count(written, 'product')}${more ? ` (${stoppedEarly})` : ''}\n`),
    );
  }
  return written;
}
