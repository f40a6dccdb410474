// The layers of the README's "How the code is laid out" import only downward: a module of one layer imports
// from the layers below it and from the shared modules at the root of src/, never from a layer above.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Top to bottom; the folders on one line are one layer. (The program in cli/ loads commands only by import().) */
const LAYERS: readonly (readonly string[])[] = [
  ['commands'],
  ['cli'],
  ['output'],
  ['console'],
  ['http', 'transfer', 'testing', 'openapi'],
  ['template'],
  ['provision'],
  ['local'],
  ['stack', 'state'],
  ['aws'],
  ['handler'],
  ['contract'],
];
/** What each layer of the same line may import of the others on it. */
const SIDEWAYS: Readonly<Record<string, readonly string[]>> = { transfer: ['http'], testing: ['http', 'transfer'] };

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const layerOf = (folder: string) => LAYERS.findIndex((line) => line.includes(folder));

/** Every relative import of src/, as [importing folder, imported folder or root module]. */
function imports(): { file: string; from: string; to: string }[] {
  return filesUnder(SRC).flatMap((file) => {
    const from = relative(SRC, file).split('/')[0] as string;
    if (from.endsWith('.ts')) return []; // the root modules are shared, and cli.ts is the program's entry
    return [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((match) => ({
      file: relative(SRC, file),
      from,
      to: relative(SRC, resolve(dirname(file), match[1] as string)).split('/')[0] as string,
    }));
  });
}

describe('the layers of src/', () => {
  it('name every folder of src/', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => layerOf(folder) === -1)).toEqual([]);
  });

  it('import only downward, or the shared modules at the root of src/', () => {
    const upward = imports().filter(({ from, to }) => {
      if (to === from || to.endsWith('.js')) return false;
      const [a, b] = [layerOf(from), layerOf(to)];
      if (a === b) return !(SIDEWAYS[from] ?? []).includes(to);
      return b < a;
    });
    expect(upward.map(({ file, to }) => `${file} imports ${to}/`)).toEqual([]);
  });

  it('keep the function free of everything but the contract', () => {
    expect(
      imports()
        .filter(({ from, to }) => from === 'handler' && to !== 'handler' && to !== 'contract')
        .map(({ file, to }) => `${file} imports ${to}`),
    ).toEqual([]);
  });
});
