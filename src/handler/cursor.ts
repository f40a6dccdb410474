/**
 * Opaque list cursors, base64url-encoded JSON: `{id}` (DynamoDB's LastEvaluatedKey) for a whole-table scan, and
 * `{seg, of, id?}` for one segment of a parallel scan, from its start when there is no id.
 */
import { checkId, LIST_SEGMENTS_MAX } from '../contract/index.js';
import { HttpError } from './http-error.js';

export type ProductKey = { id: string };
export interface ScanSegment {
  index: number;
  total: number;
}
/** Where a list goes on: after `key` (from the start when none), in `segment` (the whole table when none). */
export interface ListPosition {
  key?: ProductKey;
  segment?: ScanSegment;
}

/** Encodes a list position as a cursor. */
export function encodeCursor(position: ListPosition): string {
  const { key, segment } = position;
  const json = segment
    ? { seg: segment.index, of: segment.total, ...(key ? { id: key.id } : {}) }
    : { id: (key as ProductKey).id };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

const isWhole = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** Decodes a cursor, or throws a 400 for one that this API did not hand out. */
export function decodeCursor(cursor: string): ListPosition {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidCursor();
  const { id, seg, of, ...rest } = parsed as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw invalidCursor();
  if (id !== undefined && checkId(id) !== undefined) throw invalidCursor();
  const key = id === undefined ? undefined : { id: id as string };
  if (seg === undefined && of === undefined) {
    if (!key) throw invalidCursor();
    return { key };
  }
  if (!isWhole(seg) || !isWhole(of) || of < 1 || of > LIST_SEGMENTS_MAX || seg < 0 || seg >= of) throw invalidCursor();
  return { ...(key ? { key } : {}), segment: { index: seg, total: of } };
}

/** The 400 for a cursor this API did not hand out (or one whose key is not in its segment). */
export function invalidCursor(cause?: unknown): HttpError {
  return new HttpError('badQuery', 'cursor is not one this API returned; start the list again without it', {
    errors: [{ field: 'cursor', message: 'is not a valid cursor' }],
    ...(cause === undefined ? {} : { cause }),
  });
}
