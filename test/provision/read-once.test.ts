// setup reads each resource once: the name check's answers serve each step's first read.
import { expect, it } from 'vitest';
import { setupAws } from '../../src/commands/setup/aws.js';
import { fakeWorld, testContext } from '../aws/fake/harness.js';

const READS = ['DescribeTable', 'ListTagsOfResource', 'GetRole', 'GetFunction', 'DescribeLogGroups', 'GetRestApi'];

it('reads each resource once on a rerun over a complete stack', async () => {
  // Prepare
  const world = fakeWorld();
  await setupAws({ verify: false }, testContext(world.cwd), world.deps());
  const before = Object.fromEntries(READS.map((op) => [op, world.fake.callsOf(op).length]));

  // Act
  const rerun = await setupAws({ verify: false }, testContext(world.cwd), world.deps());

  // Assess
  expect(rerun.unchanged).toBe(true);
  const counts = Object.fromEntries(READS.map((op) => [op, world.fake.callsOf(op).length - (before[op] ?? 0)]));
  expect(counts).toEqual(Object.fromEntries(READS.map((op) => [op, 1])));
});
