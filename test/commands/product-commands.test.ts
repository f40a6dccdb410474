// End to end: the real bin, as a child process, against the real local stack.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIST_LIMIT_MAX } from '../../src/contract/index.js';
import { EXIT } from '../../src/errors.js';
import { writeState } from '../../src/state/state-file.js';
import { binPath, cliName, parseNdjson, requireBuild, runCli, type CliRun } from '../helpers/run-cli.js';
import { useLocalStack } from '../helpers/local-stack.js';
import { product, productFlags } from '../helpers/product.js';

const stack = useLocalStack();

beforeAll(async () => {
  requireBuild();
});

/** Runs the CLI against the stack through --url. */
const cli = (args: string[], input?: string): Promise<CliRun> => stack.cli(args, { input });

/** A one-line error on stderr, prefixed with the CLI's name, with no stack trace and no raw JSON. */
function expectOneLineError(run: CliRun, code: number, text: string | RegExp): void {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^products-cli: /);
  expect(lines[0]).toMatch(text);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

let counter = 0;
const freshId = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

describe('add', () => {
  it('creates a product from flags and shows it', async () => {
    const id = freshId('add');

    const run = await cli([
      'add',
      '--id',
      id,
      '--title',
      'IPhone',
      '--description',
      'This is an IPhone',
      '--price',
      '900',
    ]);

    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.split('\n')[0]).toBe(`created product ${id}`);
    expect(run.stdout).toMatch(new RegExp(`^id +${id}$`, 'm'));
    expect(run.stdout).toMatch(/^title +IPhone$/m);
    expect(run.stdout).toMatch(/^price +900\.00$/m);
    expect(run.stdout).toMatch(/^version +1$/m);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('creates a product from a JSON file and prints it as JSON', async () => {
    const id = freshId('file');
    const file = join(stack.dir, `${id}.json`);
    await writeFile(file, JSON.stringify({ id, title: 'IPad', price: 499.99 }));

    const run = await cli(['add', '--file', file, '--json']);

    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ id, title: 'IPad', description: '', price: 499.99, version: 1 });
  });

  it('creates a product read from stdin with -, flags overriding its fields', async () => {
    const run = await cli(['add', '-', '--price', '12.5', '--json'], JSON.stringify({ title: '  Cable  ', price: 1 }));

    expect(run.code).toBe(EXIT.ok);
    const product = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(product).toMatchObject({ title: 'Cable', price: 12.5 });
    expect(typeof product.id).toBe('string');
  });

  it('copies a product: the output of get --json fed back through stdin, server fields dropped', async () => {
    const id = freshId('original');
    await cli(['add', '--id', id, '--title', 'Original', '--description', 'to copy', '--price', '10']);
    const original = await cli(['get', id, '--json']);

    const copy = await cli(['add', '-', '--id', `${id}-copy`, '--json'], original.stdout);

    expect(copy.code).toBe(EXIT.ok);
    expect(JSON.parse(copy.stdout)).toMatchObject({
      id: `${id}-copy`,
      title: 'Original',
      description: 'to copy',
      price: 10,
      version: 1,
    });
  });

  it('refuses an id that exists with exit 4', async () => {
    const id = freshId('dup');
    expect((await cli(['add', '--id', id, '--title', 'A', '--price', '1'])).code).toBe(EXIT.ok);

    const run = await cli(['add', '--id', id, '--title', 'B', '--price', '2']);

    expectOneLineError(run, EXIT.conflict, `a product with id ${id} already exists`);
  });

  it.each([
    [['--title', 'X', '--price', 'abc'], /--price must be a number/],
    [['--title', 'X', '--price', '9.999'], /--price must have at most 2 decimal places/],
    [['--title', 'X', '--price', '-1'], /--price must be between 0 and 1000000000/],
    [['--title', '   ', '--price', '1'], /--title must not be empty/],
    [['--price', '1'], /title is required/],
    [['--id', 'has space', '--title', 'X', '--price', '1'], /--id must be 1-128 characters/],
    [[], /nothing to add/],
  ])('rejects bad values %j with exit 2 before sending', async (args, message) => {
    const run = await cli(['add', ...args]);

    expectOneLineError(run, EXIT.usage, message);
  });

  it('rejects a file that is not a JSON object with exit 2', async () => {
    const file = join(stack.dir, 'bad.json');
    await writeFile(file, '[1, 2]');

    expectOneLineError(await cli(['add', '--file', file]), EXIT.usage, /must hold one JSON object/);
    expectOneLineError(
      await cli(['add', '--file', join(stack.dir, 'missing.json')]),
      EXIT.usage,
      /missing\.json does not exist/,
    );
    expectOneLineError(await cli(['add', '-'], '{not json'), EXIT.usage, /stdin is not valid JSON/);
  });
});

