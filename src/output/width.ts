/**
 * The width text takes on a terminal, so table columns stay aligned with CJK characters and emoji. Apart from
 * escape.ts so that `get`, which prints no table, does not load string-width.
 */
import stringWidth from 'string-width';

/** Columns the text takes in a terminal: 2 for each CJK character or emoji, 0 for a combining mark. */
export function displayWidth(text: string): number {
  return stringWidth(text, { countAnsiEscapeCodes: true });
}

/** The longest start of the text that fits in `max` columns, with `…` when it was cut. */
export function truncateToWidth(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  const segments = [...new Intl.Segmenter().segment(text)].map((part) => part.segment);
  let out = '';
  let width = 0;
  for (const segment of segments) {
    const next = displayWidth(segment);
    if (width + next > max - 1) break;
    out += segment;
    width += next;
  }
  return `${out}…`;
}

/** Pads to `width` columns on the right (`left` alignment) or on the left. */
export function padToWidth(text: string, width: number, align: 'left' | 'right'): string {
  const gap = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? `${gap}${text}` : `${text}${gap}`;
}
