/** `delete <id>`: deletes a product, optionally only at a given version. */
import type { Context } from '../context.js';
import { withApi, type TargetOptions } from '../http/open-api.js';
import { parseVersion, requireId } from './product-input.js';

export interface DeleteOptions extends TargetOptions {
  ifVersion?: string;
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