describe('get', () => {
  it('shows a product, and as JSON with --json', async () => {
    const id = freshId('get');
    await cli(['add', '--id', id, '--title', 'Watch', '--price', '250']);

    const human = await cli(['get', id]);
    const json = await cli(['get', id, '--json']);

    expect(human.code).toBe(EXIT.ok);
    expect(human.stdout).toMatch(/^title +Watch$/m);
    expect(human.stdout).toMatch(/^description +\(none\)$/m);
    expect(json.code).toBe(EXIT.ok);
    expect(JSON.parse(json.stdout)).toMatchObject({ id, title: 'Watch', price: 250, version: 1 });
  });

  it('exits 3 for a product that does not exist', async () => {
    expectOneLineError(await cli(['get', 'no-such-product']), EXIT.notFound, 'no product has id no-such-product');
  });

  it('reports errors as JSON on stderr with --json', async () => {
    const run = await cli(['get', 'no-such-product', '--json']);

    expect(run.code).toBe(EXIT.notFound);
    expect(run.stdout).toBe('');
    expect(JSON.parse(run.stderr)).toEqual({
      error: { name: 'NotFoundError', message: 'no product has id no-such-product', exitCode: EXIT.notFound },
    });
  });

  it('rejects an id that cannot exist with exit 2', async () => {
    expectOneLineError(await cli(['get', 'a/b']), EXIT.usage, /^products-cli: id must be 1-128 characters/);
  });
});

describe('list', () => {
  const ids = [freshId('list'), freshId('list'), freshId('list')];

  beforeAll(async () => {
    for (const [index, id] of ids.entries()) {
      await cli([
        'add',
        '--id',
        id,
        '--title',
        `Listed product ${index} with a title long enough to be cut in the table`,
        '--price',
        `${index + 1}000.5`,
      ]);
    }
  });

  it('prints every product as NDJSON with --json, following cursors', async () => {
    const run = await cli(['list', '--json', '--page-size', '2']);

    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toBe('');
    const products = parseNdjson(run.stdout) as { id: string }[];
    expect(products.map((product) => product.id)).toEqual(expect.arrayContaining(ids));
    expect(new Set(products.map((product) => product.id)).size).toBe(products.length);
  });

  it('stops at --limit', async () => {
    const run = await cli(['list', '--json', '--limit', '2', '--page-size', '1']);

    expect(run.code).toBe(EXIT.ok);
    expect(parseNdjson(run.stdout)).toHaveLength(2);
  });

  it('prints a table with aligned columns and a count on stderr', async () => {
    const run = await cli(['list']);

    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.trimEnd().split('\n');
    const header = lines[0] as string;
    expect(header).toMatch(/^ID +TITLE +PRICE +VERSION +UPDATED$/);
    // Prices are right-aligned under their header.
    const priceEnd = header.indexOf('PRICE') + 'PRICE'.length;
    for (const id of ids) {
      const row = lines.find((line) => line.startsWith(`${id} `)) as string;
      expect(row).toBeDefined();
      expect(row).toContain('…');
      expect(row.slice(0, priceEnd)).toMatch(/\d,\d{3}\.50$/);
    }
    expect(run.stderr).toMatch(/^\d+ products\n$/);
  });

  it('prints each page before the next one arrives', async () => {
    const { startScriptedServer, reply } = await import('../http/helpers/scripted-server.js');
    const item = (id: string) => ({
      id,
      title: id,
      description: '',
      price: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      version: 1,
    });
    let firstLineSeen: () => void = () => {};
    const firstLine = new Promise<void>((resolve) => (firstLineSeen = resolve));
    // The second page is held back until the first page's row has reached the CLI's stdout.
    const server = await startScriptedServer([
      reply(200, { items: [item('first')], nextCursor: 'next' }),
      async (request, response, index) => {
        await firstLine;
        reply(200, { items: [item('second')], nextCursor: null })(request, response, index);
      },
    ]);
    const child = spawn(process.execPath, [binPath, 'list', '--json', '--page-size', '1', '--url', server.url], {
      cwd: stack.dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) firstLineSeen();
    });

    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await server.stop();

    expect(code).toBe(EXIT.ok);
    expect((parseNdjson(stdout) as { id: string }[]).map((product) => product.id)).toEqual(['first', 'second']);
  });

  it('stops quietly, exit 0, when the reader of its output goes away (| head -1)', async () => {
    const child = spawn(process.execPath, [binPath, 'list', '--json', '--page-size', '1', '--url', stack.url], {
      cwd: stack.dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Read the first line, then close the pipe as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());

    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(code).toBe(EXIT.ok);
    expect(stderr).toBe('');
  });

  it.each([
    [['--limit', '0'], /--limit must be a whole number from 1/],
    [
      ['--page-size', String(LIST_LIMIT_MAX + 1)],
      new RegExp(`--page-size must be a whole number from 1 to ${LIST_LIMIT_MAX}`),
    ],
  ])('rejects %j with exit 2', async (args, message) => {
    expectOneLineError(await cli(['list', ...args]), EXIT.usage, message);
  });
});

