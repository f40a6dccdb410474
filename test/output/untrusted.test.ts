import { describe, expect, it } from 'vitest';
import { formatPrice } from '../../src/output/render-product.js';
import { numberField, textField } from '../../src/output/untrusted.js';

describe('fields that break the contract', () => {
  it.each([
    ['a string price', 'not-a-number', '"not-a-number" (invalid)'],
    ['a missing price', undefined, '(missing)'],
    ['a null price', null, 'null (invalid)'],
    ['an object', { n: 1 }, '{"n":1} (invalid)'],
    ['an infinite number', Number.POSITIVE_INFINITY, 'null (invalid)'],
  ])('shows %s as it is, marked', (_name, value, shown) => {
    expect(numberField(value, formatPrice)).toBe(shown);
  });

  it('formats a valid price, and escapes text', () => {
    expect(numberField(1234.5, formatPrice)).toBe('1,234.50');
    expect(textField('a\nb')).toBe('a\\nb');
    expect(textField(42)).toBe('42 (invalid)');
    expect(textField(undefined)).toBe('(missing)');
  });
});
