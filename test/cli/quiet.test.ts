// --quiet through the real bin, for every registered command: the same session is run twice, loud and quiet, with
// stderr a terminal so that spinners and bars are drawn too; the quiet run prints the same results with the
// same exit codes and nothing at all on stderr. On the local stack always, and on AWS's API through moto.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/registry.js';
import { requireBuild, runCli, type CliRun } from '../helpers/run-cli.js';
import { motoAvailable, startEmulator, type Emulator } from '../e2e-moto/moto-server.js';

const terminalStderr = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'stderr-terminal.mjs');

/** A user's session on the local stack: each command as it is typed, in order. */
const LOCAL_SESSION: string[][] = [
  ['setup', '--local', '--port', '0', '--rate-limit', '10000', '--burst-limit', '10000'],
  ['add', '--id', 'q1', '--title', 'Quiet', '--price', '1'],
  ['get', 'q1'],
  ['update', 'q1', '--price', '2'],
  ['list'],
  ['import', 'products.ndjson'],
  // One segment: pages in table order, so that both runs print the same lines in the same order.
  ['export', '--segments', '1'],
  ['delete', 'q1'],
  ['smoke'],
  ['bench', '--requests', '20', '--mix', 'get=1'],
  ['demo'],
  ['openapi'],
  ['completion', 'bash'],
  ['status', '--local'],
  ['logs', '--local', '--filter', '/product/q1'],
  ['metrics', '--local', '--since', '15m'],
  ['teardown', '--local', '--yes'],
];

/** Where the AWS session sends its calls: replaced by moto's URL when it runs. */
const EMULATOR = '<moto>';
const WHERE = ['--endpoint-url', EMULATOR, '--region', 'us-east-1', '--stack', 'quiet'];

/** The stack's commands on AWS, against moto (which has no data plane, hence --no-verify). */
const AWS_SESSION: string[][] = [
  ['setup', ...WHERE, '--no-verify'],
  ['deploy', ...WHERE],
  ['rollback', ...WHERE, '--to', '1'],
  ['versions', ...WHERE],
  ['status', ...WHERE, '--no-verify'],
  ['logs', ...WHERE],
  ['metrics', ...WHERE],
  ['teardown', ...WHERE, '--yes'],
  ['policy', ...WHERE],
];

/** The commands neither session runs, and why. */
const NOT_RUN: Record<string, string> = {
  local: 'runs in the foreground until Ctrl-C; its request log on stderr is what it shows',
  template: 'writes a folder and prints where; test/commands/template.test.ts runs it through the bin',
  console: 'serves its page in the foreground until Ctrl-C; test/browser/console-browser.test.ts drives it',
};

const PRODUCTS = ['{"id":"i1","title":"Imported one","price":3}', '{"id":"i2","title":"Imported two","price":4}'].join(
  '\n',
);

/** What differs in stdout from one run to the next whatever the flags, and what it is replaced with. */
const VARYING: Array<[RegExp, string]> = [
  [/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, '<request id>'],
  [/AKIA[A-Z0-9]{16}/g, '<access key>'],
  [/[a-z0-9]+(?=\.execute-api\.)/g, '<rest api id>'],
  [/(?<=\/restapis\/)[a-z0-9]+/g, '<rest api id>'],
  [/\d+(?:\.\d+)? ?(?:µs|ms|s|m|h|d)\b/g, '<time>'],
  [/\d+(?:\.\d+)? (?:B|KiB|MiB|GiB)\b/g, '<size>'],
  [/\d+(?:\.\d+)?/g, '#'],
  [/[\u2580-\u259f]/g, ''], // the bars of bench's latency histogram
  [/ +/g, ' '],
];

/** stdout with what varies from run to run masked, and repeated lines (a histogram's rows, once masked) once. */
function comparable(run: SessionRun): string {
  const masked = VARYING.reduce(
    (text, [pattern, mask]) => text.replace(pattern, mask),
    run.stdout.replaceAll(run.cwd, '<cwd>'),
  );
  return masked
    .split('\n')
    .filter((line, index, lines) => index === 0 || line !== lines[index - 1])
    .join('\n');
}

