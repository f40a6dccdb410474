import { describe, expect, it } from 'vitest';
import { matchResource, productPath } from '../../src/contract/index.js';

describe('matchResource', () => {
  it.each([
    ['/product', '/product', null],
    ['/product/', '/product', null],
    ['/product/42', '/product/{id}', { id: '42' }],
    ['/product/a%3Ab', '/product/{id}', { id: 'a:b' }],
    ['/products', '/products', null],
  ])('matches %s to %s', (path, resource, params) => {
    expect(matchResource(path)).toMatchObject({ resource, pathParameters: params });
  });

  it.each(['/', '/productz', '/products/1', '/product/1/2', '/product/%E0%A4%A', '/other/1'])(
    'matches nothing at %s',
    (path) => {
      expect(matchResource(path)).toBeUndefined();
    },
  );

  it('round-trips an id through productPath', () => {
    expect(matchResource(productPath('a:b.c'))?.pathParameters).toEqual({ id: 'a:b.c' });
  });
});
