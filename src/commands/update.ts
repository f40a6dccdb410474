/** `update <id>`: changes a product's title, description or price, optionally only at a given version. */
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import type { Product } from '../contract/index.js';
import type { Context } from '../context.js';
import { withApi, type TargetOptions } from '../http/open-api.js';
import { renderProduct } from '../output/render-product.js';
import { API_KEY_HELP, parsePrice, parseVersion, readProductPatch, requireId, type ProductFlags } from './product-input.js';

export interface UpdateOptions extends Omit<ProductFlags, 'id'>, TargetOptions {
  ifVersion?: string | number;
  json?: boolean;
}

export async function update(id: string, opts: UpdateOptions, ctx: Context): Promise<Product> {
  requireId(id);
  const patch = readProductPatch(opts);
  const ifVersion = opts.ifVersion === undefined ? undefined : parseVersion(opts.ifVersion);
  return withApi(opts, ctx, (api) => api.update(id, patch, { ifVersion }));
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    { flags: '--title <title>', description: 'the new title' },
    { flags: '--description <text>', description: 'the new description' },
    { flags: '--price <price>', description: 'the new price', parse: parsePrice },
    { flags: '--if-version <n>', description: 'change it only if it is still at version n (exit 4 otherwise)', parse: parseVersion },
    jsonOption('print the changed product as JSON'),
  ],
  help: `Examples:
  $ products-cli update 1 --price 850
  $ products-cli update 1 --title "IPhone 16" --if-version 2   # only if nobody changed it since version 2

${API_KEY_HELP}`,
  run: ([id]: [string], opts: UpdateOptions, ctx) => update(id, opts, ctx),
  render: renderProduct,
});
