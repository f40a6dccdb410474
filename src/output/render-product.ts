/** How one product, and a deletion, look to people: a key/value view. */
import type { Product } from '../contract/index.js';
import { escapeControl } from './escape.js';
import type { Style } from './style.js';
import { numberField, textField } from './untrusted.js';

/**
 * A price as people read it: two decimals, thousands grouped. Done by hand: the first toLocaleString() call
 * loads ICU's locale data, about 10 ms of a `get` that should cost little more than its request.
 */
export function formatPrice(price: number): string {
  const [whole = '0', cents = '00'] = Math.abs(price).toFixed(2).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${price < 0 ? '-' : ''}${grouped}.${cents}`;
}

/** A product as aligned `key  value` lines; a field that breaks the contract is shown as it is, marked invalid. */
export function renderProduct(product: Product, style: Style): string {
  const item = product as unknown as Record<string, unknown>;
  const rows: [string, string][] = [
    ['id', style.bold(textField(item.id))],
    ['title', textField(item.title)],
    ['description', item.description === '' ? style.dim('(none)') : textField(item.description)],
    ['price', numberField(item.price, formatPrice)],
    ['version', numberField(item.version)],
    ['created', item.createdAt === undefined ? style.dim('(unknown: not made through the API)') : textField(item.createdAt)],
    ['updated', item.updatedAt === undefined ? style.dim('(never changed through the API)') : textField(item.updatedAt)],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${style.dim(key.padEnd(width))}  ${value}`).join('\n');
}

/** The line that confirms a deletion. */
export function renderDeleted(result: { id: string }, style: Style): string {
  return `deleted product ${style.bold(escapeControl(result.id))}`;
}