interface SessionRun extends CliRun {
  cwd: string;
}

const cwds: string[] = [];

interface SessionOptions {
  env?: Record<string, string>;
  /** The URL that stands for EMULATOR. */
  emulator?: string;
}

/** Runs `steps` in a fresh directory, each with `extra` after its arguments. */
async function runSession(
  steps: string[][],
  extra: string[],
  { env = {}, emulator = '' }: SessionOptions,
): Promise<SessionRun[]> {
  const cwd = await mkdtemp(join(tmpdir(), 'products-cli-quiet-'));
  cwds.push(cwd);
  await writeFile(join(cwd, 'products.ndjson'), `${PRODUCTS}\n`);
  const runs: SessionRun[] = [];
  for (const args of steps) {
    const run = await runCli([...args.map((arg) => (arg === EMULATOR ? emulator : arg)), ...extra], {
      cwd,
      env,
      nodeArgs: ['--import', terminalStderr],
    });
    runs.push({ ...run, cwd });
  }
  return runs;
}

/**
 * In the describe block it is called in: runs the session without --quiet, then again with it from nothing, and
 * tests each step's quiet run against its loud one. Returns the runs, filled in before the block's tests.
 */
function compareLoudAndQuiet(
  steps: string[][],
  prepare: () => Promise<SessionOptions>,
): { loud: SessionRun[]; quiet: SessionRun[] } {
  const runs = { loud: [] as SessionRun[], quiet: [] as SessionRun[] };
  beforeAll(async () => {
    requireBuild();
    const options = await prepare();
    runs.loud = await runSession(steps, [], options);
    runs.quiet = await runSession(steps, ['--quiet'], options);
  }, 240_000);

  it.each(steps.map((args, index) => [args.join(' '), index] as const))('%s', (_name, index) => {
    const loud = runs.loud[index] as SessionRun;
    const quiet = runs.quiet[index] as SessionRun;
    expect(quiet.stderr, `stderr of --quiet (without it: ${JSON.stringify(loud.stderr)})`).toBe('');
    expect(quiet.code, loud.stderr).toBe(loud.code);
    expect(comparable(quiet)).toBe(comparable(loud));
  });
  return runs;
}

/** The commands of `steps` that wrote to stderr. */
const reporting = (steps: string[][], runs: SessionRun[]) =>
  steps.filter((_args, index) => runs[index]?.stderr !== '').map(([name]) => name);

afterAll(async () => {
  // A session that failed half-way may have left its stack running in the background.
  for (const cwd of cwds) {
    await runCli(['teardown', '--local', '--yes', '--quiet'], { cwd });
    await rm(cwd, { recursive: true, force: true });
  }
});

it('the sessions run every registered command', () => {
  const run = new Set([...LOCAL_SESSION, ...AWS_SESSION].map(([name]) => name));
  expect([...run, ...Object.keys(NOT_RUN)].sort()).toEqual([...new Set(COMMANDS.map((entry) => entry.name))].sort());
});

describe('--quiet on the local stack', () => {
  const runs = compareLoudAndQuiet(LOCAL_SESSION, async () => ({}));

  it('is needed: without it, the commands that report progress do so on stderr', () => {
    expect(reporting(LOCAL_SESSION, runs.loud)).toEqual(
      expect.arrayContaining(['setup', 'list', 'import', 'export', 'bench', 'demo', 'teardown']),
    );
  });
});

describe.runIf(motoAvailable)('--quiet on AWS (moto)', () => {
  let emulator: Emulator | undefined;
  const runs = compareLoudAndQuiet(AWS_SESSION, async () => {
    emulator = await startEmulator();
    return {
      env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' },
      emulator: emulator.url,
    };
  });
  afterAll(async () => emulator?.stop());

  it('is needed: without it, setup, deploy and teardown report their steps on stderr', () => {
    expect(reporting(AWS_SESSION, runs.loud)).toEqual(expect.arrayContaining(['setup', 'deploy', 'teardown']));
    expect(runs.loud[0]?.stderr).toMatch(/\+ table quiet-product: created/);
  });
});
