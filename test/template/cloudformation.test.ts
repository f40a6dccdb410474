import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROUTES } from '../../src/contract/routes.js';
import { OPERATIONS } from '../../src/contract/operations.js';
import { describeStack, methodAuth } from '../../src/provision/description.js';
import { resourceNames, stackTags, STACK_TAG } from '../../src/provision/names.js';
import { DEFAULT_SETTINGS } from '../../src/provision/session.js';
import type { ProvisionSettings } from '../../src/provision/context.js';
import { PRODUCT_VERSION } from '../../src/defaults.js';
import { readVersionDescription } from '../../src/provision/version-description.js';
import {
  buildTemplate,
  deploymentId,
  LOGICAL,
  methodId,
  resourceId,
  type CfnResource,
  type CfnTemplate,
} from '../../src/template/cloudformation.js';
import { capabilities, deployCommands, renderDocument } from '../../src/template/files.js';

const BUNDLE = { codeSha256: 'c2hhMjU2LW9mLXRoZS1idW5kbGU=' };

function templateFor(
  settings: Partial<ProvisionSettings> = {},
  stack?: string,
  stage?: string,
  bundle = BUNDLE,
): { template: CfnTemplate; stack: ReturnType<typeof describeStack> } {
  const names = resourceNames(stack, stage);
  const description = describeStack({ names, tags: stackTags(names), settings: { ...DEFAULT_SETTINGS, ...settings } });
  return { template: buildTemplate(description, bundle), stack: description };
}

