// The built page stays small and self-contained: HTML, CSS and script under a budget gzipped, and no file of it
// names another host to load from (the CSP would refuse it anyway; this says so before a browser does).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../helpers/artifact.js';
import { requireBuild } from '../helpers/run-cli.js';

const WEB = join(packageRoot, 'build', 'web');
/** What the products page ships, Health's charts included; Swagger UI (api.*) loads only on the API page. */
const BUDGET_BYTES = 24 * 1024;

beforeAll(() => {
  requireBuild();
  if (!existsSync(join(WEB, 'console.js')))
    throw new Error('build/web is missing: run npm run build before these tests');
});

describe('the built console page', () => {
  it(`is under ${BUDGET_BYTES / 1024} KB gzipped`, () => {
    const files = readdirSync(WEB).filter((file) => !file.startsWith('api.'));
    expect(files.sort()).toEqual(['console.css', 'console.js', 'index.html']);
    const gzipped = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(WEB, file))).length, 0);
    expect(gzipped).toBeLessThan(BUDGET_BYTES);
  });

  it('loads nothing from another host', () => {
    for (const file of ['index.html', 'api.html']) {
      expect(readFileSync(join(WEB, file), 'utf8').match(/(?:src|href)="(?:https?:)?\/\/[^"]*"/g), file).toBeNull();
    }
  });
});
