// deploy, status, logs and the progress lines, against the stateful fake.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { deploy, renderDeploy } from '../../src/commands/deploy.js';
import { renderLogEvent, type LogEvent } from '../../src/commands/log-event.js';
import { filterPattern, toLogEvent } from '../../src/commands/logs/aws.js';
import { logs } from '../../src/commands/logs/index.js';
import { parseSince, readSince } from '../../src/commands/logs/since.js';
import { renderSetupAws } from '../../src/commands/setup/index.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { assertStackHealthy, renderStatus } from '../../src/commands/status/index.js';
import { AwsError, CheckFailedError, UsageError } from '../../src/errors.js';
import { createProgress } from '../../src/output/progress.js';
import { codeSha256 } from '../../src/provision/function.js';
import { versionDescription } from '../../src/provision/alias.js';
import { fakeWorld, FAKE_ZIP, testContext } from '../aws/fake/harness.js';
import { cliOptions } from '../cli/helpers/command-line.js';
import { VirtualClock } from '../aws/fake/virtual-clock.js';

const plain = new Chalk({ level: 0 });

describe('deploy', () => {
  it('uploads only when the bundle differs from CodeSha256, and waits for the update', async () => {
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    const same = await deploy({}, testContext(world.cwd), world.deps());
    expect(same).toMatchObject({ uploaded: false, sha256: codeSha256(FAKE_ZIP) });
    expect(world.fake.callsOf('UpdateFunctionCode')).toHaveLength(0);
    expect(renderDeploy(same, plain)).toBe(
      `Nothing to deploy: productFunction:live already runs this bundle (${codeSha256(FAKE_ZIP)}), version 1.`,
    );
    expect(world.fake.callsOf('UpdateAlias')).toHaveLength(0);

    const next = new TextEncoder().encode('PK fake bundle v2');
    const changed = await deploy({}, testContext(world.cwd), world.deps({ readCode: async () => next }));
    expect(changed).toMatchObject({
      uploaded: true,
      sha256: codeSha256(next),
      previousSha256: codeSha256(FAKE_ZIP),
      version: '2',
      replacedVersion: '1',
      pruned: [],
    });
    expect(renderDeploy(changed, plain)).toMatch(/live runs version 2 \(code .*\), replacing version 1/);
    // live moved once, in one call, to the version that records this bundle.
    expect(world.fake.callsOf('UpdateAlias').map((c) => c.input.FunctionVersion)).toEqual(['2']);
    expect(world.fake.functions.get('productFunction')?.versions?.at(-1)?.description).toBe(
      versionDescription(codeSha256(next)),
    );
    expect(world.fake.functions.get('productFunction')?.config.CodeSha256).toBe(codeSha256(next));
    // The update was waited on: the last read saw it finished.
    const reads = world.fake.calls.filter((c) => c.op === 'GetFunctionConfiguration');
    expect(reads.at(-1)?.at).toBeGreaterThanOrEqual(
      (world.fake.callsOf('UpdateFunctionCode')[0]?.at ?? 0) + world.fake.model.functionUpdateMs,
    );
  });

  it('prunes old versions on deploy, keeping the newest few and the live one', async () => {
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    let last;
    for (let n = 2; n <= 8; n += 1)
      last = await deploy(
        {},
        testContext(world.cwd),
        world.deps({ readCode: async () => new TextEncoder().encode(`PK bundle ${n}`) }),
      );
    const kept = world.fake.functions.get('productFunction')?.versions?.map((v) => v.version);
    expect(kept).toEqual(['3', '4', '5', '6', '7', '8']);
    expect(last).toMatchObject({ version: '8', replacedVersion: '7', pruned: ['2'] });
    expect(world.fake.functions.get('productFunction')?.aliases?.get('live')?.version).toBe('8');
  });

  it('says to run setup when there is no function', async () => {
    const world = fakeWorld();
    await expect(deploy({}, testContext(world.cwd), world.deps())).rejects.toThrow(
      new AwsError('function productFunction does not exist; run products-cli setup first'),
    );
  });
});