describe('update', () => {
  it('changes the price, and refuses a stale --if-version with exit 4', async () => {
    const id = freshId('update');
    await cli(['add', ...productFlags(product({ id }))]);

    const first = await cli(['update', id, '--price', '850', '--if-version', '1', '--json']);
    const stale = await cli(['update', id, '--price', '800', '--if-version', '1']);

    expect(first.code).toBe(EXIT.ok);
    expect(JSON.parse(first.stdout)).toMatchObject({ id, price: 850, version: 2 });
    expectOneLineError(stale, EXIT.conflict, `product ${id} is at version 2, not 1`);
  });

  it('says what it did before the product as it now is', async () => {
    const id = freshId('update-text');
    await cli(['add', ...productFlags(product({ id }))]);

    const run = await cli(['update', id, '--price', '850']);

    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.split('\n')[0]).toBe(`updated product ${id} (version 2)`);
    expect(run.stdout).toMatch(/^price +850\.00$/m);
  });

  it.each([
    [['--price', '1.234'], /--price must have at most 2 decimal places/],
    [[], /nothing to change/],
    [['--title', 'X', '--if-version', 'two'], /--if-version must be a product version/],
  ])('rejects %j with exit 2', async (args, message) => {
    expectOneLineError(await cli(['update', 'whatever', ...args]), EXIT.usage, message);
  });

  it('exits 3 for a product that does not exist', async () => {
    expectOneLineError(
      await cli(['update', 'no-such-product', '--price', '1']),
      EXIT.notFound,
      'no product has id no-such-product',
    );
  });
});

describe('delete', () => {
  it('deletes a product, after which get exits 3', async () => {
    const id = freshId('delete');
    await cli(['add', '--id', id, '--title', 'Gone soon', '--price', '1']);

    const run = await cli(['delete', id]);
    const after = await cli(['get', id]);

    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toBe(`deleted product ${id}\n`);
    expect(after.code).toBe(EXIT.notFound);
  });

  it('honours --if-version and prints JSON with --json', async () => {
    const id = freshId('delete-version');
    await cli(['add', '--id', id, '--title', 'Versioned', '--price', '1']);

    const stale = await cli(['delete', id, '--if-version', '7']);
    const right = await cli(['delete', id, '--if-version', '1', '--json']);

    expectOneLineError(stale, EXIT.conflict, `product ${id} is at version 1, not 7`);
    expect(right.code).toBe(EXIT.ok);
    expect(JSON.parse(right.stdout)).toEqual({ id, deleted: true });
  });

  it('exits 3 for a product that does not exist', async () => {
    expectOneLineError(await cli(['delete', 'no-such-product']), EXIT.notFound, 'no product has id no-such-product');
  });
});

