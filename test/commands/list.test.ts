// `list` on a terminal shows the first TERMINAL_LIST_LIMIT products and says more may remain; piped, --all or
// --json write every one. Against the real local stack.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { command, TERMINAL_LIST_LIMIT, type ListOptions } from '../../src/commands/list.js';
import { UsageError } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { testContext } from '../aws/fake/harness.js';

let stack: LocalStack;
const seeded = TERMINAL_LIST_LIMIT + 20;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, throttle: null });
  const api = new ProductApi({ baseUrl: stack.url });
  try {
    for (let index = 0; index < seeded; index += 1)
      await api.create({ id: `t-${index}`, title: `Product ${index}`, price: index + 1 });
  } finally {
    await api.close();
  }
});

afterAll(async () => {
  await stack?.stop();
});

async function listOn(terminal: boolean, opts: Partial<ListOptions> = {}) {
  const ctx = testContext('/tmp', { json: Boolean(opts.json) });
  ctx.stdout.isTTY = terminal;
  const options: ListOptions = { url: stack.url, ...opts };
  await command.print?.(await command.run([], options, { ...ctx, emit: () => {} }), ctx, options);
  const rows = ctx.stdout
    .text()
    .split('\n')
    .filter((line) => /^t-\d+ /.test(line) || line.startsWith('{'));
  return { rows: rows.length, stderr: ctx.stderr.text() };
}

describe('list on a terminal', () => {
  it('shows the first products and says how to see the rest', async () => {
    const shown = await listOn(true);

    expect(shown.rows).toBe(TERMINAL_LIST_LIMIT);
    expect(shown.stderr).toContain(
      `${TERMINAL_LIST_LIMIT} products (the first ${TERMINAL_LIST_LIMIT} are shown; more may remain: --all for every one, or --limit N)`,
    );
  });

  it.each([
    ['--all', { all: true }],
    ['--json', { json: true }],
  ])('writes every product with %s', async (_flag, opts) => {
    expect((await listOn(true, opts)).rows).toBe(seeded);
  });

  it('writes every product to a pipe, and --limit wins everywhere', async () => {
    expect((await listOn(false)).rows).toBe(seeded);
    expect((await listOn(true, { limit: 7 })).rows).toBe(7);
  });

  it('refuses --all with --limit', async () => {
    await expect(listOn(true, { all: true, limit: 3 })).rejects.toBeInstanceOf(UsageError);
  });
});
