/**
 * Text from the API (or a file) made safe for a terminal: control characters shown as visible escapes, so a
 * title holding `\x1b[31m` cannot recolour the terminal and a newline cannot break a layout.
 */

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\x1b' };

// C0 controls, DEL, C1 controls, and the bidirectional overrides and isolates that can reorder what is shown.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every control character shown as an escape: a newline as `\n`, ESC as `\x1b`, U+202E as `\u202e`. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const named = NAMED[char];
    if (named) return named;
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
