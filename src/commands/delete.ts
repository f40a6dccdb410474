/** `delete <id>`: deletes a product, optionally only at a given version. */
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { withApi, type TargetOptions } from '../http/open-api.js';
import { renderDeleted } from '../output/render-product.js';
import { API_KEY_HELP, parseVersion, requireId } from './product-input.js';

export interface DeleteOptions extends TargetOptions {
  ifVersion?: string | number;
  json?: boolean;
}

export interface DeleteResult {
  id: string;
  deleted: true;
}

export async function deleteProduct(id: string, opts: DeleteOptions, ctx: Context): Promise<DeleteResult> {
  requireId(id);
  const ifVersion = opts.ifVersion === undefined ? undefined : parseVersion(opts.ifVersion);
  await withApi(opts, ctx, (api) => api.delete(id, { ifVersion }));
  return { id, deleted: true };
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    { flags: '--if-version <n>', description: 'delete it only if it is still at version n (exit 4 otherwise)', parse: parseVersion },
    jsonOption('print {"id","deleted"} as JSON'),
  ],
  help: `Examples:
  $ products-cli delete 1
  $ products-cli delete 1 --if-version 3   # only if it is still at version 3

${API_KEY_HELP}`,
  run: ([id]: [string], opts: DeleteOptions, ctx) => deleteProduct(id, opts, ctx),
  render: renderDeleted,
});
