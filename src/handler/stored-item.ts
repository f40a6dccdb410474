/**
 * A stored item as the API answers it. Items the API wrote are products as they are; items written by other
 * tools (the tutorial's console test events, a script) may lack `version`, `createdAt`, `updatedAt` and
 * `description`, or hold values of the wrong type. Missing fields get their defaults (a missing version is
 * version 0, so `If-Match: 0` works and the first change makes it 1); wrong types are a problem that names
 * the item and its fields, never an exception from deep inside the handler.
 */
import type { FieldError, Product } from '../contract/index.js';
import { HttpError } from './http-error.js';

export type StoredItem = { ok: true; product: Product } | { ok: false; errors: FieldError[] };

/** Parses one stored item into a product, or the fields that cannot be read. */
export function readStoredItem(item: Record<string, unknown>): StoredItem {
  const errors: FieldError[] = [];
  const string = (field: string, fallback?: string): string => {
    const value = item[field];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string') return value;
    errors.push({ field, message: value === undefined ? 'is missing' : `is ${typeOf(value)}, not a string` });
    return '';
  };
  const id = string('id');
  const title = string('title');
  const description = string('description', '');
  const price = item.price;
  if (typeof price !== 'number' || !Number.isFinite(price)) errors.push({ field: 'price', message: price === undefined ? 'is missing' : `is ${typeOf(price)}, not a number` });
  const version = item.version ?? 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) errors.push({ field: 'version', message: `is ${typeOf(version)}, not a whole number` });
  const product: Product = { id, title, description, price: price as number, version: version as number };
  for (const field of ['createdAt', 'updatedAt'] as const) {
    const value = item[field];
    if (value === undefined) continue;
    if (typeof value === 'string') product[field] = value;
    else errors.push({ field, message: `is ${typeOf(value)}, not a string` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, product };
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