const ofType = (template: CfnTemplate, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('the CloudFormation template', () => {
  it('makes the alarms setup makes with --alarm-email: the topic, one subscription per address, each alarm on the StageName parameter', () => {
    const alarms = {
      emails: ['a@example.com', 'b@example.com'],
      thresholds: { ...DEFAULT_SETTINGS.alarms.thresholds, serverErrorPercent: 3 },
    };
    const { template, stack } = templateFor({ alarms }, 'shop', 'live');
    expect(ofType(template, 'AWS::SNS::Subscription').map(([, r]) => r.Properties)).toEqual([
      { TopicArn: { Ref: LOGICAL.alarmTopic }, Protocol: 'email', Endpoint: 'a@example.com' },
      { TopicArn: { Ref: LOGICAL.alarmTopic }, Protocol: 'email', Endpoint: 'b@example.com' },
    ]);
    expect(ofType(template, 'AWS::CloudWatch::Alarm')).toHaveLength(stack.alarms.alarms.length);
    const rate = template.Resources.AlarmServerErrors?.Properties as Record<string, any>;
    expect(rate.AlarmName).toEqual({ 'Fn::Sub': 'shop-productApi-${StageName}-5xx-rate' });
    expect(rate.Threshold).toBe(3);
    expect(rate.AlarmActions).toEqual([{ Ref: LOGICAL.alarmTopic }]);
    expect(rate.Metrics[0].MetricStat.Metric.Dimensions).toEqual([
      { Name: 'ApiName', Value: 'shop-productApi' },
      { Name: 'Stage', Value: { Ref: 'StageName' } },
    ]);
    expect(
      rate.Metrics.filter((m: { ReturnData: boolean }) => m.ReturnData).map(
        (m: { Expression?: string }) => m.Expression,
      ),
    ).toEqual(['100 * failed / requests']);
    expect(ofType(templateFor().template, 'AWS::CloudWatch::Alarm')).toEqual([]);
  });

  it('has a method for every operation, with the authorization setup gives it', () => {
    for (const auth of [
      { mode: 'iam', privateReads: false },
      { mode: 'iam', privateReads: true },
      { mode: 'api-key', privateReads: false },
      { mode: 'none', privateReads: false },
    ] as const) {
      const { template } = templateFor({ auth, apiKey: auth.mode === 'api-key' });
      const methods = ofType(template, 'AWS::ApiGateway::Method');
      expect(methods).toHaveLength(OPERATIONS.length);
      for (const op of OPERATIONS) {
        const method = template.Resources[methodId(op.resource, op.method)];
        const wanted = methodAuth(auth, op.method);
        expect(method?.Properties).toMatchObject({
          HttpMethod: op.method,
          AuthorizationType: wanted.authorizationType,
          ApiKeyRequired: wanted.apiKeyRequired,
          ResourceId: { Ref: resourceId(op.resource) },
        });
      }
    }
  });

  it('builds each resource path under its parent, the first under the root', () => {
    const { template } = templateFor();
    for (const route of ROUTES) {
      const resource = template.Resources[resourceId(route.resource)]!;
      const parent = route.resource.slice(0, route.resource.lastIndexOf('/'));
      expect(resource.Properties.ParentId).toEqual(
        parent ? { Ref: resourceId(parent) } : { 'Fn::GetAtt': [LOGICAL.api, 'RootResourceId'] },
      );
      expect(resource.Properties.PathPart).toBe(route.resource.split('/').at(-1));
    }
  });

  it('keeps the table, and its items, when the stack is deleted or the table replaced', () => {
    const table = templateFor().template.Resources[LOGICAL.table]!;
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table.Properties).toMatchObject({
      TableName: 'product',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(
      templateFor({ pitr: false }).template.Resources[LOGICAL.table]!.Properties.PointInTimeRecoverySpecification,
    ).toEqual({ PointInTimeRecoveryEnabled: false });
  });

  it("gives the setup flags as the parameters' defaults, and names every resource as --stack does", () => {
    const { template } = templateFor(
      {
        memoryMb: 512,
        timeoutSeconds: 20,
        runtime: 'nodejs22.x',
        architecture: 'x86_64',
        logRetentionDays: 30,
        throttle: { rateLimit: 50, burstLimit: 70 },
      },
      'alice',
      'dev',
    );
    expect(Object.fromEntries(Object.entries(template.Parameters).map(([k, p]) => [k, p.Default]))).toEqual({
      MemorySize: 512,
      FunctionTimeout: 20,
      Runtime: 'nodejs22.x',
      Architecture: 'x86_64',
      LogRetentionDays: 30,
      ThrottleRateLimit: 50,
      ThrottleBurstLimit: 70,
      StageName: 'dev',
    });
    expect(template.Resources[LOGICAL.function]!.Properties).toMatchObject({
      FunctionName: 'alice-productFunction',
      Environment: { Variables: { TABLE_NAME: { Ref: LOGICAL.table } } },
    });
    expect(template.Resources[LOGICAL.role]!.Properties.RoleName).toBe('alice-productFunctionRole');
    expect(template.Resources[LOGICAL.api]!.Properties.Tags).toContainEqual({ Key: STACK_TAG, Value: 'alice' });
  });

  it("has CORS only with origins: the preflights, the gateway responses and the function's variable", () => {
    const off = templateFor().template;
    expect(ofType(off, 'AWS::ApiGateway::GatewayResponse')).toEqual([]);
    expect(off.Resources[methodId('/product', 'OPTIONS')]).toBeUndefined();
    const on = templateFor({ corsOrigins: ['https://shop.example.com'] }).template;
    expect(ofType(on, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties.ResponseType)).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
    ]);
    for (const route of ROUTES)
      expect(on.Resources[methodId(route.resource, 'OPTIONS')]?.Properties).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: { Type: 'MOCK' },
      });
    expect(on.Resources[LOGICAL.function]!.Properties).toMatchObject({
      Environment: { Variables: { CORS_ALLOWED_ORIGINS: 'https://shop.example.com' } },
    });
  });

  it('has a usage plan and key only with --auth api-key', () => {
    expect(ofType(templateFor().template, 'AWS::ApiGateway::UsagePlan')).toEqual([]);
    const keyed = templateFor({ auth: { mode: 'api-key', privateReads: false }, apiKey: true }).template;
    expect(ofType(keyed, 'AWS::ApiGateway::UsagePlanKey')).toHaveLength(1);
  });

  it('makes a new deployment when a method changes, and the same one otherwise', () => {
    const [a, b, c] = [templateFor(), templateFor(), templateFor({ auth: { mode: 'none', privateReads: false } })];
    expect(deploymentId(a.stack)).toBe(deploymentId(b.stack));
    expect(deploymentId(a.stack)).not.toBe(deploymentId(c.stack));
    expect(a.template.Resources[LOGICAL.stage]!.Properties.DeploymentId).toEqual({ Ref: deploymentId(a.stack) });
  });

  it('has the API invoke alias live, granted on the alias, which runs the version published from the bundle', () => {
    const { template, stack } = templateFor();
    const [[versionId, version]] = ofType(template, 'AWS::Lambda::Version') as [[string, CfnResource]];
    expect(template.Resources[LOGICAL.alias]).toMatchObject({
      Type: 'AWS::Lambda::Alias',
      Properties: {
        FunctionName: { Ref: LOGICAL.function },
        Name: stack.function.alias.name,
        FunctionVersion: { 'Fn::GetAtt': [versionId, 'Version'] },
      },
    });
    expect(version.Properties).toMatchObject({
      FunctionName: { Ref: LOGICAL.function },
      CodeSha256: BUNDLE.codeSha256,
    });
    const methods = ofType(template, 'AWS::ApiGateway::Method').filter(
      ([, m]) => (m.Properties.Integration as { Type: string }).Type === 'AWS_PROXY',
    );
    expect(methods).toHaveLength(OPERATIONS.length);
    for (const [, method] of methods) {
      expect((method.Properties.Integration as { Uri: { 'Fn::Sub': string } }).Uri['Fn::Sub']).toMatch(
        new RegExp(`/functions/\\$\\{${LOGICAL.alias}\\}/invocations$`),
      );
    }
    const permissions = ofType(template, 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(stack.permission.sources.length);
    for (const [, permission] of permissions)
      expect(permission.Properties.FunctionName).toEqual({ Ref: LOGICAL.alias });
  });

  it('records the bundle and products-cli in the version, and publishes a new one for a new bundle or setting only', () => {
    const versionOf = (t: CfnTemplate) => ofType(t, 'AWS::Lambda::Version')[0]!;
    const [id] = versionOf(templateFor().template);
    expect(versionOf(templateFor().template)[0]).toBe(id);
    expect(versionOf(templateFor({}, undefined, undefined, { codeSha256: 'b3RoZXItYnVuZGxl' }).template)[0]).not.toBe(
      id,
    );
    expect(versionOf(templateFor({ corsOrigins: ['https://shop.example.com'] }).template)[0]).not.toBe(id);
    // The parameters' values are in the description: a changed parameter replaces the version.
    const { template } = templateFor();
    const description = (versionOf(template)[1].Properties.Description as { 'Fn::Sub': string })['Fn::Sub'];
    const resolved = description.replace(/\$\{(\w+)\}/g, (_m, name: string) =>
      String(template.Parameters[name]!.Default),
    );
    expect(readVersionDescription(resolved)).toEqual({
      productVersion: PRODUCT_VERSION,
      codeSha256: BUNDLE.codeSha256,
    });
    for (const name of ['Runtime', 'Architecture', 'MemorySize', 'FunctionTimeout'])
      expect(description).toContain(`\${${name}}`);
  });

  it('asks deploy for CAPABILITY_NAMED_IAM, since the role has a name', () => {
    const { template, stack } = templateFor();
    expect(capabilities(template)).toEqual(['CAPABILITY_NAMED_IAM']);
    expect(deployCommands(template, stack, 'yaml')[1]).toContain('--capabilities CAPABILITY_NAMED_IAM');
  });

  it('reads back from YAML and JSON as the same document', () => {
    const { template } = templateFor({ corsOrigins: ['https://a.example', 'https://b.example'] });
    expect(parse(renderDocument(template, 'yaml'))).toEqual(template);
    expect(JSON.parse(renderDocument(template, 'json'))).toEqual(template);
  });
});
