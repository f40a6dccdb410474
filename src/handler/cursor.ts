/** Opaque list cursors: DynamoDB's LastEvaluatedKey, base64url-encoded JSON. */
import { checkId } from '../contract/index.js';
import { HttpError } from './http-error.js';

export type ProductKey = { id: string };

/** Encodes a LastEvaluatedKey as a cursor. */
export function encodeCursor(key: ProductKey): string {
  return Buffer.from(JSON.stringify({ id: key.id }), 'utf8').toString('base64url');
}

/** Decodes a cursor, or throws a 400 for one that this API did not hand out. */
export function decodeCursor(cursor: string): ProductKey {
  const invalid = () =>
    new HttpError('badQuery', 'cursor is not one this API returned; start the list again without it', {
      errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
    });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).join() !== 'id') throw invalid();
  const id = (parsed as { id: unknown }).id;
  if (checkId(id) !== undefined) throw invalid();
  return { id: id as string };
}
