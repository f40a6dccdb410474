// metrics on AWS against the fake: the failures a caller meets, each said in one line.
import { describe, expect, it } from 'vitest';
import { metrics } from '../../src/commands/metrics/index.js';
import { AwsError } from '../../src/errors.js';
import { fakeWorld, testContext } from '../aws/fake/harness.js';

describe('metrics on AWS', () => {
  it('names cloudwatch:GetMetricData when the caller may not read metrics', async () => {
    const world = fakeWorld();
    world.fake.denied.add('cloudwatch:GetMetricData');

    const run = metrics({ region: 'us-east-1' }, testContext(world.cwd), () => undefined, world.deps());

    await expect(run).rejects.toThrow(AwsError);
    await expect(run).rejects.toThrow(/^AWS denied cloudwatch:GetMetricData: grant that permission/);
    expect(world.fake.calls.filter((c) => c.op === 'GetMetricData').map((c) => c.error)).toEqual(['AccessDeniedException']);
  });
});
