import { describe, expect, it } from 'vitest';
import { describeStack, invokeSources } from '../../src/provision/description.js';
import { resourceNames, stackTags } from '../../src/provision/names.js';
import { DEFAULT_SETTINGS } from '../../src/provision/session.js';
import { buildTemplate, resourcePaths } from '../../src/template/cloudformation.js';
import { importPlan, IMPORT_IDENTIFIERS } from '../../src/template/import.js';
import { checkTemplate, packaged, resourceSpec } from './spec-check.js';
import { statementId } from '../../src/stack/stage-name.js';

const names = resourceNames('hand');
const stack = describeStack({
  names,
  tags: stackTags(names),
  settings: {
    ...DEFAULT_SETTINGS,
    auth: { mode: 'api-key', privateReads: false },
    apiKey: true,
    corsOrigins: ['https://shop.example.com'],
  },
});
const template = buildTemplate(stack, { codeSha256: 'c2hhMjU2LW9mLXRoZS1idW5kbGU=' });
const live = {
  restApiId: 'api123',
  resourceIds: Object.fromEntries(resourcePaths(stack.api.resources).map((path, i) => [path, `res${i}`])),
  deploymentId: 'dep1',
  usagePlanId: 'plan1',
  apiKeyId: 'key1',
  alias: {
    arn: 'arn:aws:lambda:us-east-1:123456789012:function:hand-productFunction:live',
    versionArn: 'arn:aws:lambda:us-east-1:123456789012:function:hand-productFunction:4',
  },
};

describe('the import plan', () => {
  it('names each importable resource by the primary identifier the specification gives its type', () => {
    const plan = importPlan(template, stack, live);
    for (const resource of plan.resources) {
      expect(Object.keys(resource.ResourceIdentifier).sort(), resource.ResourceType).toEqual(
        [...(resourceSpec(resource.ResourceType)?.primaryIdentifier ?? [])].sort(),
      );
    }
    expect(Object.keys(IMPORT_IDENTIFIERS).every((type) => resourceSpec(type))).toBe(true);
  });

  it('imports every resource but the permissions, gateway responses and usage plan key, and says what becomes of those', () => {
    const plan = importPlan(template, stack, live);
    expect(plan.resources.length + plan.notImported.length).toBe(Object.keys(template.Resources).length);
    expect([...new Set(plan.notImported.map((n) => n.type))].sort()).toEqual([
      'AWS::ApiGateway::GatewayResponse',
      'AWS::ApiGateway::UsagePlanKey',
      'AWS::Lambda::Permission',
    ]);
    const removals = invokeSources('prod').map(
      (s) =>
        `aws lambda remove-permission --function-name hand-productFunction --qualifier live --statement-id ${statementId(s.stage, s.resource)}`,
    );
    expect(removals).toContain(
      'aws lambda remove-permission --function-name hand-productFunction --qualifier live --statement-id apigateway-prod-product-id',
    );
    expect(plan.notImported.flatMap((n) => n.commands ?? []).sort()).toEqual(
      [...removals, 'aws apigateway delete-usage-plan-key --usage-plan-id plan1 --key-id key1'].sort(),
    );
    expect(plan.notImported.find((n) => n.type === 'AWS::ApiGateway::UsagePlanKey')?.beforeDeploy).toBe(true);
  });

  it('gives the change set a template of the imported resources alone, each with a DeletionPolicy, that the specification accepts', () => {
    const plan = importPlan(template, stack, live);
    expect(Object.keys(plan.template.Resources).sort()).toEqual(plan.resources.map((r) => r.LogicalResourceId).sort());
    expect(Object.values(plan.template.Resources).every((r) => r.DeletionPolicy)).toBe(true);
    expect(checkTemplate(packaged(plan.template, 'bucket', 'handler.zip'))).toEqual([]);
  });

  it('imports the alarms by their live names and the topic by its ARN; leaves the email subscriptions to the deploy', () => {
    const withAlarms = describeStack({
      names,
      tags: stackTags(names),
      settings: {
        ...DEFAULT_SETTINGS,
        alarms: { emails: ['ops@example.com'], thresholds: DEFAULT_SETTINGS.alarms.thresholds },
      },
    });
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:hand-productApi-alarms';
    const plan = importPlan(buildTemplate(withAlarms, { codeSha256: 'c2hhMjU2LW9mLXRoZS1idW5kbGU=' }), withAlarms, {
      ...live,
      alarmTopicArn: topicArn,
    });
    for (const resource of plan.resources) {
      expect(Object.keys(resource.ResourceIdentifier).sort(), resource.ResourceType).toEqual(
        [...(resourceSpec(resource.ResourceType)?.primaryIdentifier ?? [])].sort(),
      );
    }
    const alarms = plan.resources
      .filter((r) => r.ResourceType === 'AWS::CloudWatch::Alarm')
      .map((r) => r.ResourceIdentifier.AlarmName);
    expect(alarms.sort()).toEqual(withAlarms.alarms.alarms.map((a) => a.name).sort());
    expect(plan.resources.find((r) => r.ResourceType === 'AWS::SNS::Topic')?.ResourceIdentifier).toEqual({
      TopicArn: topicArn,
    });
    expect(plan.notImported.find((n) => n.type === 'AWS::SNS::Subscription')?.why).toMatch(/confirms/);
  });

  it('refuses when the live API lacks a resource the template names', () => {
    expect(() => importPlan(template, stack, { ...live, resourceIds: {} })).toThrow(/has no resource \/product/);
  });
});
