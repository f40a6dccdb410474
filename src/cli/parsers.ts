/**
 * The flag parsers: each turns a flag's text into its typed value, or throws a one-line UsageError naming the
 * flag. Commander calls them as argParsers where the options are declared; the commands' programmatic entry
 * points call the same ones for values given as text.
 */
import { UsageError } from '../errors.js';

export type Parser<T> = (value: string | T) => T;

const DECIMAL = /^\s*[0-9]+(\.[0-9]+)?\s*$/;
const WHOLE = /^\s*\d{1,15}\s*$/;

/** A number matching `pattern` for which `check` holds; `rule` completes "FLAG must be …". */
export function numberFlag(
  flag: string,
  rule: string,
  check: (n: number) => boolean,
  pattern = DECIMAL,
): Parser<number> {
  return (value) => {
    const parsed = typeof value === 'number' ? value : pattern.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(parsed) || !check(parsed)) throw new UsageError(`${flag} must be ${rule}, not "${value}"`);
    return parsed;
  };
}

/** A whole number from `min` to `max` (no upper bound when `max` is Infinity). */
export function wholeNumber(flag: string, min: number, max: number, rule?: string): Parser<number> {
  const text = rule ?? `a whole number from ${min}${Number.isFinite(max) ? ` to ${max}` : ''}`;
  return numberFlag(flag, text, (n) => Number.isInteger(n) && n >= min && n <= max, WHOLE);
}

/** One of `values`; `rule` replaces "one of a, b, c" in the message. */
export function oneOf<T extends string>(
  flag: string,
  values: readonly T[],
  options: { rule?: string; ignoreCase?: boolean } = {},
): Parser<T> {
  return (value) => {
    const text = options.ignoreCase ? value.toLowerCase() : value;
    if (!(values as readonly string[]).includes(text))
      throw new UsageError(`${flag} must be ${options.rule ?? `one of ${values.join(', ')}`}, not "${value}"`);
    return text as T;
  };
}

/** Text for which `check` holds (it throws its own UsageError), returned as it was given. */
export function checkedText(check: (text: string) => void): Parser<string> {
  return (value) => {
    check(value);
    return value;
  };
}

/** An http:// or https:// URL, returned without a trailing slash. */
export function httpUrl(flag: string, example: string): Parser<string> {
  return (value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(`${flag} must be a URL such as ${example}, not "${value}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`${flag} must be an http:// or https:// URL, not "${value}"`);
    return url.toString().replace(/\/$/, '');
  };
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * The one reading of a length of time: a decimal number and a unit (`500ms`, `2.5s`, `10m`, `2h`, `1d`), in ms.
 * A bare number is in `bare` units (seconds unless told), or no duration at all when `bare` is null.
 */
export function readDuration(text: string, bare: Unit | null = 's'): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  const unit = (match?.[2] as Unit | undefined) ?? bare;
  return match && unit ? Number(match[1]) * UNIT_MS[unit] : undefined;
}

/**
 * A time such as `10s`, `500ms` or `2m` (a bare number is seconds), in ms, above 0 (at least `minMs` when given)
 * and at most `maxMs`; `flag` may also name the environment variable the text came from.
 */
export function duration(flag: string, maxMs: number, rule: string, minMs = 0): Parser<number> {
  return (value) => {
    const ms = typeof value === 'number' ? value : (readDuration(value) ?? Number.NaN);
    if (!(ms > 0 && ms >= minMs && ms <= maxMs)) throw new UsageError(`${flag} must be ${rule}, not "${value}"`);
    return ms;
  };
}
