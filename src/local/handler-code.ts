/** The bundled handler artifact, unpacked once into a directory named by its content hash. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { AppError } from '../errors.js';

/** The package root: two levels above this module, in `src/local` and in `build/local` alike. */
export function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** `dist/handler.zip` of this package. */
export function defaultHandlerZip(): string {
  return join(packageRoot(), 'dist', 'handler.zip');
}

export interface HandlerCode {
  /** Where the zip was unpacked. */
  dir: string;
  /** The module that exports the handler: `index.mjs`, `index.js` or `index.cjs`, as Lambda resolves `index.handler`. */
  entry: string;
  exportName: string;
}

/**
 * Unpacks a handler zip into `<tmp>/products-cli-handler-<sha256>` unless that directory already holds it,
 * and finds the module of `index.handler`. The same bytes are unpacked once however many stacks start.
 */
export async function unpackHandler(zipPath: string, baseDir: string = tmpdir()): Promise<HandlerCode> {
  let zip: Buffer;
  try {
    zip = await readFile(zipPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError(`the handler bundle ${zipPath} does not exist; run \`npm run build\` first`, undefined, {
        cause: error,
      });
    }
    throw error;
  }
  const hash = createHash('sha256').update(zip).digest('hex').slice(0, 24);
  const dir = join(baseDir, `products-cli-handler-${hash}`);
  if (!existsSync(join(dir, '.complete'))) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(zip);
    } catch (error) {
      throw new AppError(
        `the handler bundle ${zipPath} is not a valid zip (${(error as Error).message}); run \`npm run build\` again`,
        undefined,
        { cause: error },
      );
    }
    const staging = `${dir}.${process.pid}.${Date.now()}.tmp`;
    for (const [name, bytes] of Object.entries(files)) {
      if (name.endsWith('/')) continue;
      const target = normalize(join(staging, name));
      if (!target.startsWith(staging + sep))
        throw new AppError(`the handler bundle ${zipPath} holds an unsafe path: ${name}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
    await writeFile(join(staging, '.complete'), '');
    try {
      await rename(staging, dir);
    } catch {
      // Another process unpacked the same bytes first: use its copy.
      await rm(staging, { recursive: true, force: true });
    }
  }
  const entry = ['index.mjs', 'index.js', 'index.cjs'].map((name) => join(dir, name)).find((file) => existsSync(file));
  if (!entry) throw new AppError(`the handler bundle ${zipPath} has no index.mjs, index.js or index.cjs`);
  return { dir, entry, exportName: 'handler' };
}
