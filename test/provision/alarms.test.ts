// setup --alarm-email against the stateful fake: the topic, its subscriptions, the alarms; reruns, status, teardown.
import { describe, expect, it } from 'vitest';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { alarmInput, describeAlarms, DEFAULT_ALARM_THRESHOLDS } from '../../src/provision/alarm-spec.js';
import { resourceNames } from '../../src/provision/names.js';
import { fakeWorld, mutatingCalls, testContext } from '../aws/fake/harness.js';

const noVerify = { verify: false } as const;
const ALARMS = [
  'productApi-prod-5xx-rate',
  'productApi-prod-4xx-rate',
  'productApi-prod-p99-latency',
  'productFunction-errors',
  'productFunction-throttles',
  'product-throttles',
];

describe('setup --alarm-email', () => {
  it('makes the topic, a pending email subscription and every alarm; a rerun changes nothing; status and teardown follow', async () => {
    // Prepare
    const world = fakeWorld();
    const { fake } = world;

    // Act
    const first = await setupAws(
      { ...noVerify, alarmEmail: ['ops@example.com'] },
      testContext(world.cwd),
      world.deps(),
    );

    // Assess: the topic mails the address once it is confirmed; every alarm notifies the topic
    const topic = fake.topics.get('productApi-alarms');
    expect(topic?.tags['products-cli:stack']).toBe('default');
    expect(topic?.subscriptions).toEqual([{ protocol: 'email', endpoint: 'ops@example.com' }]);
    const topicStep = first.steps.find((s) => s.resource === 'alarm topic');
    expect(topicStep).toMatchObject({ outcome: 'created' });
    expect(topicStep?.detail).toMatch(/pending confirmation/);
    expect([...fake.alarms.keys()].sort()).toEqual([...ALARMS].sort());
    for (const alarm of fake.alarms.values()) {
      expect(alarm.AlarmActions).toEqual([topic?.arn]);
      expect(alarm.Tags).toContainEqual({ Key: 'products-cli:stack', Value: 'default' });
    }
    // The 5XX alarm is a rate: metric math over 5XXError and Count, one item returning data.
    const rate = fake.alarms.get('productApi-prod-5xx-rate');
    expect(rate?.MetricName).toBeUndefined();
    expect(rate?.Metrics?.map((m: any) => m.Expression ?? m.MetricStat.Metric.MetricName)).toEqual([
      '5XXError',
      'Count',
      '100 * failed / requests',
    ]);
    expect(rate?.Metrics?.filter((m: any) => m.ReturnData !== false)).toHaveLength(1);
    expect(rate?.Threshold).toBe(DEFAULT_ALARM_THRESHOLDS.serverErrorPercent);
    // The function's alarms name the function alone, so that they cover every version and alias.
    expect(fake.alarms.get('productFunction-errors')?.Metrics?.[0]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'FunctionName', Value: 'productFunction' },
    ]);

    // Act: a rerun with the same flags
    const before = fake.calls.length;
    const second = await setupAws(
      { ...noVerify, alarmEmail: ['ops@example.com'] },
      testContext(world.cwd),
      world.deps(),
    );

    // Assess: nothing but the pending address is asked again (SNS mails it a fresh link)
    expect(mutatingCalls(fake, before)).toEqual(['sns:Subscribe']);
    expect(second.steps.filter((s) => s.resource === 'alarm').every((s) => s.outcome === 'unchanged')).toBe(true);

    // Act: the person clicks the link; CloudWatch evaluates an alarm; status
    fake.confirmSubscription('ops@example.com');
    fake.setAlarmState(
      'productFunction-errors',
      'ALARM',
      'Threshold Crossed: 1 datapoint [7.0] was >= the threshold (5.0)',
    );
    const status = await statusAws({ verify: false }, testContext(world.cwd), world.deps());

    // Assess
    expect(status.resources.find((r) => r.resource === 'subscription')).toMatchObject({
      name: 'email ops@example.com',
      detail: 'confirmed',
    });
    expect(status.resources.find((r) => r.name === 'productFunction-errors')?.detail).toMatch(
      /^ALARM: Threshold Crossed/,
    );
    expect(status.resources.find((r) => r.name === 'productApi-prod-5xx-rate')?.detail).toMatch(/^INSUFFICIENT_DATA/);
    expect(status.overall).toBe('present');

    // Act
    const down = await teardownAws({ yes: true }, testContext(world.cwd), world.deps());

    // Assess
    expect(fake.summary()).toEqual([]);
    expect(down.removed).toEqual(
      expect.arrayContaining([...ALARMS.map((a) => `alarm ${a}`), 'alarm topic productApi-alarms']),
    );
  });

  it('shows an unconfirmed address as pending confirmation in status, saying what the person must do', async () => {
    const world = fakeWorld();
    await setupAws(
      { ...noVerify, alarmEmail: ['a@example.com', 'b@example.com'] },
      testContext(world.cwd),
      world.deps(),
    );
    world.fake.confirmSubscription('b@example.com');

    const status = await statusAws({ verify: false }, testContext(world.cwd), world.deps());

    const subs = status.resources.filter((r) => r.resource === 'subscription');
    expect(subs.map((s) => [s.name, s.detail?.split(':')[0]])).toEqual([
      ['email a@example.com', 'pending confirmation'],
      ['email b@example.com', 'confirmed'],
    ]);
    expect(subs[0]?.detail).toMatch(/clicks it/);
  });

  it('applies new thresholds by updating the alarms in place, keeping their state', async () => {
    const world = fakeWorld();
    await setupAws({ ...noVerify, alarmEmail: ['ops@example.com'] }, testContext(world.cwd), world.deps());
    world.fake.setAlarmState('productApi-prod-p99-latency', 'OK', 'fine');

    const again = await setupAws(
      { ...noVerify, alarmEmail: ['ops@example.com'], alarmP99: 250, alarm5xx: 1 },
      testContext(world.cwd),
      world.deps(),
    );

    expect(
      again.steps
        .filter((s) => s.outcome === 'updated')
        .map((s) => s.name)
        .sort(),
    ).toEqual(['productApi-prod-5xx-rate', 'productApi-prod-p99-latency']);
    expect(world.fake.alarms.get('productApi-prod-p99-latency')).toMatchObject({ Threshold: 250, StateValue: 'OK' });
    expect(world.fake.alarms.get('productApi-prod-5xx-rate')?.Threshold).toBe(1);
  });

  it('drops an address no longer given and, without --alarm-email, removes the alarms it made', async () => {
    const world = fakeWorld();
    await setupAws(
      { ...noVerify, alarmEmail: ['a@example.com', 'b@example.com'] },
      testContext(world.cwd),
      world.deps(),
    );
    world.fake.confirmSubscription('a@example.com');

    await setupAws({ ...noVerify, alarmEmail: ['b@example.com'] }, testContext(world.cwd), world.deps());
    expect(world.fake.topics.get('productApi-alarms')?.subscriptions.map((s) => s.endpoint)).toEqual(['b@example.com']);

    const plain = await setupAws(noVerify, testContext(world.cwd), world.deps());
    expect(world.fake.alarms.size).toBe(0);
    expect(world.fake.topics.size).toBe(0);
    expect(plain.steps.filter((s) => s.outcome === 'removed')).toHaveLength(ALARMS.length + 1);
  });

  it.each([
    [
      'an alarm',
      (fake: ReturnType<typeof fakeWorld>['fake']) =>
        fake.cloudwatch.PutMetricAlarm({
          AlarmName: 'productFunction-errors',
          MetricName: 'Errors',
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      /alarm productFunction-errors .*setup does not take over alarms/,
    ],
    [
      'a topic',
      (fake: ReturnType<typeof fakeWorld>['fake']) => fake.sns.CreateTopic({ Name: 'productApi-alarms' }),
      /alarm topic productApi-alarms .*setup does not take over topics/,
    ],
  ])(
    'refuses %s of our name made by someone else, before any change, and teardown keeps it',
    async (_what, make, message) => {
      const world = fakeWorld();
      make(world.fake);
      const before = world.fake.calls.length;

      await expect(
        setupAws({ ...noVerify, alarmEmail: ['ops@example.com'] }, testContext(world.cwd), world.deps()),
      ).rejects.toThrow(message);
      expect(mutatingCalls(world.fake, before)).toEqual([]);

      await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
      expect(world.fake.summary()).toHaveLength(1);
    },
  );

  it('leaves a stack set up without --alarm-email alone: no alarm calls, no alarm lines, whatever bears the names', async () => {
    const world = fakeWorld();
    world.fake.sns.CreateTopic({ Name: 'productApi-alarms' });
    await setupAws(noVerify, testContext(world.cwd), world.deps());
    const before = world.fake.calls.length;

    const status = await statusAws({ verify: false }, testContext(world.cwd), world.deps());

    expect(status.overall).toBe('present');
    expect(status.resources.filter((r) => r.resource.startsWith('alarm') || r.resource === 'subscription')).toEqual([]);
    expect(world.fake.calls.slice(before).filter((c) => c.service === 'sns' || c.op === 'DescribeAlarms')).toEqual([]);
  });

  it('names the missing permission when the caller may not create alarms', async () => {
    const world = fakeWorld();
    world.fake.denied.add('cloudwatch:PutMetricAlarm');
    await expect(
      setupAws({ ...noVerify, alarmEmail: ['ops@example.com'] }, testContext(world.cwd), world.deps()),
    ).rejects.toThrow(/AWS denied cloudwatch:PutMetricAlarm/);
  });

  it("stops with CloudWatch's own answer when the account has no alarm left in its quota", async () => {
    const world = fakeWorld();
    world.fake.alarmQuota = 3;
    await expect(
      setupAws({ ...noVerify, alarmEmail: ['ops@example.com'] }, testContext(world.cwd), world.deps()),
    ).rejects.toThrow(/maximum number of alarms/);
  });
});

describe('the alarms as data', () => {
  it('gives every alarm inputs PutMetricAlarm accepts: one item returns data, periods and evaluation within a day', () => {
    const spec = describeAlarms(resourceNames('shop', 'live'), {
      emails: ['x@example.com'],
      thresholds: DEFAULT_ALARM_THRESHOLDS,
    });
    expect(spec.topic.name).toBe('shop-productApi-alarms');
    for (const alarm of spec.alarms) {
      const input = alarmInput(alarm, 'arn:aws:sns:us-east-1:123456789012:t');
      expect(input.Metrics?.filter((m) => m.ReturnData)).toHaveLength(1);
      for (const m of input.Metrics ?? [])
        if (m.MetricStat)
          expect((m.MetricStat.Period ?? 0) * (input.EvaluationPeriods ?? 0)).toBeLessThanOrEqual(86_400);
      expect(input.DatapointsToAlarm).toBeLessThanOrEqual(input.EvaluationPeriods ?? 0);
    }
    expect(spec.alarms.find((a) => a.key === 'ServerErrors')?.metrics[0]?.dimensions).toEqual({
      ApiName: 'shop-productApi',
      Stage: 'live',
    });
  });
});
