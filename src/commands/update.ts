/** `update <id>`: changes a product's title, description or price, optionally only at a given version. */
import type { Product } from '../contract/index.js';
import type { Context } from '../context.js';
import { withApi, type TargetOptions } from '../http/open-api.js';
import { parseVersion, readProductPatch, requireId, type ProductFlags } from './product-input.js';

export interface UpdateOptions extends Omit<ProductFlags, 'id'>, TargetOptions {
  ifVersion?: string;
  json?: boolean;
}

export async function update(id: string, opts: UpdateOptions, ctx: Context): Promise<Product> {
  requireId(id);
  const patch = readProductPatch(opts);
  const ifVersion = opts.ifVersion === undefined ? undefined : parseVersion(opts.ifVersion);
  return withApi(opts, ctx, (api) => api.update(id, patch, { ifVersion }));
}
