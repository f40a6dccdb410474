/** `get <id>`: reads one product. */
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import type { Product } from '../contract/index.js';
import type { Context } from '../context.js';
import { withApi, type TargetOptions } from './open-product-api.js';
import { renderProduct } from '../output/render-product.js';
import { API_KEY_HELP, requireId } from './product-input.js';

export interface GetOptions extends TargetOptions {
  json?: boolean;
}

export async function get(id: string, opts: GetOptions, ctx: Context): Promise<Product> {
  requireId(id);
  return withApi(opts, ctx, (api) => api.get(id));
}

export const command = defineCommand({
  options: [...targetOptions(), jsonOption('print the product as JSON')],
  help: `Examples:
  $ products-cli get 1
  $ products-cli get 1 --json
  $ products-cli get 1 --url https://abc123.execute-api.us-east-1.amazonaws.com/prod

${API_KEY_HELP}`,
  run: ([id]: [string], opts: GetOptions, ctx) => get(id, opts, ctx),
  render: renderProduct,
});
