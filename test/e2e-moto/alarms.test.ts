// setup --alarm-email → status → rerun → teardown against moto's server mode: the SNS topic, the email
// subscription and the CloudWatch alarms, read back with CloudWatch's and SNS's own calls.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { HANDLER_ZIP } from '../../src/provision/session.js';
import { testContext } from '../aws/fake/harness.js';
import { motoAvailable, useEmulator, type Emulator } from './moto-server.js';

const REGION = 'us-east-1';
let emulator: Emulator;
let clients: AwsClients;
const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-alarms-'));
const bundle = existsSync(HANDLER_ZIP)
  ? new Uint8Array(readFileSync(HANDLER_ZIP))
  : zipSync({ 'index.mjs': new TextEncoder().encode('export const handler = async () => ({ statusCode: 200 });') });
const code = async () => bundle;
const target = () => ({ region: REGION, endpointUrl: emulator.url, stack: 'watch' });

describe.runIf(motoAvailable)('alarms against moto', () => {
  useEmulator(REGION, (started, made) => {
    emulator = started;
    clients = made;
  });

  it('makes the topic, the subscription and every alarm; status shows them; a rerun changes none; teardown leaves nothing', async () => {
    // Act
    const result = await setupAws(
      { ...target(), verify: false, alarmEmail: ['ops@example.com'], alarmP99: 800 },
      testContext(cwd),
      { readCode: code },
    );

    // Assess: read back with CloudWatch's and SNS's own calls
    const alarms =
      (await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'watch-' }))).MetricAlarms ?? [];
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual([
      'watch-product-throttles',
      'watch-productApi-prod-4xx-rate',
      'watch-productApi-prod-5xx-rate',
      'watch-productApi-prod-p99-latency',
      'watch-productFunction-errors',
      'watch-productFunction-throttles',
    ]);
    const topics = (await clients.sns.send(new ListTopicsCommand({}))).Topics ?? [];
    const topicArn = topics.find((t) => t.TopicArn?.endsWith(':watch-productApi-alarms'))?.TopicArn;
    expect(topicArn).toBeDefined();
    const rate = alarms.find((a) => a.AlarmName === 'watch-productApi-prod-5xx-rate');
    expect(rate?.AlarmActions).toEqual([topicArn]);
    expect(rate?.Metrics?.find((m) => m.ReturnData)?.Expression).toBe('100 * failed / requests');
    expect(alarms.find((a) => a.AlarmName === 'watch-productApi-prod-p99-latency')?.Threshold).toBe(800);
    expect(result.steps.filter((s) => s.resource === 'alarm').every((s) => s.outcome === 'created')).toBe(true);

    // Act
    const status = await statusAws({ ...target(), verify: false }, testContext(cwd), {});

    // Assess
    const subscription = status.resources.find((r) => r.resource === 'subscription');
    expect(subscription).toMatchObject({ name: 'email ops@example.com' });
    // moto confirms an email subscription at once; AWS leaves it pending until the link is clicked, as the fake
    // does (test/provision/alarms.test.ts).
    expect(subscription?.detail).toBe('confirmed');
    // moto starts an alarm at OK where AWS starts it at INSUFFICIENT_DATA; status shows whichever it is.
    const states = status.resources.filter((r) => r.resource === 'alarm').map((r) => r.detail?.split(/[ :]/)[0]);
    expect(states).toHaveLength(6);
    for (const state of states) expect(['OK', 'ALARM', 'INSUFFICIENT_DATA']).toContain(state);

    // Act: a rerun with the same flags
    const again = await setupAws(
      { ...target(), verify: false, alarmEmail: ['ops@example.com'], alarmP99: 800 },
      testContext(cwd),
      { readCode: code },
    );
    expect(again.steps.filter((s) => s.resource === 'alarm').map((s) => s.outcome)).toEqual(Array(6).fill('unchanged'));

    // Act
    await teardownAws({ ...target(), yes: true }, testContext(cwd), {});

    // Assess
    expect(
      (await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'watch-' }))).MetricAlarms,
    ).toEqual([]);
    expect(
      ((await clients.sns.send(new ListTopicsCommand({}))).Topics ?? []).filter((t) => t.TopicArn?.includes('watch-')),
    ).toEqual([]);
  });
});
