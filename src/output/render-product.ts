/** How one product, and a deletion, look to people: a key/value view. */
import { FIELD_NAMES, PRODUCT_FIELDS, type FieldName, type Product } from '../contract/index.js';
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

type Item = Record<string, unknown>;
type View = [label: string, show: (item: Item, style: Style) => string];

/** How get shows the fields that need more than their value, in this order; other fields follow as they are. */
const VIEWS: Partial<Record<FieldName, View>> = {
  id: ['id', (item, style) => style.bold(textField(item.id))],
  title: ['title', (item) => textField(item.title)],
  description: [
    'description',
    (item, style) => (item.description === '' ? style.dim('(none)') : textField(item.description)),
  ],
  price: ['price', (item) => numberField(item.price, formatPrice)],
  version: ['version', (item) => numberField(item.version)],
  createdAt: [
    'created',
    (item, style) =>
      item.createdAt === undefined ? style.dim('(unknown: not made through the API)') : textField(item.createdAt),
  ],
  updatedAt: [
    'updated',
    (item, style) =>
      item.updatedAt === undefined ? style.dim('(never changed through the API)') : textField(item.updatedAt),
  ],
};

/** A field without a view of its own: its value, or `(none)`. */
function plainView(field: FieldName): View {
  const show = PRODUCT_FIELDS[field].schema.type === 'string' ? textField : (value: unknown) => numberField(value);
  return [field, (item, style) => (item[field] === undefined ? style.dim('(none)') : show(item[field]))];
}

/** A product as aligned `key  value` lines; a field that breaks the contract is shown as it is, marked invalid. */
export function renderProduct(product: Product, style: Style): string {
  const item = product as unknown as Item;
  const fields = [...(Object.keys(VIEWS) as FieldName[]), ...FIELD_NAMES.filter((field) => !(field in VIEWS))];
  const rows = fields.map((field) => {
    const [label, show] = VIEWS[field] ?? plainView(field);
    return [label, show(item, style)] as const;
  });
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${style.dim(key.padEnd(width))}  ${value}`).join('\n');
}

/** The line that confirms a deletion. */
/** What a write did, then the product as it now is: `created product 1`, or `updated product 1 (version 2)`. */
export function renderWritten(verb: 'created' | 'updated'): (product: Product, style: Style) => string {
  return (product, style) => {
    const version = verb === 'updated' ? ` (version ${product.version})` : '';
    return `${style.green(verb)} product ${style.bold(escapeControl(product.id))}${version}\n${renderProduct(product, style)}`;
  };
}

export function renderDeleted(result: { id: string }, style: Style): string {
  return `deleted product ${style.bold(escapeControl(result.id))}`;
}
