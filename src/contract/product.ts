/**
 * The product: its fields declared once, with their rules, and the validation shared by the handler, the
 * local stack and the CLI. Everything that names the fields (the OpenAPI schemas, the CSV columns, the add and
 * update flags, the client's checks, the views of get) reads them from PRODUCT_FIELDS.
 */

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

export interface FieldError {
  field: string;
  message: string;
}

/** A stored item of a list page that does not read as a product (written by another tool): its id and fields at fault. */
export interface SkippedItem {
  id: string;
  errors: FieldError[];
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const ID_PATTERN = '^[A-Za-z0-9_.:-]{1,128}$';
export const ID_MAX_LENGTH = 128;
export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 4000;
export const PRICE_MAX = 1_000_000_000;

const idRegex = new RegExp(ID_PATTERN);

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

function checkTimestamp(value: unknown): string | undefined {
  const iso = typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
  return iso ? undefined : 'must be an ISO 8601 UTC time';
}

function checkVersion(value: unknown): string | undefined {
  return Number.isInteger(value) && (value as number) >= 1 ? undefined : 'must be a whole number from 1';
}

/** One field of the product: how it is stored, sent and checked. */
export interface FieldSpec {
  /** Its JSON Schema, as the OpenAPI document shows it. */
  schema: Readonly<Record<string, unknown>> & { type: 'string' | 'number' | 'integer'; description: string };
  /** The rule of a value the API accepts or stores; returns the rule broken, or undefined. */
  check: (value: unknown) => string | undefined;
  /** Sent by clients on create (`required` or `optional`); absent for what only the server sets. */
  create?: 'required' | 'optional';
  /** May be changed by PATCH. */
  patch?: true;
  /** Stored trimmed, and compared trimmed. */
  trim?: true;
  /** Every product the API made holds it; `false` for those that items written by other tools may lack. */
  alwaysStored: boolean;
  /** The value an item written by another tool is read with when it lacks the field. */
  missingAs?: string | number;
  /** An example value, for the OpenAPI document. */
  example: string | number;
  /** The add and update flags' help, after "the" / "the new": `title (1-200 characters)`. */
  flag?: { value: string; add: string; update?: string };
}

/**
 * The fields in the order of the CSV columns. The key of each entry is the field's name everywhere: the
 * JSON body, the DynamoDB attribute, the CSV header and the `--name` flag.
 */
export const PRODUCT_FIELDS = {
  id: {
    schema: {
      type: 'string',
      pattern: ID_PATTERN,
      minLength: 1,
      maxLength: ID_MAX_LENGTH,
      description: 'Unique id: 1-128 characters of A-Z a-z 0-9 _ - . :',
    },
    check: checkId,
    create: 'optional',
    alwaysStored: true,
    example: '1',
    flag: { value: 'id', add: 'the id (1-128 of A-Z a-z 0-9 _ - . :); the API makes one when absent' },
  },
  title: {
    schema: {
      type: 'string',
      minLength: 1,
      maxLength: TITLE_MAX_LENGTH,
      description: 'Title: 1-200 characters after trimming; stored trimmed.',
    },
    check: checkTitle,
    create: 'required',
    patch: true,
    trim: true,
    alwaysStored: true,
    example: 'IPhone',
    flag: { value: 'title', add: 'the title (1-200 characters)', update: 'the new title' },
  },
  description: {
    schema: {
      type: 'string',
      maxLength: DESCRIPTION_MAX_LENGTH,
      default: '',
      description: 'Free text, up to 4000 characters.',
    },
    check: checkDescription,
    create: 'optional',
    patch: true,
    alwaysStored: true,
    missingAs: '',
    example: 'IPhone 15 Pro',
    flag: { value: 'text', add: 'the description (up to 4000 characters)', update: 'the new description' },
  },
  price: {
    schema: {
      type: 'number',
      minimum: 0,
      maximum: PRICE_MAX,
      multipleOf: 0.01,
      description: 'Price: 0 to 1,000,000,000 with at most 2 decimal places.',
    },
    check: checkPrice,
    create: 'required',
    patch: true,
    alwaysStored: true,
    example: 900,
    flag: { value: 'price', add: 'the price, 0 to 1000000000 with at most 2 decimals', update: 'the new price' },
  },
  createdAt: {
    schema: { type: 'string', format: 'date-time', readOnly: true, description: 'Set by the server on create.' },
    check: checkTimestamp,
    alwaysStored: false,
    example: '2026-01-01T00:00:00.000Z',
  },
  updatedAt: {
    schema: { type: 'string', format: 'date-time', readOnly: true, description: 'Set by the server on every change.' },
    check: checkTimestamp,
    alwaysStored: false,
    example: '2026-01-01T00:00:00.000Z',
  },
  version: {
    schema: {
      type: 'integer',
      minimum: 0,
      readOnly: true,
      description:
        'Starts at 1 and grows by 1 on every change; send it in If-Match for a conditional write. 0 for an item written by another tool and never changed through the API.',
    },
    check: checkVersion,
    alwaysStored: true,
    missingAs: 0,
    example: 1,
  },
} as const satisfies Record<keyof Product, FieldSpec>;

export type FieldName = keyof typeof PRODUCT_FIELDS;

type FieldsWhere<Condition> = { [F in FieldName]: (typeof PRODUCT_FIELDS)[F] extends Condition ? F : never }[FieldName];
export type CreateField = FieldsWhere<{ create: 'required' | 'optional' }>;
export type PatchField = FieldsWhere<{ patch: true }>;
export type ServerField = Exclude<FieldName, CreateField | PatchField>;

/** What a client may send to create a product. */
export type ProductInput = Partial<Pick<Product, CreateField>> & Pick<Product, FieldsWhere<{ create: 'required' }>>;

/** What a client may send to change a product. */
export type ProductPatch = Partial<Pick<Product, PatchField>>;

const fieldNames = Object.keys(PRODUCT_FIELDS) as FieldName[];
const spec = (field: FieldName): FieldSpec => PRODUCT_FIELDS[field];

/** Every field, in the order of the CSV columns. */
export const FIELD_NAMES: readonly FieldName[] = fieldNames;
/** What a client sends on create. */
export const CREATE_FIELDS = fieldNames.filter((field) => spec(field).create !== undefined) as readonly CreateField[];
export const REQUIRED_CREATE_FIELDS = fieldNames.filter(
  (field) => spec(field).create === 'required',
) as readonly CreateField[];
/** What a PATCH may change. */
export const PATCH_FIELDS = fieldNames.filter((field) => spec(field).patch) as readonly PatchField[];
/** What only the server sets: refused on create and patch, dropped from what the CLI reads from a file. */
export const SERVER_FIELDS = fieldNames.filter(
  (field) => spec(field).create === undefined && !spec(field).patch,
) as readonly ServerField[];

/** The JSON Schemas of the fields, by name: the single description from which the OpenAPI document is built. */
export const productFieldSchemas = Object.fromEntries(fieldNames.map((field) => [field, spec(field).schema])) as {
  [F in FieldName]: (typeof PRODUCT_FIELDS)[F]['schema'];
};

/** A field's value as it is stored and compared: trimmed where the field says so. */
export function normalizeField(field: FieldName, value: unknown): unknown {
  return spec(field).trim && typeof value === 'string' ? value.trim() : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFields(
  body: Record<string, unknown>,
  allowed: readonly FieldName[],
  required: readonly FieldName[],
): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of Object.keys(body)) {
    if ((SERVER_FIELDS as readonly string[]).includes(field)) {
      errors.push({ field, message: 'is set by the server and cannot be sent' });
    } else if (!(allowed as readonly string[]).includes(field)) {
      errors.push({ field, message: `is not a known field (allowed: ${allowed.join(', ')})` });
    }
  }
  for (const field of required) {
    if (!(field in body) || body[field] === undefined) errors.push({ field, message: 'is required' });
  }
  for (const field of allowed) {
    if (!(field in body) || body[field] === undefined) continue;
    const message = spec(field).check(body[field]);
    if (message) errors.push({ field, message });
  }
  return errors;
}

