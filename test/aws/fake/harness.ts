/** A fake AWS account on a virtual clock, and a command context that captures what the CLI writes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { Context } from '../../../src/context.js';
import { DEFAULT_WAITS } from '../../../src/provision/context.js';
import type { AwsDeps } from '../../../src/provision/session.js';
import { fileStateStore, type StateStore } from '../../../src/provision/state-store.js';
import { FakeAws, type LatencyModel } from './fake-aws.js';
import { VirtualClock } from './virtual-clock.js';

export const FAKE_ZIP = new TextEncoder().encode('PK fake bundle v1');

export interface Captured extends Writable {
  text(): string;
}

export function capture(isTTY = false): Captured & { isTTY: boolean } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Captured & { isTTY: boolean };
  stream.text = () => chunks.join('');
  stream.isTTY = isTTY;
  return stream;
}

export interface TestContext extends Context {
  stdout: Captured & { isTTY: boolean };
  stderr: Captured & { isTTY: boolean };
}

export function testContext(
  cwd: string,
  options: { json?: boolean; stdinTTY?: boolean; signal?: AbortSignal } = {},
): TestContext {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = Boolean(options.stdinTTY);
  return {
    stdout: capture(),
    stderr: capture(),
    stdin,
    env: {},
    cwd,
    json: Boolean(options.json),
    color: false,
    signal: options.signal ?? new AbortController().signal,
  };
}

export interface FakeWorld {
  fake: FakeAws;
  clock: VirtualClock;
  cwd: string;
  /** Dependencies for a command: the fake's clients, the virtual clock, a fixed bundle, a fetch that answers 200. */
  deps(overrides?: Partial<AwsDeps>): Partial<AwsDeps>;
}

/** A fresh fake account and working directory. */
export function fakeWorld(model: Partial<LatencyModel> = {}): FakeWorld {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const fake = new FakeAws(clock, model);
  const cwd = mkdtempSync(join(tmpdir(), 'products-cli-aws-'));
  const clients = fake.clients();
  const okFetch = (async () =>
    new Response(JSON.stringify({ items: [], nextCursor: null }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })) as typeof fetch;
  return {
    fake,
    clock,
    cwd,
    deps: (overrides = {}) => ({
      clients,
      clock,
      fetch: okFetch,
      readCode: async () => FAKE_ZIP,
      waits: DEFAULT_WAITS,
      store: heldStore(
        fileStateStore(cwd, () => ({ region: 'unknown', stage: 'prod' })),
        clock,
      ),
      ...overrides,
    }),
  };
}

/** Mutating calls among the calls from index `from` on. */
export function mutatingCalls(fake: FakeAws, from = 0): string[] {
  return fake.calls
    .slice(from)
    .filter((c) => !/^(Get|Describe|List|Filter|Scan)/.test(c.op))
    .map((c) => `${c.service}:${c.op}`);
}

/** The state file, with time standing still while it is written (real I/O on a virtual clock). */
export function heldStore(store: StateStore, clock: VirtualClock): StateStore {
  return {
    read: () => clock.hold(() => store.read()),
    update: (change) => clock.hold(() => store.update(change)),
    clear: () => clock.hold(() => store.clear()),
  };
}
