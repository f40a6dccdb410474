// rollback against the stateful fake: live moves back in one call, with no upload; a canary is taken out.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { deploy } from '../../src/commands/deploy.js';
import { renderRollback, rollback } from '../../src/commands/rollback.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { NotFoundError } from '../../src/errors.js';
import { fakeWorld, testContext } from '../aws/fake/harness.js';

const plain = new Chalk({ level: 0 });
const bundle = (n: number) => async () => new TextEncoder().encode(`PK bundle ${n}`);

async function deployedTwice() {
  const world = fakeWorld();
  await setupAws({ verify: false }, testContext(world.cwd), world.deps());
  await deploy({}, testContext(world.cwd), world.deps({ readCode: bundle(2) }));
  return world;
}

describe('rollback', () => {
  it('moves live back to the previous version in one UpdateAlias call, with no upload and no publish', async () => {
    const world = await deployedTwice();
    const before = world.fake.calls.length;
    const back = await rollback({}, testContext(world.cwd), world.deps());
    expect(back).toMatchObject({ version: '1', replacedVersion: '2', moved: true });
    expect(world.fake.functions.get('productFunction')?.aliases?.get('live')?.version).toBe('1');
    const mutating = world.fake.calls
      .slice(before)
      .map((c) => c.op)
      .filter((op) => !/^(Get|List|Describe)/.test(op));
    expect(mutating).toEqual(['UpdateAlias']);
    expect(renderRollback(back, plain)).toMatch(
      /^Rolled back productFunction: live runs version 1, replacing version 2, /,
    );
  });

  it('goes to the version --to names, and refuses one that does not exist or was not published by this stack, listing the others', async () => {
    const world = await deployedTwice();
    await expect(rollback({ to: 9 }, testContext(world.cwd), world.deps())).rejects.toThrow(
      new NotFoundError('version 9 does not exist or was not published by this stack; versions it can use: 1'),
    );
    // A version published by hand (its description is not products-cli's) is not this stack's.
    world.fake.functions.get('productFunction')!.config.MemorySize = 1024;
    world.fake.lambda.PublishVersion({ FunctionName: 'productFunction', Description: 'by hand' });
    await expect(rollback({ to: 3 }, testContext(world.cwd), world.deps())).rejects.toThrow(
      /version 3 does not exist or was not published by this stack; versions it can use: 1$/,
    );
    expect((await rollback({ to: 1 }, testContext(world.cwd), world.deps())).version).toBe('1');
    expect((await rollback({ to: 2 }, testContext(world.cwd), world.deps())).version).toBe('2');
    expect(world.fake.functions.get('productFunction')?.aliases?.get('live')?.version).toBe('2');
  });

  it('says there is nothing to go back to on a stack with one version', async () => {
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    await expect(rollback({}, testContext(world.cwd), world.deps())).rejects.toThrow(
      'live runs version 1 and no earlier version of this stack remains; there is no other version of this stack to go back to',
    );
    const same = await rollback({ to: 1 }, testContext(world.cwd), world.deps());
    expect(same.moved).toBe(false);
    expect(renderRollback(same, plain)).toBe(
      'Nothing to roll back: productFunction:live already runs version 1, with no canary.',
    );
    expect(world.fake.callsOf('UpdateAlias')).toHaveLength(0);
  });

  it('takes a canary out: live keeps its version and gets all the traffic again', async () => {
    const world = await deployedTwice();
    await rollback({ to: 1 }, testContext(world.cwd), world.deps());
    world.fake.lambda.UpdateAlias({
      FunctionName: 'productFunction',
      Name: 'live',
      RoutingConfig: { AdditionalVersionWeights: { 2: 0.1 } },
    });
    const back = await rollback({}, testContext(world.cwd), world.deps());
    expect(back).toMatchObject({ version: '1', replacedVersion: '1', canaryRemoved: { version: '2', weight: 0.1 } });
    expect(world.fake.functions.get('productFunction')?.aliases?.get('live')).toMatchObject({
      version: '1',
      weights: {},
    });
    expect(renderRollback(back, plain)).toMatch(
      /live runs version 1; took out the canary of version 2 \(10% of requests\)/,
    );
  });

  it('says to run setup when the function has no alias live', async () => {
    const world = await deployedTwice();
    world.fake.lambda.DeleteAlias({ FunctionName: 'productFunction', Name: 'live' });
    await expect(rollback({}, testContext(world.cwd), world.deps())).rejects.toThrow(
      'function productFunction has no alias live; run products-cli setup first',
    );
  });
});