describe('status', () => {
  it('shows every resource present, the URL and the live check; missing ones after a partial teardown', async () => {
    const world = fakeWorld();
    const made = await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    const seen = await statusAws({}, testContext(world.cwd), world.deps());
    expect(seen.overall).toBe('present');
    expect(seen.url).toBe(made.url);
    expect(seen.verify?.ok).toBe(true);
    expect(renderStatus(seen, plain)).toContain('Live check: GET /product answered 200.');
    world.fake.logGroups.clear();
    const partial = await statusAws({ verify: false }, testContext(world.cwd), world.deps());
    expect(partial.overall).toBe('partial');
    expect(partial.resources.find((r) => r.resource === 'log group')?.outcome).toBe('missing');
    expect(renderStatus(partial, plain)).toMatch(/log group \/aws\/lambda\/productFunction\s+missing/);
    expect(() => assertStackHealthy(seen)).not.toThrow();
    expect(() => assertStackHealthy(partial)).toThrow(
      new CheckFailedError('stack default is incomplete: 1 resource is missing or drifted; run products-cli setup'),
    );
  });

  it('reports an empty account as absent, with read calls only', async () => {
    const world = fakeWorld();
    const seen = await statusAws({}, testContext(world.cwd), world.deps());
    expect(seen.overall).toBe('absent');
    expect(seen.verify).toBeUndefined();
    expect(() => assertStackHealthy(seen)).toThrow(/does not exist in us-east-1; run products-cli setup/);
    expect(world.fake.calls.every((c) => /^(Get|Describe|List)/.test(c.op))).toBe(true);
  });
});

describe('setup flags', () => {
  it.each([
    [{ port: '3000' }, '--port'],
    [{ dynamodbEndpoint: 'http://127.0.0.1:8000' }, '--dynamodb-endpoint'],
    [{ integrationTimeout: '5' }, '--integration-timeout'],
  ])('refuses the local-only flag %j on AWS before any call', async (flags, flag) => {
    const world = fakeWorld();

    await expect(setupAws({ verify: false, ...flags } as never, testContext(world.cwd), world.deps())).rejects.toThrow(
      UsageError,
    );
    await expect(setupAws({ verify: false, ...flags } as never, testContext(world.cwd), world.deps())).rejects.toThrow(
      flag,
    );
    expect(world.fake.calls).toHaveLength(0);
  });
});

