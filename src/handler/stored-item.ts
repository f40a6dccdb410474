/**
 * A stored item as the API answers it. Items the API wrote are products as they are; items written by other
 * tools (the tutorial's console test events, a script) may lack `version`, `createdAt`, `updatedAt` and
 * `description`, or hold values of the wrong type. Missing fields get their defaults (a missing version is
 * version 0, so `If-Match: 0` works and the first change makes it 1); wrong types are a problem that names
 * the item and its fields, never an exception from deep inside the handler.
 */
import { FIELD_NAMES, PRODUCT_FIELDS, type FieldError, type FieldSpec, type Product } from '../contract/index.js';
import { HttpError } from './http-error.js';

export type StoredItem = { ok: true; product: Product } | { ok: false; errors: FieldError[] };

/** What a stored value of the field's type must be, as the error says when it is not. */
const TYPE_RULES: Record<FieldSpec['schema']['type'], [test: (value: unknown) => boolean, noun: string]> = {
  string: [(value) => typeof value === 'string', 'a string'],
  number: [(value) => typeof value === 'number' && Number.isFinite(value), 'a number'],
  integer: [(value) => typeof value === 'number' && Number.isInteger(value) && value >= 0, 'a whole number'],
};

/** Parses one stored item into a product, or the fields that cannot be read. */
export function readStoredItem(item: Record<string, unknown>): StoredItem {
  const errors: FieldError[] = [];
  const product: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) {
    const spec: FieldSpec = PRODUCT_FIELDS[field];
    // A DynamoDB NULL counts as missing where the field has a value for missing.
    const value =
      item[field] === undefined || (item[field] === null && spec.missingAs !== undefined)
        ? spec.missingAs
        : item[field];
    if (value === undefined) {
      if (spec.alwaysStored) errors.push({ field, message: 'is missing' });
      continue;
    }
    const [test, noun] = TYPE_RULES[spec.schema.type];
    if (test(value)) product[field] = value;
    else errors.push({ field, message: `is ${typeOf(value)}, not ${noun}` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, product: product as unknown as Product };
}

/** The product a stored item holds; a 500 problem naming the item and its unreadable fields otherwise. */
export function toProduct(item: Record<string, unknown>): Product {
  const read = readStoredItem(item);
  if (read.ok) return read.product;
  const id = typeof item.id === 'string' ? item.id : JSON.stringify(item.id);
  throw new HttpError(
    'internal',
    `the stored product ${id} cannot be read (${read.errors.map((e) => `${e.field} ${e.message}`).join('; ')}); it was written by another tool: correct or delete that item in the table`,
    { errors: read.errors },
  );
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Set) return 'a set';
  if (value instanceof Uint8Array) return 'binary';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}
