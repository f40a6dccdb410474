/** `delete <id>`: deletes a product, optionally only at a given version. */
import { defineCommand } from '../cli/command.js';
import { jsonOption, targetOptions } from '../cli/target-options.js';
import type { Context } from '../context.js';
import { AppError, NotFoundError, UsageError } from '../errors.js';
import { withApi, type TargetOptions } from './open-product-api.js';
import { renderDeleted } from '../output/render-product.js';
import { API_KEY_HELP, parseVersion, requireId } from './product-input.js';
import { deleteMany } from '../transfer/delete-many.js';

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

/**
 * Deletes the products, in batch requests where the API has the route, else each in turn. A missing one does not stop the others: the error afterwards names it (exit 3);
 * any other failure stops there, saying which were deleted before it.
 */
export async function deleteProducts(ids: string[], opts: DeleteOptions, ctx: Context): Promise<DeleteResult[]> {
  for (const id of ids) requireId(id);
  if (ids.length > 1 && opts.ifVersion !== undefined)
    throw new UsageError('--if-version applies to one product; give one id with it');
  const deleted: DeleteResult[] = [];
  const missing: string[] = [];
  const before = () => (deleted.length > 0 ? `; deleted ${deleted.map((d) => d.id).join(', ')}` : '');
  await withApi(opts, ctx, async (api) => {
    // Several ids go in batch requests (DELETE /products); an API without that route is sent one DELETE per id.
    const batched = ids.length > 1 ? await deleteMany(api, ids, { concurrency: 4, signal: ctx.signal }) : undefined;
    if (batched) {
      deleted.push(...batched.deleted.map((id) => ({ id, deleted: true as const })));
      missing.push(...batched.notFound);
      return;
    }
    for (const id of ids) {
      try {
        await api.delete(id, { ifVersion: opts.ifVersion === undefined ? undefined : parseVersion(opts.ifVersion) });
        deleted.push({ id, deleted: true });
      } catch (error) {
        if (error instanceof NotFoundError && ids.length > 1) missing.push(id);
        else if (deleted.length > 0 && error instanceof AppError)
          throw new AppError(`${error.message}${before()}`, error.exitCode, { cause: error });
        else throw error;
      }
    }
  });
  if (missing.length > 0) throw new NotFoundError(`no product ${missing.join(', ')}${before()}`);
  return deleted;
}

export const command = defineCommand({
  options: [
    ...targetOptions(),
    {
      flags: '--if-version <n>',
      description: 'delete it only if it is still at version n (exit 4 otherwise)',
      parse: parseVersion,
    },
    jsonOption('print {"id","deleted"} as JSON (an array of them for several ids)'),
  ],
  help: `Examples:
  $ products-cli delete 1
  $ products-cli delete 1 --if-version 3   # only if it is still at version 3
  $ products-cli delete 1 2 3              # several; a missing one is named at the end (exit 3)

${API_KEY_HELP}`,
  // `<id...>`: commander hands the ids over as one array.
  run: async ([ids]: (string | undefined)[], opts: DeleteOptions, ctx) => {
    const list = ([] as string[]).concat((ids as unknown as string[] | string | undefined) ?? []);
    return list.length === 1 ? deleteProduct(list[0] as string, opts, ctx) : deleteProducts(list, opts, ctx);
  },
  render: (result: DeleteResult | DeleteResult[], style) =>
    (Array.isArray(result) ? result : [result]).map((one) => renderDeleted(one, style)).join('\n'),
});