describe('targets and failures', () => {
  it('uses PRODUCTS_API_URL when --url is absent', async () => {
    const id = freshId('env');
    await cli(['add', '--id', id, '--title', 'Env', '--price', '1']);

    const run = await runCli(['get', id, '--json'], { cwd: stack.dir, env: { PRODUCTS_API_URL: stack.url } });

    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ id });
  });

  it('uses the state file when neither --url nor PRODUCTS_API_URL is given', async () => {
    const id = freshId('state');
    await cli(['add', '--id', id, '--title', 'State', '--price', '1']);
    const stateCwd = await mkdtemp(join(tmpdir(), 'products-cli-state-'));
    await writeState(stateCwd, {
      version: 1,
      current: 'local',
      local: {
        url: stack.url,
        port: stack.port,
        stage: 'prod',
        pid: process.pid,
        dynamodbEndpoint: stack.dynamodbEndpoint,
        startedAt: new Date().toISOString(),
      },
    });

    const run = await runCli(['get', id, '--json'], { cwd: stateCwd });
    await rm(stateCwd, { recursive: true, force: true });

    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ id });
  });

  it('exits 2 with what to do when there is no target', async () => {
    const run = await runCli(['get', '1'], { cwd: stack.dir });

    expectOneLineError(run, EXIT.usage, `no API target: run \`${cliName} setup --local\` or pass --url`);
  });

  it('exits 2 for a --url that is not a URL', async () => {
    expectOneLineError(
      await runCli(['get', '1', '--url', 'localhost:3000'], { cwd: stack.dir }),
      EXIT.usage,
      /--url must be an http or https URL/,
    );
  });

  it('exits 5 naming the URL when the API cannot be reached', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const url = `http://127.0.0.1:${closedPort}/prod`;

    const run = await runCli(['get', '1', '--url', url], { cwd: stack.dir });

    expectOneLineError(
      run,
      EXIT.api,
      `cannot reach ${url}/product/1 for GET: connection refused (5 attempts); is the API running?`,
    );
  });

  it('exits 5 and hints at the stage when the URL lacks it', async () => {
    const withoutStage = stack.url.replace(/\/prod$/, '');

    const run = await runCli(['get', '1', '--url', withoutStage], { cwd: stack.dir });

    expectOneLineError(run, EXIT.api, /403 Missing Authentication Token.*ends with the stage/);
  });

  it('stops on Ctrl-C while waiting for an answer, with exit 130 and one line', async () => {
    const { startScriptedServer, hang } = await import('../http/helpers/scripted-server.js');
    let arrived: () => void = () => {};
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = await startScriptedServer(async (...args) => {
      arrived();
      await hang(...args);
    });
    const child = spawn(process.execPath, [binPath, 'get', '1', '--url', server.url], {
      cwd: stack.dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

    await requestArrived;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await server.stop();

    expect(code).toBe(EXIT.interrupted);
    expect(stderr).toBe('products-cli: interrupted\n');
  });

  it.each([
    [['get'], /get needs <id>/],
    [['get', '1', '--bogus'], /unknown option '--bogus'/],
    [['lsit'], /unknown command 'lsit'/],
  ])('exits 2 for bad flags %j', async (args, message) => {
    const run = await cli(args);

    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(message);
  });

  it.each(['add', 'get', 'list', 'update', 'delete', 'demo'])('shows examples in `%s --help`', async (command) => {
    const run = await runCli([command, '--help'], { cwd: stack.dir });

    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain(`$ ${cliName} ${command}`);
  });
});
