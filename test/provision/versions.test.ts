// versions against the stateful fake: each version with its date, SHA, products-cli version, live and canary.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { deploy } from '../../src/commands/deploy.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { listFunctionVersions, renderVersions } from '../../src/commands/versions.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { renderStatus } from '../../src/commands/status/index.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { PRODUCT_VERSION } from '../../src/defaults.js';
import { NotFoundError } from '../../src/errors.js';
import { codeSha256 } from '../../src/provision/version-description.js';
import { fakeWorld, FAKE_ZIP, testContext } from '../aws/fake/harness.js';

const plain = new Chalk({ level: 0 });
const bundle = (n: number) => new TextEncoder().encode(`PK bundle ${n}`);

describe('versions', () => {
  it('lists each version oldest first with its date, SHA and products-cli version, and which one is live and which has canary traffic', async () => {
    // Prepare: two deploys, a version published by hand, and a canary of version 3
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    await deploy({}, testContext(world.cwd), world.deps({ readCode: async () => bundle(2) }));
    await deploy({}, testContext(world.cwd), world.deps({ readCode: async () => bundle(3) }));
    world.fake.functions.get('productFunction')!.config.MemorySize = 1024;
    world.fake.lambda.PublishVersion({ FunctionName: 'productFunction', Description: 'by hand' });
    world.fake.lambda.UpdateAlias({
      FunctionName: 'productFunction',
      Name: 'live',
      FunctionVersion: '2',
      RoutingConfig: { AdditionalVersionWeights: { 3: 0.25 } },
    });

    // Act
    const result = await listFunctionVersions({}, testContext(world.cwd), world.deps());

    // Assess
    expect(result).toMatchObject({ function: 'productFunction', live: '2', canary: { version: '3', weight: 0.25 } });
    expect(result.versions.map((v) => [v.version, v.codeSha256, v.productVersion, v.live, v.canaryWeight])).toEqual([
      ['1', codeSha256(FAKE_ZIP), PRODUCT_VERSION, false, undefined],
      ['2', codeSha256(bundle(2)), PRODUCT_VERSION, true, undefined],
      ['3', codeSha256(bundle(3)), PRODUCT_VERSION, false, 0.25],
      ['4', codeSha256(bundle(3)), undefined, false, undefined],
    ]);
    expect(result.versions.every((v) => v.publishedAt && !Number.isNaN(Date.parse(v.publishedAt)))).toBe(true);
    const lines = renderVersions(result, plain).split('\n');
    expect(lines[0]).toMatch(/^version +published +code SHA-256 +products-cli$/);
    expect(lines[2]).toMatch(
      new RegExp(
        `^2 +\\S+Z +${codeSha256(bundle(2)).replace(/[+/]/g, '\\$&')} +${PRODUCT_VERSION.replace(/\./g, '\\.')} +live \\(75%\\)$`,
      ),
    );
    expect(lines[3]).toMatch(/ canary \(25%\)$/);
    expect(lines[4]).toMatch(/ not products-cli$/);
  });

  it('says to run setup when there is no function', async () => {
    const world = fakeWorld();
    await expect(listFunctionVersions({}, testContext(world.cwd), world.deps())).rejects.toThrow(
      new NotFoundError('function productFunction does not exist; run products-cli setup first'),
    );
  });

  it('status shows the version live runs and the canary with its share; teardown removes the versions and alias with the function', async () => {
    const world = fakeWorld();
    await setupAws({ verify: false }, testContext(world.cwd), world.deps());
    await deploy({}, testContext(world.cwd), world.deps({ readCode: async () => bundle(2) }));
    const plainStatus = await statusAws({ verify: false }, testContext(world.cwd), world.deps());
    expect(plainStatus.resources.find((r) => r.resource === 'alias')).toMatchObject({
      outcome: 'present',
      name: 'productFunction:live',
      detail: 'version 2',
    });
    world.fake.lambda.UpdateAlias({
      FunctionName: 'productFunction',
      Name: 'live',
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { 2: 0.1 } },
    });
    const seen = await statusAws({ verify: false }, testContext(world.cwd), world.deps());
    expect(renderStatus(seen, plain)).toMatch(
      /alias productFunction:live\s+present {2}version 1; canary version 2 at 10% \(a deploy --canary running, or left by one that was killed: rollback or deploy takes it out\)/,
    );

    const down = await teardownAws({ yes: true }, testContext(world.cwd), world.deps());
    expect(down.steps.find((s) => s.resource === 'function')).toMatchObject({
      outcome: 'removed',
      detail: 'with its versions and alias live',
    });
    expect(world.fake.functions.size).toBe(0);
  });
});
