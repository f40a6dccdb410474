import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Product } from '../../src/contract/index.js';
import { ProductTable } from '../../src/output/render-list.js';
import { formatPrice, renderDeleted, renderProduct } from '../../src/output/render-product.js';
import { plainStyle } from '../../src/output/style.js';

const product = (id: string, title: string, price: number): Product => ({
  id,
  title,
  description: '',
  price,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  version: 3,
});

describe('renderProduct', () => {
  it('aligns keys and values, with no escape codes in plain style', () => {
    const text = renderProduct({ ...product('1', 'IPhone', 900), description: 'This is an IPhone' }, plainStyle);

    expect(text.split('\n')).toEqual([
      'id           1',
      'title        IPhone',
      'description  This is an IPhone',
      'price        900.00',
      'version      3',
      'created      2026-01-01T00:00:00.000Z',
      'updated      2026-01-02T00:00:00.000Z',
    ]);
  });

  it('colours with chalk when colour is on', () => {
    const text = renderProduct(product('1', 'IPhone', 900), new Chalk({ level: 1 }));

    expect(text).toContain('\u001b[1m1\u001b[22m');
    expect(renderDeleted({ id: '1' }, new Chalk({ level: 1 }))).toBe('deleted product \u001b[1m1\u001b[22m');
  });

  it.each([
    [0, '0.00'],
    [19.9, '19.90'],
    [1234567.5, '1,234,567.50'],
    [1_000_000_000, '1,000,000,000.00'],
    [0.05, '0.05'],
  ])('formats the price %d as %s', (price, text) => {
    expect(formatPrice(price)).toBe(text);
  });

  it('agrees with the en-US locale format for every valid price', () => {
    const cents = fc.integer({ min: 0, max: 100_000_000_000 });
    fc.assert(
      fc.property(cents, (amount) => {
        const price = amount / 100;
        expect(formatPrice(price)).toBe(
          price.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
        );
      }),
    );
  });
});

describe('ProductTable', () => {
  it('sets column widths from the first page and keeps them for later pages', () => {
    const table = new ProductTable(plainStyle);

    const first = table.page([product('a', 'Short', 1), product('bbb', 'A longer title', 1000)]);
    const second = table.page([product('c', 'Third', 5.5)]);

    expect(first.split('\n')).toEqual([
      'ID   TITLE              PRICE  VERSION  UPDATED',
      'a    Short               1.00        3  2026-01-02T00:00:00.000Z',
      'bbb  A longer title  1,000.00        3  2026-01-02T00:00:00.000Z',
      '',
    ]);
    expect(second).toBe('c    Third               5.50        3  2026-01-02T00:00:00.000Z\n');
  });

  it('cuts long titles, shows line breaks as \\n, and prints nothing for an empty page', () => {
    const table = new ProductTable(plainStyle);

    expect(table.page([])).toBe('');
    const line = table.page([product('a', `${'x'.repeat(50)}`, 1), product('b', 'two\nlines', 1)]).split('\n');

    expect(line[1]).toContain(`${'x'.repeat(39)}…`);
    expect(line[2]).toContain('two\\nlines');
  });
});
