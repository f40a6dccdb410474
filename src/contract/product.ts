/** The product: its fields, their rules, and the validation shared by the handler, the local stack and the CLI. */

export interface Product {
  id: string;
  title: string;
  description: string;
  price: number;
  /** Absent on items written by other tools (such as the tutorial's console test events). */
  createdAt?: string;
  /** Absent on items written by other tools until the API first changes them. */
  updatedAt?: string;
  version: number;
}

/** What a client may send to create a product. */
export interface ProductInput {
  id?: string;
  title: string;
  description?: string;
  price: number;
}

/** What a client may send to change a product. */
export type ProductPatch = Partial<Pick<Product, 'title' | 'description' | 'price'>>;

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const ID_PATTERN = '^[A-Za-z0-9_.:-]{1,128}$';
export const ID_MAX_LENGTH = 128;
export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 4000;
export const PRICE_MAX = 1_000_000_000;

const idRegex = new RegExp(ID_PATTERN);

/**
 * JSON Schemas of the product's fields: the single description from which validation messages and the
 * OpenAPI document are both derived.
 */
export const productFieldSchemas = {
  id: {
    type: 'string',
    pattern: ID_PATTERN,
    minLength: 1,
    maxLength: ID_MAX_LENGTH,
    description: 'Unique id: 1-128 characters of A-Z a-z 0-9 _ - . :',
  },
  title: {
    type: 'string',
    minLength: 1,
    maxLength: TITLE_MAX_LENGTH,
    description: 'Title: 1-200 characters after trimming; stored trimmed.',
  },
  description: {
    type: 'string',
    maxLength: DESCRIPTION_MAX_LENGTH,
    default: '',
    description: 'Free text, up to 4000 characters.',
  },
  price: {
    type: 'number',
    minimum: 0,
    maximum: PRICE_MAX,
    multipleOf: 0.01,
    description: 'Price: 0 to 1,000,000,000 with at most 2 decimal places.',
  },
  createdAt: { type: 'string', format: 'date-time', readOnly: true, description: 'Set by the server on create.' },
  updatedAt: { type: 'string', format: 'date-time', readOnly: true, description: 'Set by the server on every change.' },
  version: {
    type: 'integer',
    minimum: 0,
    readOnly: true,
    description: 'Starts at 1 and grows by 1 on every change; send it in If-Match for a conditional write. 0 for an item written by another tool and never changed through the API.',
  },
} as const;

export const SERVER_FIELDS = ['createdAt', 'updatedAt', 'version'] as const;
export const CREATE_FIELDS = ['id', 'title', 'description', 'price'] as const;
export const PATCH_FIELDS = ['title', 'description', 'price'] as const;

/** Counts characters as JSON Schema does: by code point, not UTF-16 unit. */
function charCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** Checks an id; returns the rule it breaks, or undefined. */
export function checkId(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (!idRegex.test(value)) return 'must be 1-128 characters of A-Z a-z 0-9 _ - . :';
  return undefined;
}

// DynamoDB stores strings as UTF-8, which cannot hold a lone UTF-16 surrogate; JSON can (as \\ud800).
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkTitle(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (loneSurrogate.test(value)) return 'must be valid Unicode text';
  const length = charCount(value.trim());
  if (length < 1) return 'must not be empty';
  if (length > TITLE_MAX_LENGTH) return `must be at most ${TITLE_MAX_LENGTH} characters`;
  return undefined;
}

function checkDescription(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (loneSurrogate.test(value)) return 'must be valid Unicode text';
  if (charCount(value) > DESCRIPTION_MAX_LENGTH) return `must be at most ${DESCRIPTION_MAX_LENGTH} characters`;
  return undefined;
}

function checkPrice(value: unknown): string | undefined {
  if (typeof value !== 'number') return 'must be a number';
  if (!Number.isFinite(value)) return 'must be a finite number';
  if (value < 0 || value > PRICE_MAX) return 'must be between 0 and 1000000000';
  // Binary floats cannot hold 0.01 exactly; a price has at most 2 decimals when rounding to 2 changes nothing.
  if (Number(value.toFixed(2)) !== value) return 'must have at most 2 decimal places';
  return undefined;
}

const fieldChecks: Record<string, (value: unknown) => string | undefined> = {
  id: checkId,
  title: checkTitle,
  description: checkDescription,
  price: checkPrice,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFields(
  body: Record<string, unknown>,
  allowed: readonly string[],
  required: readonly string[],
): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of Object.keys(body)) {
    if ((SERVER_FIELDS as readonly string[]).includes(field)) {
      errors.push({ field, message: 'is set by the server and cannot be sent' });
    } else if (!allowed.includes(field)) {
      errors.push({ field, message: `is not a known field (allowed: ${allowed.join(', ')})` });
    }
  }
  for (const field of required) {
    if (!(field in body) || body[field] === undefined) errors.push({ field, message: 'is required' });
  }
  for (const field of allowed) {
    if (!(field in body) || body[field] === undefined) continue;
    const message = fieldChecks[field]?.(body[field]);
    if (message) errors.push({ field, message });
  }
  return errors;
}

/** Validates a create body; on success the title is trimmed and the description defaulted. */
export function validateProductInput(body: unknown): Validated<ProductInput> {
  if (!isPlainObject(body)) return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  const errors = checkFields(body, CREATE_FIELDS, ['title', 'price']);
  if (errors.length > 0) return { ok: false, errors };
  const value: ProductInput = {
    title: (body.title as string).trim(),
    description: (body.description as string | undefined) ?? '',
    price: body.price as number,
  };
  if (body.id !== undefined) value.id = body.id as string;
  return { ok: true, value };
}

/** Validates a patch body: at least one of title, description, price; nothing else. */
export function validateProductPatch(body: unknown): Validated<ProductPatch> {
  if (!isPlainObject(body)) return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  if ('id' in body) errors.push({ field: 'id', message: 'cannot be changed' });
  const rest = Object.fromEntries(Object.entries(body).filter(([field]) => field !== 'id'));
  errors.push(...checkFields(rest, PATCH_FIELDS, []));
  if (errors.length === 0 && !PATCH_FIELDS.some((field) => body[field] !== undefined)) {
    errors.push({ field: '(body)', message: `must change at least one of ${PATCH_FIELDS.join(', ')}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  const value: ProductPatch = {};
  if (typeof body.title === 'string') value.title = body.title.trim();
  if (typeof body.description === 'string') value.description = body.description;
  if (typeof body.price === 'number') value.price = body.price;
  return { ok: true, value };
}

/** True when a stored item satisfies the contract, server-managed fields included. */
export function isValidProduct(item: unknown): item is Product {
  if (!isPlainObject(item)) return false;
  const keys = Object.keys(item).sort().join(',');
  if (keys !== [...CREATE_FIELDS, ...SERVER_FIELDS].sort().join(',')) return false;
  if (CREATE_FIELDS.some((field) => fieldChecks[field]?.(item[field]) !== undefined)) return false;
  if (item.title !== (item.title as string).trim()) return false;
  const isIsoDate = (value: unknown) =>
    typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
  return (
    isIsoDate(item.createdAt) &&
    isIsoDate(item.updatedAt) &&
    Number.isInteger(item.version) &&
    (item.version as number) >= 1
  );
}
