import { describe, expect, it } from 'vitest';
import { isValidProduct, validateProductInput, validateProductPatch } from '../../src/contract/index.js';

describe('validateProductInput', () => {
  it('trims the title and defaults the description', () => {
    expect(validateProductInput({ title: '  IPhone ', price: 900 })).toEqual({
      ok: true,
      value: { title: 'IPhone', description: '', price: 900 },
    });
  });

  it.each([0, 0.01, 19.99, 1_000_000_000, 1.1, 2.67, 1234567.89])('accepts the price %s', (price) => {
    expect(validateProductInput({ title: 't', price }).ok).toBe(true);
  });

  it.each([-0.01, 0.001, 1.005, Number.NaN, Number.POSITIVE_INFINITY, 1_000_000_000.01])(
    'rejects the price %s',
    (price) => {
      expect(validateProductInput({ title: 't', price })).toMatchObject({ ok: false, errors: [{ field: 'price' }] });
    },
  );

  it('counts title length in characters, not UTF-16 units', () => {
    expect(validateProductInput({ title: '😀'.repeat(200), price: 1 }).ok).toBe(true);
    expect(validateProductInput({ title: '😀'.repeat(201), price: 1 }).ok).toBe(false);
  });

  it.each(['a', 'A-Z_0.9:x', 'x'.repeat(128)])('accepts the id %s', (id) => {
    expect(validateProductInput({ id, title: 't', price: 1 }).ok).toBe(true);
  });

  it.each(['', 'a b', 'a/b', 'é', 'x'.repeat(129), 7])('rejects the id %j', (id) => {
    expect(validateProductInput({ id, title: 't', price: 1 })).toMatchObject({ ok: false, errors: [{ field: 'id' }] });
  });

  it('reports every problem at once', () => {
    const result = validateProductInput({ title: '', price: 'x', extra: 1 });

    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.field).sort()).toEqual(['extra', 'price', 'title']);
  });
});

describe('validateProductPatch', () => {
  it('keeps only the fields sent', () => {
    expect(validateProductPatch({ price: 5 })).toEqual({ ok: true, value: { price: 5 } });
  });

  it.each([[{}], [{ id: 'x' }], [{ createdAt: 'x' }], [{ price: 5, other: 1 }], [[]], [null]])('rejects %j', (body) => {
    expect(validateProductPatch(body).ok).toBe(false);
  });
});

describe('isValidProduct', () => {
  const product = {
    id: '1',
    title: 'IPhone',
    description: '',
    price: 900,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };

  it('accepts a stored product and rejects one with a broken or missing field', () => {
    expect(isValidProduct(product)).toBe(true);
    expect(isValidProduct({ ...product, version: 0 })).toBe(false);
    expect(isValidProduct({ ...product, title: ' padded ' })).toBe(false);
    expect(isValidProduct({ ...product, createdAt: 'yesterday' })).toBe(false);
    expect(isValidProduct({ ...product, extra: 1 })).toBe(false);
    const { price: _, ...withoutPrice } = product;
    expect(isValidProduct(withoutPrice)).toBe(false);
  });

  it('accepts an item without the fields an item may lack (the times of one not made through the API)', () => {
    const { createdAt: _c, updatedAt: _u, ...foreign } = product;
    expect(isValidProduct(foreign)).toBe(true);
    const { description: _d, ...withoutDescription } = product;
    expect(isValidProduct(withoutDescription)).toBe(false);
  });
});
