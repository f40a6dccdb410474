/** Products for tests: valid by the contract's rules, each with an id of its own unless one is given. */
import { type CreateField, PRODUCT_FIELDS, type ProductInput } from '../../src/contract/product.js';

/** A create body with every field a client may send; the id is always there. */
export type TestProduct = Required<Pick<ProductInput, CreateField>>;

let made = 0;

/** A valid product from PRODUCT_FIELDS' examples, a new id (`p-<pid>-<n>`) each call, `overrides` on top. */
export function product(overrides: Partial<TestProduct> = {}): TestProduct {
  const example = Object.fromEntries(
    Object.entries(PRODUCT_FIELDS)
      .filter(([, spec]) => 'create' in spec)
      .map(([name, spec]) => [name, spec.example]),
  ) as TestProduct;
  return { ...example, id: `p-${process.pid}-${++made}`, ...overrides };
}

/** `p` as the `add` command's flags: `--id … --title … --description … --price …`, in PRODUCT_FIELDS' order. */
export function productFlags(p: Partial<TestProduct>): string[] {
  return Object.entries(PRODUCT_FIELDS)
    .filter(([name, spec]) => 'flag' in spec && p[name as CreateField] !== undefined)
    .flatMap(([name]) => [`--${name}`, String(p[name as CreateField])]);
}
