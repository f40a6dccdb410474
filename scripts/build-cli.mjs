// Compiles src/ to build/, one JavaScript module per TypeScript one, as tsc would lay them out: esbuild strips
// the types in well under a second where tsc's emit takes about 10 s, most of it reading the AWS SDK's
// declarations. Types are checked by `npm run typecheck` (part of `npm run lint`), not here.
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const out = join(root, 'build');

const sources = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => join(src, file));

// A module removed from src/ must not linger in build/, where a stale import would still find it.
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: sources,
  outdir: out,
  outbase: src,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
});
console.log(`${relative(process.cwd(), out) || out}: ${sources.length} modules`);
