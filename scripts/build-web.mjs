// Builds the console's page (web/console/) into build/web/: one minified script per page, bundled with Preact
// and the contract's validation, next to the HTML and CSS; prints the shipped size, gzipped.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'web', 'console');
const out = join(root, 'build', 'web');
await mkdir(out, { recursive: true });
await build({
  entryPoints: { console: join(source, 'main.tsx'), api: join(source, 'swagger.ts') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
const files = ['index.html', 'api.html', 'console.css'];
await Promise.all(files.map((file) => copyFile(join(source, file), join(out, file))));
let total = 0;
for (const file of ['index.html', 'console.css', 'console.js'])
  total += gzipSync(await readFile(join(out, file))).length;
if (!process.argv.includes('--quiet'))
  console.log(`build/web: the products page is ${(total / 1024).toFixed(1)} KB gzipped (HTML, CSS and script)`);
