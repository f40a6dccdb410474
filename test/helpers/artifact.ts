/** The built artifact dist/handler.zip, unpacked into a temporary folder for tests that must run *that* file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll } from 'vitest';

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const handlerZipPath = join(packageRoot, 'dist', 'handler.zip');

const unpacked: string[] = [];
// Registered while the importing test file is collected: its folders go when that file's tests are done.
afterAll(() => {
  for (const dir of unpacked.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Unpacks the zip and returns the folder holding index.mjs. */
export function unpackArtifact(zipPath = handlerZipPath): string {
  const dir = mkdtempSync(join(tmpdir(), 'products-artifact-'));
  unpacked.push(dir);
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zipPath)))) {
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
}