/** The fields of `body` that `fields` names, normalized, with the schema's default for an absent one. */
function pick(
  body: Record<string, unknown>,
  fields: readonly FieldName[],
  withDefaults: boolean,
): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of fields) {
    const fallback = (spec(field).schema as { default?: unknown }).default;
    if (body[field] !== undefined) value[field] = normalizeField(field, body[field]);
    else if (withDefaults && fallback !== undefined) value[field] = fallback;
  }
  return value;
}

/** Validates a create body; on success the fields are normalized (the title trimmed) and defaulted. */
export function validateProductInput(body: unknown): Validated<ProductInput> {
  if (!isPlainObject(body)) return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  const errors = checkFields(body, CREATE_FIELDS, REQUIRED_CREATE_FIELDS);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: pick(body, CREATE_FIELDS, true) as unknown as ProductInput };
}

/** Validates a patch body: at least one of the fields PATCH may change; nothing else. */
export function validateProductPatch(body: unknown): Validated<ProductPatch> {
  if (!isPlainObject(body)) return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  const fixed = CREATE_FIELDS.filter((field) => !(PATCH_FIELDS as readonly string[]).includes(field));
  for (const field of fixed) if (field in body) errors.push({ field, message: 'cannot be changed' });
  const rest = Object.fromEntries(
    Object.entries(body).filter(([field]) => !(fixed as readonly string[]).includes(field)),
  );
  errors.push(...checkFields(rest, PATCH_FIELDS, []));
  if (errors.length === 0 && !PATCH_FIELDS.some((field) => body[field] !== undefined)) {
    errors.push({ field: '(body)', message: `must change at least one of ${PATCH_FIELDS.join(', ')}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: pick(body, PATCH_FIELDS, false) as ProductPatch };
}

/** True when a stored item satisfies the contract: the fields it holds are valid, and it lacks only those an item may lack. */
export function isValidProduct(item: unknown): item is Product {
  if (!isPlainObject(item)) return false;
  if (Object.keys(item).some((key) => !(fieldNames as readonly string[]).includes(key))) return false;
  return fieldNames.every((field) =>
    item[field] === undefined
      ? !spec(field).alwaysStored
      : spec(field).check(item[field]) === undefined && normalizeField(field, item[field]) === item[field],
  );
}
