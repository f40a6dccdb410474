/** `update <id>`: changes a product's title, description or price, optionally only at a given version. */
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import type { Product } from '../contract/index.js';
import type { Context } from '../context.js';
import { withApi, type TargetOptions } from './open-product-api.js';
import { renderWritten } from '../output/render-product.js';
import { UsageError } from '../errors.js';
import {
  API_KEY_HELP,
  fieldOptions,
  parseVersion,
  readProductPatchFrom,
  requireId,
  type ProductFlags,
} from './product-input.js';

export interface UpdateOptions extends Omit<ProductFlags, 'id'>, TargetOptions {
  /** A JSON file holding the change, or `-` for stdin. */
  file?: string;
  ifVersion?: string | number;
  json?: boolean;
}

export async function update(id: string, opts: UpdateOptions, ctx: Context): Promise<Product> {
  requireId(id);
  const patch = await readProductPatchFrom(id, opts, ctx);
  const ifVersion = opts.ifVersion === undefined ? undefined : parseVersion(opts.ifVersion);
  return withApi(opts, ctx, (api) => api.update(id, patch, { ifVersion }));
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    ...fieldOptions('update'),
    {
      flags: '--if-version <n>',
      description: 'change it only if it is still at version n (exit 4 otherwise)',
      parse: parseVersion,
    },
    {
      flags: '--file <path>',
      description:
        'a JSON file holding the change (- for stdin); flags override its fields, and id, createdAt, updatedAt and version are ignored',
    },
    jsonOption('print the changed product as JSON'),
  ],
  help: `Examples:
  $ products-cli update 1 --price 850
  $ products-cli update 1 --title "IPhone 16" --if-version 2   # only if nobody changed it since version 2
  $ products-cli update 1 --file change.json                   # {"price": 850}
  $ products-cli get 1 --json | jq '.price = 850' | products-cli update 1 -

${API_KEY_HELP}`,
  async run([id, source]: [string, string?], opts: UpdateOptions, ctx) {
    if (source !== undefined && source !== '-')
      throw new UsageError(`unexpected argument "${source}": pass a file with --file, or - for stdin`);
    if (source === '-' && opts.file !== undefined)
      throw new UsageError('give the change either on stdin (-) or with --file, not both');
    return update(id, source === '-' ? { ...opts, file: '-' } : opts, ctx);
  },
  render: renderWritten('updated'),
});
