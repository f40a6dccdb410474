import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../http/helpers/scripted-server.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';
import { product, productFlags } from '../helpers/product.js';

let server: ScriptedServer;
let cwd: string;

beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-error-escaping-'));
  // A problem whose text carries terminal escapes, as anything that writes to the table could make it do.
  server = await startScriptedServer((_request, response) => {
    response.writeHead(409, { 'content-type': 'application/problem+json' });
    response.end(
      JSON.stringify({
        type: 'urn:products-cli:problem:conflict',
        title: 'Conflict \u001b[31mred',
        status: 409,
        detail: 'id \u001b]0;owned\u0007 exists',
      }),
    );
  });
});
afterAll(async () => {
  await server?.stop();
  await rm(cwd, { recursive: true, force: true });
});

describe('error messages on a terminal', () => {
  it('show control characters from the answer as escapes, never as terminal commands', async () => {
    const run = await runCli(['add', ...productFlags(product()), '--url', server.url], {
      cwd,
    });

    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^products-cli: /);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(run.stderr).toContain('\\x1b');
  });

  it('keep the exact text in --json, where JSON escapes it', async () => {
    const run = await runCli(['add', ...productFlags(product()), '--url', server.url, '--json'], { cwd });

    expect(run.code).toBe(4);
    expect(JSON.parse(run.stderr).error.message).toContain('\u001b');
  });

  it('escape control characters in usage errors too, which quote the command line', async () => {
    const run = await runCli(['list', '--no-such-\u001b[31mflag'], { cwd });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^products-cli: unknown option/);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(run.stderr).toContain('\\x1b');
  });
});
