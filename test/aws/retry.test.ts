// Throttled AWS calls are called again with a growing, jittered pause; other errors and the last throttle are thrown.
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../src/aws/errors.js';
import { isThrottled, retryThrottled } from '../../src/aws/retry.js';
import { AwsError } from '../../src/errors.js';
import { VirtualClock } from './fake/virtual-clock.js';

const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe('retryThrottled', () => {
  it('calls GetMetricData again while CloudWatch answers Throttling, pausing longer each time', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch
      .on(GetMetricDataCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .resolves({ MetricDataResults: [] });
    const clock = new VirtualClock();
    const waits: number[] = [];

    const client = new CloudWatchClient({ region: 'us-east-1', maxAttempts: 1 });
    const out = await retryThrottled(
      () =>
        client.send(
          new GetMetricDataCommand({ MetricDataQueries: [], StartTime: new Date(0), EndTime: new Date(60_000) }),
        ),
      {
        clock,
        random: () => 1,
        onRetry: (_attempt, ms) => waits.push(ms),
      },
    );

    expect(out.MetricDataResults).toEqual([]);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(3);
    expect(waits).toEqual([500, 1000]);
    cloudwatch.restore();
  });

  it('throws the last throttle after its attempts, and any other error at once', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    await expect(
      retryThrottled(
        async () => {
          calls += 1;
          throw awsError('Throttling');
        },
        { clock, attempts: 3 },
      ),
    ).rejects.toThrow('Throttling');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryThrottled(
        async () => {
          calls += 1;
          throw awsError('InvalidParameterValue');
        },
        { clock },
      ),
    ).rejects.toThrow('InvalidParameterValue');
    expect(calls).toBe(1);
    expect(isThrottled(awsError('TooManyRequestsException'))).toBe(true);
    expect(isThrottled(awsError('AccessDenied'))).toBe(false);
  });

  it('names the action a missing permission denies', () => {
    const denied = awsError(
      'AccessDenied',
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:GetMetricData',
    );
    const error = translateAwsError(denied, 'cloudwatch:GetMetricData') as AwsError;
    expect(error).toBeInstanceOf(AwsError);
    expect(error.message).toMatch(/^AWS denied cloudwatch:GetMetricData: grant that permission/);
  });
});
