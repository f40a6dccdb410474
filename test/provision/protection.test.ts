// Names checked before any call, the usage plan's throttle, point-in-time recovery, and late log events.
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/commands/log-event.js';
import { logs } from '../../src/commands/logs/index.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { EXIT, UsageError } from '../../src/errors.js';
import { checkResourceNames, resourceNames } from '../../src/provision/names.js';
import { fakeWorld, testContext } from '../aws/fake/harness.js';

const noVerify = { verify: false } as const;

describe('names are checked before any AWS call', () => {
  it.each([
    ['a stage with a space', { stage: 'my stage' }, /--stage "my stage" is not a valid stage name/],
    [
      'a stage too long for the permission statement ids',
      { stage: 's'.repeat(79) },
      /--stage is 79 characters; at most 78 fit in the function's permission statement ids/,
    ],
    [
      "the console's test stage",
      { stage: 'test-invoke-stage' },
      /--stage test-invoke-stage is the stage of the API Gateway console's Test button/,
    ],
    ['a stack name AWS would refuse', { stack: 'my_stack' }, /--stack "my_stack" is not a valid stack name/],
  ])('%s is a usage error (exit 2) and no call is made', async (_what, opts, message) => {
    const world = fakeWorld();
    const error = await setupAws({ ...noVerify, ...opts }, testContext(world.cwd), world.deps()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(EXIT.usage);
    expect((error as Error).message).toMatch(message);
    expect(world.fake.calls).toEqual([]);
  });

  it('accepts the longest stage that fits, and refuses any derived name beyond its AWS limit', () => {
    expect(resourceNames(undefined, 's'.repeat(78)).stage).toHaveLength(78);
    const names = resourceNames('ok');
    expect(() => checkResourceNames({ ...names, role: 'r'.repeat(65) })).toThrow(
      /makes the IAM role name "r{65}", which AWS refuses \(at most 64 characters\)/,
    );
    expect(() => checkResourceNames({ ...names, table: 'ab' })).toThrow(/table name "ab"/);
  });
});

describe('the usage plan follows --rate-limit and --burst-limit', () => {
  it('updates the plan in one call when the throttle changes, and status reads the difference', async () => {
    const world = fakeWorld();
    await setupAws({ ...noVerify, apiKey: true }, testContext(world.cwd), world.deps());
    const [plan] = [...world.fake.usagePlans.values()];
    expect(plan?.throttle).toEqual({ rateLimit: 100, burstLimit: 200 });
    const before = world.fake.calls.length;
    const result = await setupAws(
      { ...noVerify, apiKey: true, rateLimit: 50, burstLimit: 80 },
      testContext(world.cwd),
      world.deps(),
    );
    expect(plan?.throttle).toEqual({ rateLimit: 50, burstLimit: 80 });
    expect(world.fake.calls.slice(before).filter((c) => c.op === 'UpdateUsagePlan' && !c.error)).toHaveLength(1);
    expect(result.steps.find((s) => s.resource === 'API key')).toMatchObject({
      outcome: 'updated',
      detail: 'usage plan rateLimit 50, burstLimit 80',
    });
    const seen = await statusAws({ ...noVerify, apiKey: true }, testContext(world.cwd), world.deps());
    expect(seen.resources.find((r) => r.resource === 'API key')?.detail).toBe(
      'usage plan rateLimit not 100; usage plan burstLimit not 200',
    );
  });
});

describe('point-in-time recovery', () => {
  it('is turned on once the table is ACTIVE, waiting out "backups are being enabled", and status reports it', async () => {
    const world = fakeWorld({ backupsUnavailableMs: 2_000 });
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(world.fake.tables.get('product')?.pitr).toBe(true);
    const updates = world.fake.calls.filter((c) => c.op === 'UpdateContinuousBackups');
    expect(updates.some((c) => c.error === 'ContinuousBackupsUnavailableException')).toBe(true);
    expect(updates.at(-1)?.error).toBeUndefined();
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.resources.find((r) => r.resource === 'table')).toMatchObject({
      outcome: 'present',
      detail: 'point-in-time recovery on',
    });
    const table = world.fake.tables.get('product');
    if (table) table.pitr = false;
    const off = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(off.resources.find((r) => r.resource === 'table')).toMatchObject({
      outcome: 'drifted',
      detail: 'point-in-time recovery off',
    });
    const fixed = await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(fixed.steps.find((s) => s.resource === 'table')).toMatchObject({
      outcome: 'updated',
      detail: 'point-in-time recovery on',
    });
  });

  it('--no-pitr leaves it off, and status does not call that drift', async () => {
    const world = fakeWorld();
    await setupAws({ ...noVerify, pitr: false }, testContext(world.cwd), world.deps());
    expect(world.fake.tables.get('product')?.pitr).toBeFalsy();
    expect(world.fake.callsOf('UpdateContinuousBackups')).toEqual([]);
    const seen = await statusAws(noVerify, testContext(world.cwd), world.deps());
    expect(seen.resources.find((r) => r.resource === 'table')).toMatchObject({
      outcome: 'present',
      detail: 'point-in-time recovery off (--no-pitr)',
    });
  });

  it("teardown's question says DynamoDB keeps a 35-day system backup, and AWS keeps one", async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    world.fake.dynamodb.PutItem({
      TableName: 'product',
      Item: { id: { S: '1' }, title: { S: 'IPhone' }, price: { N: '900' } },
    });
    const error = await teardownAws({}, testContext(world.cwd), world.deps()).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /\(table product holds 1 item; point-in-time recovery is on, so DynamoDB keeps a system backup of the table for 35 days, restorable with aws dynamodb restore-table-from-backup\)/,
    );
    const done = await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(done.systemBackup).toBe(true);
    expect(world.fake.systemBackups).toEqual(['product$DeletedTableBackup']);
  });
});

describe('logs --follow', () => {
  it('prints an event that arrives late, stamped before the newest one already printed', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const group = '/aws/lambda/productFunction';
    const t0 = world.clock.now();
    world.fake.putLogEvent(group, 'first', t0 - 3_000, 0);
    world.fake.putLogEvent(group, 'second', t0 - 1_000, 0);
    // Stamped between them, but its stream is ingested 5 s late.
    world.fake.putLogEvent(group, 'late', t0 - 2_000, 7_000);
    const abort = new AbortController();
    const seen: LogEvent[] = [];
    await logs(
      { follow: true, pollMs: 1_000 },
      testContext(world.cwd, { signal: abort.signal }),
      (e) => {
        seen.push(e);
        if (e.message === 'late') abort.abort();
      },
      world.deps(),
    );
    expect(seen.map((e) => e.message)).toEqual(['first', 'second', 'late']);
  });

  it('prints each event once while it stays in the re-read window', async () => {
    const world = fakeWorld();
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const group = '/aws/lambda/productFunction';
    world.fake.putLogEvent(group, 'only', world.clock.now() - 500, 0);
    const abort = new AbortController();
    const seen: string[] = [];
    const started = world.clock.now();
    const following = logs(
      { follow: true, pollMs: 1_000 },
      testContext(world.cwd, { signal: abort.signal }),
      (e) => seen.push(e.message),
      world.deps(),
    );
    while (world.clock.now() - started < 10_000) await world.clock.sleep(1_000);
    abort.abort();
    await following;
    expect(seen).toEqual(['only']);
  });
});
