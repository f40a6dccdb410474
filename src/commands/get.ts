/** `get <id>`: reads one product. */
import type { Product } from '../contract/index.js';
import type { Context } from '../context.js';
import { withApi, type TargetOptions } from '../http/open-api.js';
import { requireId } from './product-input.js';

export interface GetOptions extends TargetOptions {
  json?: boolean;
}

export async function get(id: string, opts: GetOptions, ctx: Context): Promise<Product> {
  requireId(id);
  return withApi(opts, ctx, (api) => api.get(id));
}
