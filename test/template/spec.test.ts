// Every template products-cli writes, for each combination of flags that changes it, checked against the
// CloudFormation resource specification (the @aws-cdk/aws-service-spec database).
import { describe, expect, it } from 'vitest';
import { describeStack } from '../../src/provision/description.js';
import { resourceNames, stackTags } from '../../src/provision/names.js';
import { DEFAULT_SETTINGS } from '../../src/provision/session.js';
import type { ProvisionSettings } from '../../src/provision/context.js';
import { buildTemplate, LOGICAL, type CfnTemplate } from '../../src/template/cloudformation.js';
import { checkTemplate, packaged, resourceSpec } from './spec-check.js';

const AUTHS = [
  { mode: 'iam', privateReads: false },
  { mode: 'iam', privateReads: true },
  { mode: 'api-key', privateReads: false },
  { mode: 'api-key', privateReads: true },
  { mode: 'none', privateReads: false },
] as const;
const CORS = [[], ['*'], ['https://shop.example.com'], ['https://a.example', 'http://localhost:5173']];
const OTHERS: Array<[string, Partial<ProvisionSettings>, string?, string?]> = [
  ['--no-pitr', { pitr: false }],
  ['--stack alice --stage dev', {}, 'alice', 'dev'],
  [
    '--log-retention 3653 --memory 10240 --function-timeout 29',
    { logRetentionDays: 3653, memoryMb: 10240, timeoutSeconds: 29 },
  ],
  ['--arch x86_64 --runtime nodejs22.x', { architecture: 'x86_64', runtime: 'nodejs22.x' }],
  ['--rate-limit 0.5 --burst-limit 1', { throttle: { rateLimit: 0.5, burstLimit: 1 } }],
  [
    '--alarm-email a@example.com --alarm-email b@example.com --alarm-p99 500',
    {
      alarms: {
        emails: ['a@example.com', 'b@example.com'],
        thresholds: { ...DEFAULT_SETTINGS.alarms.thresholds, p99LatencyMs: 500 },
      },
    },
  ],
  [
    '--stack alice --stage dev --alarm-email a@example.com',
    { alarms: { emails: ['a@example.com'], thresholds: DEFAULT_SETTINGS.alarms.thresholds } },
    'alice',
    'dev',
  ],
];

const BUNDLE = { codeSha256: 'c2hhMjU2LW9mLXRoZS1idW5kbGU=' };

function templateOf(settings: Partial<ProvisionSettings>, stack?: string, stage?: string): CfnTemplate {
  const names = resourceNames(stack, stage);
  const template = buildTemplate(
    describeStack({ names, tags: stackTags(names), settings: { ...DEFAULT_SETTINGS, ...settings } }),
    BUNDLE,
  );
  // What `deploy` receives is the packaged template, whose code is an S3 object.
  return packaged(template, 'bucket', 'handler.zip');
}

const COMBINATIONS: Array<[string, CfnTemplate]> = [
  ...AUTHS.flatMap((auth) =>
    CORS.map((origins): [string, CfnTemplate] => [
      `--auth ${auth.mode}${auth.privateReads ? ' --private-reads' : ''}${origins.map((o) => ` --cors-origin ${o}`).join('')}`,
      templateOf({ auth, apiKey: auth.mode === 'api-key', corsOrigins: [...origins] }),
    ]),
  ),
  ...OTHERS.map(([flags, settings, stack, stage]): [string, CfnTemplate] => [
    flags,
    templateOf(settings, stack, stage),
  ]),
];

describe('the template against the CloudFormation resource specification', () => {
  it.each(COMBINATIONS)(
    '%s: known types and properties, required ones present, values and references right',
    (_flags, template) => {
      expect(checkTemplate(template)).toEqual([]);
    },
  );

  it('covers every resource type the templates use', () => {
    const types = new Set(COMBINATIONS.flatMap(([, t]) => Object.values(t.Resources).map((r) => r.Type)));
    expect([...types].sort()).toEqual([
      'AWS::ApiGateway::ApiKey',
      'AWS::ApiGateway::Deployment',
      'AWS::ApiGateway::GatewayResponse',
      'AWS::ApiGateway::Method',
      'AWS::ApiGateway::Resource',
      'AWS::ApiGateway::RestApi',
      'AWS::ApiGateway::Stage',
      'AWS::ApiGateway::UsagePlan',
      'AWS::ApiGateway::UsagePlanKey',
      'AWS::CloudWatch::Alarm',
      'AWS::DynamoDB::Table',
      'AWS::IAM::Role',
      'AWS::Lambda::Alias',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
      'AWS::Lambda::Version',
      'AWS::Logs::LogGroup',
      'AWS::SNS::Subscription',
      'AWS::SNS::Topic',
    ]);
    for (const type of types) expect(resourceSpec(type), type).toBeDefined();
  });

  it('refuses the template before packaging: Code is then a path, not the S3 object CloudFormation takes', () => {
    const names = resourceNames();
    const raw = buildTemplate(describeStack({ names, tags: stackTags(names), settings: DEFAULT_SETTINGS }), BUNDLE);
    expect(checkTemplate(raw).join('\n')).toMatch(/ProductFunction.*Code: "handler.zip" is not a Code/);
  });

  it('finds what is wrong in a broken template', () => {
    const broken = templateOf({});
    const fn = broken.Resources[LOGICAL.function]!.Properties;
    fn.MemorySize = 'lots';
    fn.Colour = 'blue';
    delete fn.Role;
    fn.Environment = { Variables: { TABLE_NAME: { 'Fn::GetAtt': [LOGICAL.table, 'Size'] } } };
    broken.Resources[LOGICAL.stage]!.Properties.RestApiId = { Ref: 'NoSuchApi' };
    broken.Resources[LOGICAL.table]!.Properties.Tags = [{ Key: 'k', Value: 1 }];
    broken.Resources.Extra = { Type: 'AWS::Nope::Thing', Properties: {} };
    const method = Object.values(broken.Resources).find((r) => r.Type === 'AWS::ApiGateway::Method')!;
    (method.Properties.Integration as Record<string, unknown>).Kind = 'proxy';
    broken.Resources[LOGICAL.role]!.Properties.Policies = [
      { PolicyName: 'p', PolicyDocument: { Statement: [{ Resource: { 'Fn::Sub': '${NoLogGroup}' } }] } },
    ];
    const problems = checkTemplate(broken).join('\n');
    for (const expected of [
      'is not an integer',
      'unknown property Colour',
      'required property Role is missing',
      'has no attribute Size',
      'Ref NoSuchApi names no parameter or resource',
      '1 is not a string',
      'AWS::Nope::Thing is not a resource type',
      'unknown property Kind',
      'Ref NoLogGroup names',
    ]) {
      expect(problems).toContain(expected);
    }
  });
});
