// The table of calls behind `products-cli policy` holds every call the AWS commands send, at the right use.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploy } from '../../src/commands/deploy.js';
import { logsAws } from '../../src/commands/logs/aws.js';
import { policy } from '../../src/commands/policy.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { statusAws } from '../../src/commands/status/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import {
  CALL_PERMISSIONS,
  callerPolicy,
  permissionsOf,
  usesCover,
  type PolicyUse,
} from '../../src/provision/permissions.js';
import { resourceNames } from '../../src/provision/names.js';
import { fakeWorld, testContext } from '../aws/fake/harness.js';

const noVerify = { verify: false } as const;

/** Every SDK command the code that talks to AWS constructs (the local stack and the handler excepted). */
function commandsInSource(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['local', 'handler'].includes(entry.name)) found.push(...commandsInSource(path));
    } else if (entry.name.endsWith('.ts')) {
      for (const match of readFileSync(path, 'utf8').matchAll(/new ([A-Z][A-Za-z]+)Command\(/g))
        found.push(match[1] as string);
    }
  }
  return [...new Set(found)].sort();
}

describe('the table of calls', () => {
  it('has a row for every SDK command the source constructs', () => {
    const covered = new Set(CALL_PERMISSIONS.flatMap((p) => p.operations));
    expect(commandsInSource('src').filter((op) => !covered.has(op))).toEqual([]);
  });

  it('covers every call setup, a rerun, deploy, status, logs and teardown send, each at the use of its command', async () => {
    const world = fakeWorld();
    const runs: Array<[PolicyUse, () => Promise<unknown>]> = [
      [
        'setup',
        () =>
          setupAws(
            {
              ...noVerify,
              apiKey: true,
              corsOrigin: ['https://shop.example'],
              alarmEmail: ['ops@example.com'],
            } as Parameters<typeof setupAws>[0],
            testContext(world.cwd),
            world.deps(),
          ),
      ],
      [
        'setup',
        () =>
          setupAws(
            { ...noVerify, memory: 512, alarmEmail: ['ops@example.com', 'dev@example.com'] },
            testContext(world.cwd),
            world.deps(),
          ),
      ],
      [
        'operate',
        () =>
          deploy({}, testContext(world.cwd), world.deps({ readCode: async () => new TextEncoder().encode('PK v2') })),
      ],
      ['read', () => statusAws(noVerify, testContext(world.cwd), world.deps())],
      ['read', () => logsAws({}, testContext(world.cwd), () => undefined, world.deps())],
      ['setup', () => teardownAws({ yes: true }, testContext(world.cwd), world.deps())],
    ];
    const uncovered: string[] = [];
    for (const [use, run] of runs) {
      const from = world.fake.calls.length;
      await run();
      for (const call of world.fake.calls.slice(from)) {
        const rows = permissionsOf(call.service, call.op);
        if (rows.length === 0 || !rows.every((r) => usesCover(use, r.use)))
          uncovered.push(`${use}: ${call.service} ${call.op}`);
      }
    }
    expect([...new Set(uncovered)]).toEqual([]);
    expect(world.fake.isEmpty()).toBe(true);
  });
});

describe('the policy document', () => {
  const names = resourceNames('alice');
  const where = { region: 'cn-north-1', accountId: '111122223333' };

  it("scopes each statement to the stack's names, in the region's partition", () => {
    const policy = callerPolicy(names, where, 'setup');
    const table = policy.Statement.find((s) => s.Sid === 'Table');
    expect(table?.Resource).toEqual(['arn:aws-cn:dynamodb:cn-north-1:111122223333:table/alice-product']);
    expect(policy.Statement.find((s) => s.Sid === 'FunctionRole')?.Action).toContain('iam:PassRole');
    // Only GetAccountSettings and GetMetricData, which IAM authorises on no resource, have '*'.
    expect(
      policy.Statement.filter((s) => s.Resource.includes('*'))
        .flatMap((s) => s.Action)
        .sort(),
    ).toEqual(['cloudwatch:GetMetricData', 'lambda:GetAccountSettings']);
  });

  it('narrows with the use: read has no change, operate adds only the code upload and its version behind live', () => {
    const actions = (use: PolicyUse) => callerPolicy(names, where, use).Statement.flatMap((s) => s.Action);
    expect(actions('read').filter((a) => !/:(Get|Describe|List|Filter)|apigateway:GET/.test(a))).toEqual([]);
    expect(actions('operate').filter((a) => !actions('read').includes(a))).toEqual([
      'lambda:PublishVersion',
      'lambda:UpdateAlias',
      'lambda:UpdateFunctionCode',
    ]);
    expect(actions('setup')).toEqual(
      expect.arrayContaining(['dynamodb:CreateTable', 'logs:TagResource', 'apigateway:DELETE']),
    );
  });
});

describe('products-cli policy', () => {
  it("prints the document for the recorded stack and the caller's account", async () => {
    const world = fakeWorld();
    const document = await policy({ stack: 'alice', for: 'operate' }, testContext(world.cwd), world.deps());
    expect(document.Statement.find((s) => s.Sid === 'Function')?.Resource).toEqual([
      'arn:aws:lambda:us-east-1:123456789012:function:alice-productFunction',
      'arn:aws:lambda:us-east-1:123456789012:function:alice-productFunction:*',
    ]);
    expect(document.Statement.flatMap((s) => s.Action)).toContain('lambda:UpdateFunctionCode');
    expect(document.Statement.flatMap((s) => s.Action)).not.toContain('lambda:CreateFunction');
  });

  it('refuses an account id that is not 12 digits', async () => {
    const world = fakeWorld();
    await expect(policy({ account: '12' }, testContext(world.cwd), world.deps())).rejects.toThrow(
      /--account "12" is not an AWS account id/,
    );
  });
});
