/** Reading a product or a change from flags, a JSON file or stdin, checked against the contract before sending. */
import { readFile } from 'node:fs/promises';
import {
  checkId,
  CREATE_FIELDS,
  PATCH_FIELDS,
  PRODUCT_FIELDS,
  REQUIRED_CREATE_FIELDS,
  SERVER_FIELDS,
  validateProductInput,
  validateProductPatch,
  type CreateField,
  type FieldError,
  type FieldName,
  type FieldSpec,
  type PatchField,
  type ProductInput,
  type ProductPatch,
} from '../contract/index.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { printPolicy } from '../output/print-policy.js';
import type { OptionSpec } from '../cli/command.js';
import { CLIENT_FLAGS_HELP } from '../cli/target-options.js';

/** The closing line of the product commands' --help. */
export const API_KEY_HELP = `The API key, if the API needs one, is read from $PRODUCTS_API_KEY or the state file. Writes to a stack that setup made with
--auth iam (the default) are signed with SigV4: on AWS with your AWS credentials (AWS_PROFILE, env, SSO), locally with the
stack's own key pair.

${CLIENT_FLAGS_HELP}`;

/** The product's fields as flags: text, or for a number field its value (text from programmatic callers is parsed here). */
export type ProductFlags = { [F in CreateField | PatchField]?: string | number };

/** The flag that sets a field: `--price` for price, `--list-price` for listPrice. */
export function fieldFlag(field: FieldName): string {
  return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Reads a number field's flag: a plain decimal number; range and decimals are the contract's to check. */
function numberFlag(field: FieldName): (text: string | number) => number {
  return (text) => {
    if (typeof text === 'number') return text;
    if (!/^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(text))
      throw new UsageError(`${fieldFlag(field)} must be a number, such as 900 or 19.99, not "${text}"`);
    return Number(text);
  };
}

const isNumberField = (field: FieldName) => PRODUCT_FIELDS[field].schema.type !== 'string';

/** The flags of the fields that `add` creates or `update` changes, from the contract's field table. */
export function fieldOptions(use: 'add' | 'update'): OptionSpec[] {
  return (use === 'add' ? CREATE_FIELDS : PATCH_FIELDS).map((field) => {
    const spec: FieldSpec = PRODUCT_FIELDS[field];
    const flag = spec.flag ?? { value: 'value', add: spec.schema.description };
    return {
      flags: `${fieldFlag(field)} <${flag.value}>`,
      description: use === 'add' ? flag.add : (flag.update ?? flag.add),
      ...(isNumberField(field) ? { parse: numberFlag(field) } : {}),
    };
  });
}

/** Reads `--if-version`: a whole number from 1. */
export function parseVersion(text: string | number): number {
  if (typeof text === 'number') text = String(text);
  if (!/^\s*\d{1,15}\s*$/.test(text) || Number(text) < 1) {
    throw new UsageError(`--if-version must be a product version (a whole number from 1), not "${text}"`);
  }
  return Number(text);
}

/** Checks an id argument before it goes into a URL. */
export function requireId(id: string): string {
  const rule = checkId(id);
  if (rule) throw new UsageError(`id ${rule}, not "${id}"`);
  return id;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a JSON object from a file, or from stdin when the path is `-`. */
export async function readJsonSource(path: string, ctx: Context): Promise<Record<string, unknown>> {
  const from = path === '-' ? 'stdin' : path;
  let text: string;
  if (path === '-' && ctx.stdin.isTTY && printPolicy(ctx).notices)
    ctx.stderr.write('reading the product as JSON from stdin; end with Ctrl-D\n');
  try {
    text = path === '-' ? await readAll(ctx.stdin) : await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `${from} does not exist` : `cannot read ${from}: ${(error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${from} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${from} must hold one JSON object, such as {"title":"IPhone","price":900}`);
  return value as Record<string, unknown>;
}

function flagFields(flags: ProductFlags): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of new Set<CreateField | PatchField>([...CREATE_FIELDS, ...PATCH_FIELDS])) {
    const value = flags[field];
    if (value !== undefined) fields[field] = isNumberField(field) ? numberFlag(field)(value) : value;
  }
  return fields;
}

/** One line naming each field, as a flag when it came from one. */
function describeErrors(errors: FieldError[], fromFlags: Set<string>, what: string): string {
  const parts = errors.map(
    (error) => `${fromFlags.has(error.field) ? fieldFlag(error.field as FieldName) : error.field} ${error.message}`,
  );
  return `${what}: ${parts.join('; ')}`;
}

/**
 * A product read from a file drops what the server sets (createdAt, updatedAt, version), so that the output
 * of `get --json` can be fed back to `add`.
 */
function withoutServerFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(([field]) => !(SERVER_FIELDS as readonly string[]).includes(field)),
  );
}

/** The product to create, from a file or stdin overlaid with flags; UsageError naming each bad field. */
export async function readProductInput(flags: ProductFlags & { file?: string }, ctx: Context): Promise<ProductInput> {
  const base = flags.file !== undefined ? withoutServerFields(await readJsonSource(flags.file, ctx)) : {};
  const fromFlags = flagFields(flags);
  if (flags.file === undefined && Object.keys(fromFlags).length === 0) {
    const required = REQUIRED_CREATE_FIELDS.map(fieldFlag).join(' and ');
    const optional = CREATE_FIELDS.filter((field) => !REQUIRED_CREATE_FIELDS.includes(field))
      .map(fieldFlag)
      .join(', ');
    throw new UsageError(
      `nothing to add: pass ${required} (and optionally ${optional}), or --file product.json, or - for stdin`,
    );
  }
  const result = validateProductInput({ ...base, ...fromFlags });
  if (!result.ok)
    throw new UsageError(describeErrors(result.errors, new Set(Object.keys(fromFlags)), 'invalid product'));
  return result.value;
}

/**
 * The change to apply, from a JSON file or stdin (`file`) overlaid with flags; UsageError naming each bad field.
 * From a file, what the server sets is dropped and an `id` must be the product's own, so that
 * `get 1 --json | jq '.price = 850' | update 1 -` works.
 */
export async function readProductPatchFrom(
  id: string,
  flags: Omit<ProductFlags, 'id'> & { file?: string },
  ctx: Context,
): Promise<ProductPatch> {
  if (flags.file === undefined) return readProductPatch(flags);
  const { id: fileId, ...base } = withoutServerFields(await readJsonSource(flags.file, ctx));
  if (fileId !== undefined && fileId !== id)
    throw new UsageError(
      `the change read from ${flags.file === '-' ? 'stdin' : flags.file} is for product ${JSON.stringify(fileId)}, not ${id}`,
    );
  return readProductPatch(flags, base);
}

/** The change to apply, from flags over `base`; UsageError naming each bad flag. */
export function readProductPatch(flags: Omit<ProductFlags, 'id'>, base: Record<string, unknown> = {}): ProductPatch {
  const fromFlags = flagFields(flags);
  const fields = { ...base, ...fromFlags };
  if (Object.keys(fields).length === 0)
    throw new UsageError(
      `nothing to change: pass at least one of ${PATCH_FIELDS.map(fieldFlag).join(', ')}, or the change as JSON with --file or -`,
    );
  const result = validateProductPatch(fields);
  if (!result.ok)
    throw new UsageError(describeErrors(result.errors, new Set(Object.keys(fromFlags)), 'invalid change'));
  return result.value;
}
