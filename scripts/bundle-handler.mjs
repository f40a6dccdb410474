// Bundles the Lambda handler into one minified ESM file and packs it into dist/handler.zip, byte for byte the
// same for the same sources, so that an unchanged handler is never uploaded again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const zipPath = outFlag > 0 ? process.argv[outFlag + 1] : join(root, 'dist', 'handler.zip');
// --no-minify keeps function names, for reading a CPU profile of the bundle (scripts/bench/profile.mjs).
const minify = !process.argv.includes('--no-minify');

const result = await build({
  entryPoints: [join(root, 'src/handler/index.ts')],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify,
  legalComments: 'none',
  // The SDK's ES module builds tree-shake; its CommonJS builds (the default for platform node) do not.
  mainFields: ['module', 'main'],
  write: false,
  // Some SDK dependencies are CommonJS and require() Node built-ins, which an ESM bundle must provide.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
});

const code = result.outputFiles[0].contents;
// A fixed time built from local fields: zip stores local DOS time, so the bytes do not depend on the time zone.
const mtime = new Date(1980, 0, 1, 0, 0, 0);
const zip = zipSync({ 'index.mjs': [code, { mtime, level: 9, os: 3, attrs: 0o100644 << 16 }] });

mkdirSync(dirname(zipPath), { recursive: true });
writeFileSync(zipPath, zip);
console.log(`${relative(process.cwd(), zipPath) || zipPath}: ${zip.length} bytes (index.mjs ${code.length} bytes)`);
