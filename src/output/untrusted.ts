/**
 * Values from the API shown as they are, never as `NaN` or `undefined`: the table can hold items written
 * around the API (straight to the engine), so a field may be missing or of another type than the contract's.
 */
import { escapeControl } from './escape.js';

function shown(value: unknown): string {
  if (value === undefined) return '(missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return `${escapeControl(text)} (invalid)`;
}

/** A text field: escaped when it is a string, marked otherwise. */
export function textField(value: unknown): string {
  return typeof value === 'string' ? escapeControl(value) : shown(value);
}

/** A number field through `format` when it is a finite number, marked otherwise (`"not-a-number" (invalid)`). */
export function numberField(value: unknown, format: (n: number) => string = String): string {
  return typeof value === 'number' && Number.isFinite(value) ? format(value) : shown(value);
}
