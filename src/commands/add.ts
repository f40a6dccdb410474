/** `add`: creates a product from flags, a JSON file or stdin, checked locally before it is sent. */
import type { Product } from '../contract/index.js';
import type { Context } from '../context.js';
import { withApi, type TargetOptions } from '../http/open-api.js';
import { readProductInput, type ProductFlags } from './product-input.js';

export interface AddOptions extends ProductFlags, TargetOptions {
  /** A JSON file holding the product, or `-` for stdin. */
  file?: string;
  json?: boolean;
}

export async function add(opts: AddOptions, ctx: Context): Promise<Product> {
  const input = await readProductInput(opts, ctx);
  return withApi(opts, ctx, (api) => api.create(input));
}
