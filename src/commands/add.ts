/** `add`: creates a product from flags, a JSON file or stdin, checked locally before it is sent. */
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import type { Product } from '../contract/index.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { withApi, type TargetOptions } from './open-product-api.js';
import { renderWritten } from '../output/render-product.js';
import { API_KEY_HELP, fieldOptions, readProductInput, type ProductFlags } from './product-input.js';

export interface AddOptions extends ProductFlags, TargetOptions {
  /** A JSON file holding the product, or `-` for stdin. */
  file?: string;
  json?: boolean;
}

export async function add(opts: AddOptions, ctx: Context): Promise<Product> {
  const input = await readProductInput(opts, ctx);
  return withApi(opts, ctx, (api) => api.create(input));
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    ...fieldOptions('add'),
    {
      flags: '--file <path>',
      description:
        'a JSON file holding the product (- for stdin); flags override its fields, and createdAt, updatedAt and version are ignored',
    },
    jsonOption('print the created product as JSON'),
  ],
  help: `Examples:
  $ products-cli add --id 1 --title IPhone --description "This is an IPhone" --price 900
  $ products-cli add --file product.json
  $ echo '{"title":"IPad","price":499.99}' | products-cli add - --json
  $ products-cli get 1 --json | products-cli add - --id 2   # a copy of product 1

${API_KEY_HELP}`,
  async run([source]: [string?], opts: AddOptions, ctx) {
    if (source !== undefined && source !== '-')
      throw new UsageError(`unexpected argument "${source}": pass a file with --file, or - for stdin`);
    if (source === '-' && opts.file !== undefined)
      throw new UsageError('give the product either on stdin (-) or with --file, not both');
    return add(source === '-' ? { ...opts, file: '-' } : opts, ctx);
  },
  render: renderWritten('created'),
});
