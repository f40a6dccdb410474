import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../helpers/artifact.js';
import { requireBuild, runCli } from '../helpers/run-cli.js';

let cwd: string;

beforeAll(async () => {
  requireBuild();
  cwd = await mkdtemp(join(tmpdir(), 'products-cli-template-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe('products-cli template', () => {
  it('writes the template, the bundle and the commands that deploy it', async () => {
    const run = await runCli(['template', '--output', 'cfn', '--stack', 'alice', '--memory', '512', '--json'], { cwd });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      files: string[];
      parameters: Record<string, unknown>;
      commands: string[];
    };
    expect((await readdir(join(cwd, 'cfn'))).sort()).toEqual(['README.md', 'handler.zip', 'template.yaml']);
    expect(await readFile(join(cwd, 'cfn', 'handler.zip'))).toEqual(
      await readFile(join(packageRoot, 'dist', 'handler.zip')),
    );
    const template = parse(await readFile(join(cwd, 'cfn', 'template.yaml'), 'utf8')) as {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    expect(template.Resources.ProductTable?.Properties.TableName).toBe('alice-product');
    expect(result.parameters.MemorySize).toBe(512);
    expect(result.commands.join('\n')).toMatch(
      /aws cloudformation package .*\naws cloudformation deploy .*--stack-name products-alice --capabilities CAPABILITY_NAMED_IAM/,
    );
    expect(await readFile(join(cwd, 'cfn', 'README.md'), 'utf8')).toContain(result.commands[1]);
  });

  it('writes JSON with --format json', async () => {
    const run = await runCli(['template', '--output', 'cfn-json', '--format', 'json', '--auth', 'api-key'], { cwd });
    expect(run.code).toBe(0);
    const template = JSON.parse(await readFile(join(cwd, 'cfn-json', 'template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    expect(Object.values(template.Resources).map((r) => r.Type)).toContain('AWS::ApiGateway::UsagePlan');
  });

  it.each([
    [['template'], /--output DIR/],
    [['template', '--output', 'x', '--format', 'toml'], /--format/],
    [['template', '--output', 'x', '--port', '3001'], /--port applies to the local stack only/],
    [['template', '--output', 'x', '--auth', 'none', '--private-reads'], /--private-reads needs/],
  ])('refuses %j with a usage error', async (args, message) => {
    const run = await runCli(args, { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
