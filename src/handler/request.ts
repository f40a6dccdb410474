/** Reading a REST proxy event: headers, body, query and preconditions, each rejected with a precise 4xx. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_SEGMENTS_MAX, MAX_BODY_BYTES } from '../contract/index.js';
import { decodeCursor, type ListPosition } from './cursor.js';
import { HttpError } from './http-error.js';

/** A header's value, looked up without regard to case (API Gateway keeps the client's casing). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType);
}

/** The `charset` parameter of a content type, lower-cased and unquoted; undefined when there is none. */
function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(';').slice(1)) {
    const equals = parameter.indexOf('=');
    if (equals !== -1 && parameter.slice(0, equals).trim().toLowerCase() === 'charset') {
      return parameter
        .slice(equals + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return undefined;
}

/**
 * Parses the JSON body of a write: 415 for a non-JSON content type or a charset other than UTF-8, 413 past
 * 64 KiB (or `maxBytes`), 400 when not UTF-8 or not JSON.
 */
export function readJsonBody(event: APIGatewayProxyEvent, maxBytes = MAX_BODY_BYTES): unknown {
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    throw new HttpError('unsupportedMediaType', `Content-Type ${contentType} is not supported; send application/json`);
  }
  const charset = contentType === undefined ? undefined : charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(
      'unsupportedMediaType',
      `charset ${charset} is not supported; send JSON in UTF-8 (charset=utf-8 or none)`,
    );
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    throw new HttpError('tooLarge', `body is ${bytes.length} bytes; the limit is ${maxBytes}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new HttpError('malformedJson', 'body is not valid UTF-8', { cause: error });
  }
  // A gateway that passed the body on as text has already replaced each invalid byte sequence with U+FFFD;
  // the handler cannot tell those from a U+FFFD the client sent, so it refuses both rather than store damage.
  if (!event.isBase64Encoded && text.includes('\uFFFD')) {
    throw new HttpError('malformedJson', 'body is not valid UTF-8 (it holds U+FFFD, the mark of bytes that were not)');
  }
  if (text.trim() === '') throw new HttpError('malformedJson', 'the request needs a JSON object body');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError('malformedJson', `body is not valid JSON: ${(error as Error).message}`);
  }
}

/** A query parameter that must appear at most once. */
function singleQueryValue(event: APIGatewayProxyEvent, name: string): string | undefined {
  const values = event.multiValueQueryStringParameters?.[name];
  if (values && values.length > 1) {
    throw new HttpError('badQuery', `${name} may be given once`, {
      errors: [{ field: name, message: 'must appear at most once' }],
    });
  }
  return values?.[0] ?? event.queryStringParameters?.[name] ?? undefined;
}

export interface ListQuery {
  limit: number;
  position: ListPosition;
  /** With `segments=N` and no cursor: the number of segments to hand out cursors for. */
  segments?: number;
}

/** A whole number from 1 to `max` in the query, or undefined when absent; 400 naming the parameter otherwise. */
function wholeQueryValue(event: APIGatewayProxyEvent, name: string, max: number): number | undefined {
  const raw = singleQueryValue(event, name);
  if (raw === undefined) return undefined;
  const value = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= max)) {
    throw new HttpError('badQuery', `${name} must be a whole number from 1 to ${max}`, {
      errors: [{ field: name, message: `must be a whole number from 1 to ${max}` }],
    });
  }
  return value;
}

/** Reads `limit` (1-LIST_LIMIT_MAX, default 50), `cursor` and `segments` (only without a cursor) from the query. */
export function readListQuery(event: APIGatewayProxyEvent): ListQuery {
  const limit = wholeQueryValue(event, 'limit', LIST_LIMIT_MAX) ?? LIST_LIMIT_DEFAULT;
  const segments = wholeQueryValue(event, 'segments', LIST_SEGMENTS_MAX);
  const cursor = singleQueryValue(event, 'cursor');
  const position = cursor === undefined || cursor === '' ? {} : decodeCursor(cursor);
  if (segments !== undefined && cursor !== undefined && cursor !== '') {
    throw new HttpError('badQuery', 'segments starts a list: send it without a cursor', {
      errors: [{ field: 'segments', message: 'may be given only without a cursor' }],
    });
  }
  return { limit, position, ...(segments === undefined ? {} : { segments }) };
}

/**
 * Reads `If-Match: <version>`: a version number, quoted or not, or `*`. Returns undefined when absent or `*`,
 * since `*` only asks that the product exist, which every update and delete requires anyway.
 */
export function readExpectedVersion(event: APIGatewayProxyEvent): number | undefined {
  const value = header(event, 'if-match');
  if (value === undefined || value.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(value);
  const version = match ? Number(match[1]) : Number.NaN;
  // 0 is the version of an item written by another tool and never changed through the API.
  if (!(version >= 0)) {
    throw new HttpError('badHeader', 'If-Match must be a product version, such as If-Match: 3', {
      errors: [{ field: 'If-Match', message: 'must be a version number' }],
    });
  }
  return version;
}