describe('setup output', () => {
  it('says so when a rerun has nothing to do', async () => {
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    const again = await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    expect(renderSetupAws(again, plain)).toMatch(
      /^Nothing to do: every resource of stack default is already in place \(no create or update calls\)\./,
    );
  });

  it('prints nothing on stdout or stderr with --json (the command returns the data)', async () => {
    const world = fakeWorld();
    const ctx = testContext(world.cwd, { json: true });
    await setupAws({ verify: false }, ctx, world.deps());
    expect(ctx.stdout.text()).toBe('');
    expect(ctx.stderr.text()).toBe('');
  });

  it.each([
    [{ runtime: 'nodejs20.x' }, /--runtime must be nodejs24.x or nodejs22.x/],
    [{ arch: 'ppc' }, /--arch must be arm64 or x86_64/],
    [{ memory: '64' }, /--memory must be a whole number of MB from 128 to 10240/],
    [{ timeout: '30' }, /--timeout must be a whole number of seconds from 1 to 29/],
    [{ logRetention: '10' }, /--log-retention must be one of 1, 3, 5, 7, 14/],
    [{ stack: '9lives' }, /--stack "9lives" is not a valid stack name/],
  ])('rejects %j before any AWS call', async (flags, message) => {
    const world = fakeWorld();
    const error = await cliOptions('setup', flags)
      .then((opts) => setupAws(opts, testContext(world.cwd), world.deps()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect(world.fake.calls.filter((c) => c.op !== 'GetCallerIdentity')).toEqual([]);
  });
});

describe('logs', () => {
  const request = (status: number, path = '/product') =>
    JSON.stringify({
      timestamp: '2026-01-01T00:00:00.000Z',
      level: status >= 500 ? 'ERROR' : 'INFO',
      message: 'request',
      requestId: 'r-1',
      method: 'GET',
      resource: '/product',
      path,
      status,
      durationMs: 12.5,
    });

  it('renders request lines, platform reports and plain text readably', () => {
    const at = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(renderLogEvent(toLogEvent({ timestamp: at, message: request(200) }), plain)).toBe(
      '2026-01-01 12:00:00.000 GET    /product 200 12.5 ms r-1',
    );
    const report = JSON.stringify({
      time: 'x',
      type: 'platform.report',
      record: {
        requestId: 'r-1',
        metrics: { durationMs: 15.2, billedDurationMs: 16, maxMemoryUsedMB: 80, initDurationMs: 200 },
      },
    });
    expect(renderLogEvent(toLogEvent({ timestamp: at, message: report }), plain)).toBe(
      '2026-01-01 12:00:00.000 REPORT r-1 15.2 ms (billed 16 ms), 80 MB, init 200 ms',
    );
    expect(renderLogEvent(toLogEvent({ timestamp: at, message: 'plain text\n' }), plain)).toBe(
      '2026-01-01 12:00:00.000 plain text',
    );
  });

  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('--since %s goes back %i ms', (since, ms) => {
    expect(parseSince(since, 1_000_000_000)).toBe(1_000_000_000 - ms);
  });

  it('rejects a --since it cannot read, and quotes a plain --filter as one term', () => {
    expect(() => parseSince('yesterday', 0)).toThrow(UsageError);
    expect(filterPattern('ERROR')).toBe('"ERROR"');
    expect(filterPattern('say "hi"')).toBe('"say \\"hi\\""');
    expect(filterPattern('{ $.status >= 500 }')).toBe('{ $.status >= 500 }');
  });

  it('prints the events of the function log group since a time, filtered, and follows until stopped', async () => {
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    const group = world.fake.logGroups.get('/aws/lambda/productFunction');
    const now = world.clock.now();
    group?.events.push(
      { eventId: '1', timestamp: now - 20 * 60_000, message: request(200, '/old'), logStreamName: 's' },
      { eventId: '2', timestamp: now - 60_000, message: request(200), logStreamName: 's' },
      { eventId: '3', timestamp: now - 30_000, message: request(500), logStreamName: 's' },
    );
    const seen: LogEvent[] = [];
    const result = await logs({}, testContext(world.cwd), (e) => seen.push(e), world.deps());
    expect(seen.map((e) => e.eventId)).toEqual(['2', '3']);
    expect(result.events).toBe(2);
    const errors: LogEvent[] = [];
    await logs(
      { filter: 'ERROR', since: readSince('1h') },
      testContext(world.cwd),
      (e) => errors.push(e),
      world.deps(),
    );
    expect(errors.map((e) => e.eventId)).toEqual(['3']);

    // --follow: new events appear on the next poll; an abort ends it quietly.
    const abort = new AbortController();
    const followed: string[] = [];
    const following = logs(
      { follow: true, pollMs: 1_000 },
      testContext(world.cwd, { signal: abort.signal }),
      (e) => {
        followed.push(e.eventId ?? '');
        if (e.eventId === '3')
          group?.events.push({ eventId: '4', timestamp: world.clock.now(), message: request(201), logStreamName: 's' });
        if (e.eventId === '4') abort.abort();
      },
      world.deps(),
    );
    await expect(following).resolves.toMatchObject({ events: 3 });
    expect(followed).toEqual(['2', '3', '4']);
  });

  it('says once, with --follow and no events yet, that it waits for new ones', async () => {
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    const abort = new AbortController();
    const ctx = testContext(world.cwd, { signal: abort.signal });
    let polls = 0;
    const deps = world.deps();
    const client = deps.clients?.logs as NonNullable<typeof deps.clients>['logs'];
    const send = client.send.bind(client);
    client.send = ((command: never) => {
      if (++polls === 3) abort.abort();
      return send(command);
    }) as typeof client.send;

    await logs({ follow: true, pollMs: 1_000 }, ctx, () => undefined, deps);

    expect(ctx.stderr.text().match(/waiting for new ones/g)).toHaveLength(1);
    expect(ctx.stderr.text()).toMatch(
      /no events in \/aws\/lambda\/productFunction since \S+ yet; waiting for new ones \(Ctrl-C to stop\)…/,
    );
  });

  it('says to run setup when the log group does not exist', async () => {
    const world = fakeWorld();
    await expect(logs({}, testContext(world.cwd), () => undefined, world.deps())).rejects.toThrow(
      'log group /aws/lambda/productFunction does not exist in us-east-1; run products-cli setup first',
    );
  });
});

describe('progress', () => {
  it('prints one plain line per step with its duration when stderr is not a terminal', async () => {
    const clock = new VirtualClock();
    const ctx = testContext('/tmp');
    const progress = createProgress(ctx, clock);
    await progress.step('table product', async () => {
      await clock.sleep(8_240);
      return { outcome: 'created' as const };
    });
    progress.note('waiting for IAM…');
    expect(ctx.stderr.text()).toBe('+ table product: created 8.2 s\nwaiting for IAM…\n');
  });

  it('draws a spinner on a terminal and nothing with --json', async () => {
    const clock = new VirtualClock();
    const tty = testContext('/tmp');
    tty.stderr.isTTY = true;
    const spinner = createProgress(tty, clock);
    await spinner.step('role x', async () => ({ outcome: 'unchanged' as const }));
    expect(tty.stderr.text()).toMatch(/\r\x1b\[2K. role x/);
    expect(tty.stderr.text()).toContain('= role x: unchanged 0 ms\n');
    const json = testContext('/tmp', { json: true });
    const quiet = createProgress(json, clock);
    await quiet.step('role x', async () => ({ outcome: 'created' as const }));
    quiet.note('waiting');
    expect(json.stderr.text()).toBe('');
  });
});

describe('live check and refusals', () => {
  it('retries the live check while a new deployment answers 403, then reports success', async () => {
    const world = fakeWorld();
    let calls = 0;
    const fetch = (async () => {
      calls += 1;
      return calls < 3
        ? new Response('{"message":"Missing Authentication Token"}', { status: 403 })
        : new Response('{"items":[],"nextCursor":null}', { status: 200 });
    }) as typeof globalThis.fetch;
    const result = await setupAws({}, testContext(world.cwd), world.deps({ fetch }));
    expect(result.verify).toMatchObject({ ok: true, status: 200, attempts: 3 });
  });

  it('fails with a check error (exit 1) naming the last answer when the API never answers 200', async () => {
    const world = fakeWorld();
    const fetch = (async () =>
      new Response('{"message": "Internal server error"}', { status: 502 })) as typeof globalThis.fetch;
    const error = await setupAws({}, testContext(world.cwd), world.deps({ fetch })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('CheckFailedError');
    expect((error as Error).message).toMatch(
      /^the stack is set up but https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/prod\/product did not answer 200 within \d+\.\d s \(last: 502 \{"message": "Internal server error"\}\); see products-cli logs/,
    );
    // The stack itself is complete and recorded, so status and a rerun find it.
    expect((await statusAws({ verify: false }, testContext(world.cwd), world.deps())).overall).toBe('present');
  });

  it('names the missing permission when AWS denies a call (exit 6)', async () => {
    const world = fakeWorld();
    world.fake.intercept = (call) =>
      call.op === 'CreateRole'
        ? Object.assign(
            new Error(
              'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/productFunctionRole',
            ),
            { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } },
          )
        : undefined;
    const error = await setupAws({ verify: false }, testContext(world.cwd), world.deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as Error).message).toMatch(/^AWS denied iam:CreateRole: grant that permission to the caller/);
  });
});
