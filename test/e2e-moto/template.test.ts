// The template deployed on moto's CloudFormation makes the resources that setup makes with the same flags on
// another moto, compared field by field. moto 5.2.1's CloudFormation implements AWS::DynamoDB::Table,
// AWS::IAM::Role (with inline Policies), AWS::Logs::LogGroup, AWS::Lambda::Function, AWS::Lambda::Permission,
// AWS::ApiGateway::RestApi, ::Resource, ::Method (with a URI: not the MOCK preflights) and ::Deployment; it skips
// AWS::ApiGateway::Stage, ::UsagePlan, ::ApiKey, ::UsagePlanKey and ::GatewayResponse (and of the alarms it makes
// AWS::SNS::Topic but neither AWS::SNS::Subscription nor AWS::CloudWatch::Alarm), and of a function it reads
// neither Architectures nor LoggingConfig nor Tags, and of a table not PointInTimeRecoverySpecification. Those are checked against the specification
// (test/template/spec.test.ts), and the stage's name and throttle against setup's stage here. It makes
// AWS::Lambda::Version but not AWS::Lambda::Alias (it answers 500): the template goes to moto without the alias, its
// references to it written as the alias's ARN, and the alias is made with CreateAlias from the template's properties
// before an update adds what needs it (the permissions: moto's AddPermission looks the alias up).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/contract/operations.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../src/aws/clients.js';
import { setupAws, type SetupAwsOptions } from '../../src/commands/setup/aws.js';
import { writeTemplateFolder } from '../../src/commands/template.js';
import { resourceNames, type ResourceNames } from '../../src/provision/names.js';
import { parsePolicyDocument } from '../../src/provision/policies.js';
import { HANDLER_ZIP } from '../../src/provision/session.js';
import { LOGICAL, type CfnResource, type CfnTemplate } from '../../src/template/cloudformation.js';
import { capabilities } from '../../src/template/files.js';
import { testContext } from '../aws/fake/harness.js';
import { packaged } from '../template/spec-check.js';
import { motoAvailable, startEmulator, type Emulator } from './moto-server.js';

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let bySetup: Emulator;
let byTemplate: Emulator;
const opened: AwsClients[] = [];

function clientsOf(emulator: Emulator): AwsClients {
  const clients = createAwsClients({ region: REGION, endpointUrl: emulator.url });
  opened.push(clients);
  return clients;
}

/**
 * An inline policy as moto answers it. A role made by moto's CloudFormation keeps the template's policy as a
 * Python dict, and GetRolePolicy answers its repr ({'Version': ...}); our policies hold no quote, True or None.
 */
function readPolicy(text: string | undefined): unknown {
  return parsePolicyDocument(text) ?? (text ? JSON.parse(text.replace(/'/g, '"')) : undefined);
}

/**
 * The endpoint types as moto stored them. Its CloudFormation keeps EndpointConfiguration as the template spells
 * it (`Types`), where the API has `types`, so the SDK reads none: read the REST API's JSON itself.
 */
async function endpointTypes(emulator: Emulator, restApiId: string): Promise<unknown> {
  // moto's server picks the service from the credential scope of the Authorization header.
  const authorization = `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/apigateway/aws4_request, SignedHeaders=host, Signature=0`;
  const api = (await (await fetch(`${emulator.url}/restapis/${restApiId}`, { headers: { authorization } })).json()) as {
    endpointConfiguration?: { Types?: unknown; types?: unknown };
  };
  return api.endpointConfiguration?.types ?? api.endpointConfiguration?.Types;
}

/** What the live stack is, field by field, with the ids that differ between two emulators taken out. */
async function snapshot(
  emulator: Emulator,
  names: ResourceNames,
  permissionsOf?: (restApiId: string) => Array<{ source?: unknown }>,
) {
  const clients = clientsOf(emulator);
  const table = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: names.table }))).Table!;
  const role = (await clients.iam.send(new GetRoleCommand({ RoleName: names.role }))).Role!;
  const policyNames = (await clients.iam.send(new ListRolePoliciesCommand({ RoleName: names.role }))).PolicyNames ?? [];
  const policies = Object.fromEntries(
    await Promise.all(
      policyNames.map(async (name) => [
        name,
        readPolicy(
          (await clients.iam.send(new GetRolePolicyCommand({ RoleName: names.role, PolicyName: name }))).PolicyDocument,
        ),
      ]),
    ),
  );
  const fn = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: names.function }));
  const group = (
    await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroup }))
  ).logGroups?.find((g) => g.logGroupName === names.logGroup);
  const api = (await clients.apigateway.send(new GetRestApisCommand({}))).items?.find((a) => a.name === names.api);
  const restApiId = api!.id!;
  const resources = (await clients.apigateway.send(new GetResourcesCommand({ restApiId, limit: 500 }))).items ?? [];
  const methods: Record<string, unknown> = {};
  for (const resource of resources) {
    for (const httpMethod of Object.keys(resource.resourceMethods ?? {})) {
      const method = await clients.apigateway.send(
        new GetMethodCommand({ restApiId, resourceId: resource.id, httpMethod }),
      );
      const integration = await clients.apigateway.send(
        new GetIntegrationCommand({ restApiId, resourceId: resource.id, httpMethod }),
      );
      methods[`${httpMethod} ${resource.path}`] = {
        authorizationType: method.authorizationType,
        apiKeyRequired: Boolean(method.apiKeyRequired),
        integration: { type: integration.type, httpMethod: integration.httpMethod, uri: integration.uri },
      };
    }
  }
  const alias = await clients.lambda.send(new GetAliasCommand({ FunctionName: names.function, Name: 'live' }));
  const version = await clients.lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: names.function, Qualifier: alias.FunctionVersion }),
  );
  const topics = ((await clients.sns.send(new ListTopicsCommand({}))).Topics ?? [])
    .map((t) => t.TopicArn?.split(':').at(-1))
    .sort();
  const statements = permissionsOf
    ? []
    : (
        JSON.parse(
          (await clients.lambda.send(new GetPolicyCommand({ FunctionName: names.function, Qualifier: 'live' })))
            .Policy ?? '{}',
        ) as {
          Statement: Array<{
            Principal: unknown;
            Action: unknown;
            Resource?: string;
            Condition?: { ArnLike?: Record<string, string> };
          }>;
        }
      ).Statement;
  return {
    table: {
      name: table.TableName,
      keySchema: table.KeySchema,
      attributes: table.AttributeDefinitions,
      billing: table.BillingModeSummary?.BillingMode,
    },
    role: {
      name: role.RoleName,
      trust: parsePolicyDocument(role.AssumeRolePolicyDocument),
      description: role.Description,
      policies,
    },
    function: {
      name: fn.FunctionName,
      runtime: fn.Runtime,
      handler: fn.Handler,
      memory: fn.MemorySize,
      timeout: fn.Timeout,
      environment: fn.Environment?.Variables,
      role: fn.Role,
      description: fn.Description,
    },
    alias: {
      name: alias.Name,
      description: alias.Description,
      arn: alias.AliasArn,
      version: { codeSha256: version.CodeSha256, memory: version.MemorySize, runtime: version.Runtime },
    },
    logGroup: { name: group?.logGroupName, retentionDays: group?.retentionInDays },
    api: {
      name: api?.name,
      description: api?.description,
      endpoint: api?.endpointConfiguration?.types ?? (await endpointTypes(emulator, restApiId)),
      paths: resources.map((r) => r.path).sort(),
      methods,
    },
    permissions: (
      (permissionsOf?.(restApiId) ??
        statements.map((s) => ({
          principal: s.Principal,
          action: s.Action,
          resource: s.Resource,
          source: s.Condition?.ArnLike?.['AWS:SourceArn']?.replace(`:${restApiId}/`, ':{api}/'),
        }))) as Array<{ source?: string }>
    ).sort((a, b) => String(a.source).localeCompare(String(b.source))),
    topics,
    restApiId,
  };
}

/** The types moto's CloudFormation cannot create; the test makes them itself, between two deploys of the stack. */
const NOT_IN_MOTO = ['AWS::Lambda::Alias'];

interface MotoPlan {
  /** The first deploy: without what moto cannot create, nor what needs it to exist (a Ref to it). */
  first: CfnTemplate;
  /** The update after the test made those: the rest, each reference to them written as their ARN. */
  then: CfnTemplate;
  left: Record<string, CfnResource>;
}

/** The template in the two deploys moto can take, and the resources left for the test to make. */
function motoPlan(template: CfnTemplate): MotoPlan {
  const left = Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => NOT_IN_MOTO.includes(r.Type)));
  const needsLeft = (resource: CfnResource) =>
    Object.keys(left).some((id) => JSON.stringify(resource).includes(JSON.stringify({ Ref: id })));
  const rest = Object.fromEntries(Object.entries(template.Resources).filter(([id]) => !(id in left)));
  let text = JSON.stringify({ ...template, Resources: rest });
  for (const [id, resource] of Object.entries(left)) {
    const arn = `\${${LOGICAL.function}.Arn}:${String(resource.Properties.Name)}`;
    text = text
      .replaceAll(JSON.stringify({ Ref: id }), JSON.stringify({ 'Fn::Sub': arn }))
      .replaceAll(`\${${id}}`, arn);
  }
  const then = JSON.parse(text) as CfnTemplate;
  const held = Object.keys(rest).filter((id) => needsLeft(rest[id]!));
  expect(held.length).toBeGreaterThan(0);
  const first = {
    ...then,
    Resources: Object.fromEntries(Object.entries(then.Resources).filter(([id]) => !held.includes(id))),
  };
  return { first, then, left };
}

/**
 * The template's permissions as statements. moto's CloudFormation keeps a permission on an alias as the template's
 * properties, and GetPolicy with the qualifier then fails (500): the statements are read from the template instead,
 * its references resolved as CloudFormation resolves them in this stack.
 */
function templateStatements(template: CfnTemplate, names: ResourceNames): Array<Record<string, unknown>> {
  const values: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': '123456789012',
    [LOGICAL.api]: '{api}',
    [`${LOGICAL.function}.Arn`]: `arn:aws:lambda:${REGION}:123456789012:function:${names.function}`,
    ...Object.fromEntries(Object.entries(template.Parameters).map(([name, p]) => [name, String(p.Default)])),
  };
  const resolve = (value: unknown) =>
    (value as { 'Fn::Sub': string })['Fn::Sub'].replace(
      /\$\{([^}]+)\}/g,
      (_m, name: string) => values[name] ?? `?${name}`,
    );
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Permission')
    .map((r) => ({
      principal: { Service: r.Properties.Principal },
      action: r.Properties.Action,
      resource: resolve(r.Properties.FunctionName),
      source: resolve(r.Properties.SourceArn),
    }));
}

/** Makes the aliases moto's CloudFormation cannot, from the template's properties and the stack's resources. */
async function createLeftOut(
  emulator: Emulator,
  template: CfnTemplate,
  left: Record<string, CfnResource>,
  name: string,
): Promise<void> {
  const cfn = new CloudFormationClient({ region: REGION, endpoint: emulator.url, credentials });
  try {
    const physical = async (logicalId: string) =>
      (await cfn.send(new DescribeStackResourceCommand({ StackName: name, LogicalResourceId: logicalId })))
        .StackResourceDetail?.PhysicalResourceId;
    for (const resource of Object.values(left)) {
      const p = resource.Properties as {
        FunctionName: { Ref: string };
        FunctionVersion: { 'Fn::GetAtt': [string, string] };
        Name: string;
        Description: string;
      };
      const [versionId] = p.FunctionVersion['Fn::GetAtt'];
      expect(template.Resources[versionId]?.Type).toBe('AWS::Lambda::Version');
      const versionArn = await physical(versionId);
      await clientsOf(emulator).lambda.send(
        new CreateAliasCommand({
          FunctionName: await physical(p.FunctionName.Ref),
          Name: p.Name,
          Description: p.Description,
          FunctionVersion: versionArn?.split(':').at(-1),
        }),
      );
    }
  } finally {
    cfn.destroy();
  }
}

/** Deploys the template as `aws cloudformation package` and `deploy` would (create, or update), and waits for it. */
async function deployTemplate(emulator: Emulator, template: CfnTemplate, name: string, update = false): Promise<void> {
  const endpoint = emulator.url;
  const s3 = new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials });
  const cfn = new CloudFormationClient({ region: REGION, endpoint, credentials });
  try {
    const bucket = `${name}-artifacts`;
    if (!update) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'handler.zip', Body: readFileSync(HANDLER_ZIP) }));
    const body = JSON.stringify(packaged(template, bucket, 'handler.zip'));
    const input = { StackName: name, TemplateBody: body, Capabilities: capabilities(template) as never };
    await cfn.send(update ? new UpdateStackCommand(input) : new CreateStackCommand(input));
    const done = update ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE';
    for (let i = 0; ; i += 1) {
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
      if (stack?.StackStatus === done) return;
      if (!stack?.StackStatus?.endsWith('IN_PROGRESS') || i > 100)
        throw new Error(`stack ${name}: ${stack?.StackStatus} ${stack?.StackStatusReason ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    s3.destroy();
    cfn.destroy();
  }
}

describe.runIf(motoAvailable)('the template on moto against setup on another moto', () => {
  beforeAll(async () => {
    [bySetup, byTemplate] = await Promise.all([startEmulator(), startEmulator()]);
  }, 60_000);
  afterAll(async () => {
    opened.forEach(destroyAwsClients);
    await Promise.all([bySetup?.stop(), byTemplate?.stop()]);
  });

  it.each<[string, SetupAwsOptions]>([
    ['the defaults', {}],
    [
      '--stack alice --stage dev --auth api-key --private-reads --memory 512 --function-timeout 20 --log-retention 30 --runtime nodejs22.x --rate-limit 50 --burst-limit 70',
      {
        stack: 'alice',
        stage: 'dev',
        auth: 'api-key',
        privateReads: true,
        memory: 512,
        functionTimeout: 20_000,
        logRetention: 30,
        runtime: 'nodejs22.x',
        rateLimit: 50,
        burstLimit: 70,
      },
    ],
    ['--stack open --auth none --no-pitr --arch x86_64', { stack: 'open', auth: 'none', pitr: false, arch: 'x86_64' }],
    [
      '--stack watch --stage live --alarm-email ops@example.com --alarm-5xx 2 --alarm-p99 700',
      { stack: 'watch', stage: 'live', alarmEmail: ['ops@example.com'], alarm5xx: 2, alarmP99: 700 },
    ],
  ])(
    '%s: the same table, role and policy, function, log group, API, methods, integrations and permissions',
    async (_flags, flags) => {
      // Prepare: the same flags for both
      const names = resourceNames(flags.stack, flags.stage);
      const setupCwd = mkdtempSync(join(tmpdir(), 'products-cli-template-moto-'));
      const templateCwd = mkdtempSync(join(tmpdir(), 'products-cli-template-moto-'));

      // Act
      await setupAws({ ...flags, region: REGION, endpointUrl: bySetup.url, verify: false }, testContext(setupCwd), {});
      const written = await writeTemplateFolder({ ...flags, output: 'cfn', format: 'json' }, testContext(templateCwd));
      const template = JSON.parse(readFileSync(join(written.output, 'template.json'), 'utf8')) as CfnTemplate;
      const plan = motoPlan(template);
      expect(Object.values(plan.left).map((r) => r.Type)).toEqual(NOT_IN_MOTO);
      await deployTemplate(byTemplate, plan.first, `products-${names.stack}`);
      await createLeftOut(byTemplate, template, plan.left, `products-${names.stack}`);
      await deployTemplate(byTemplate, plan.then, `products-${names.stack}`, true);

      // Assess: every field that both moto services report
      const made = await snapshot(bySetup, names);
      const deployed = await snapshot(byTemplate, names, () => templateStatements(plan.then, names));
      const { restApiId: _a, ...setupFields } = made;
      const { restApiId: _b, ...templateFields } = deployed;
      expect(templateFields).toEqual(setupFields);
      expect(Object.keys(setupFields.api.methods)).toHaveLength(OPERATIONS.length);
      expect(
        Object.values(setupFields.api.methods).every((m) =>
          String((m as { integration: { uri?: string } }).integration.uri).endsWith(':live/invocations'),
        ),
      ).toBe(true);

      // The stage (no AWS::ApiGateway::Stage in moto): the template's against setup's
      const stage = await clientsOf(bySetup).apigateway.send(
        new GetStageCommand({ restApiId: made.restApiId, stageName: names.stage }),
      );
      const templateStage = template.Resources[LOGICAL.stage]!.Properties as {
        MethodSettings: Array<Record<string, { Ref: string }>>;
      };
      const parameter = (ref: { Ref: string } | undefined) => template.Parameters[ref!.Ref]!.Default;
      expect({
        name: stage.stageName,
        rate: stage.methodSettings?.['*/*']?.throttlingRateLimit,
        burst: stage.methodSettings?.['*/*']?.throttlingBurstLimit,
      }).toEqual({
        name: parameter({ Ref: 'StageName' }),
        rate: parameter(templateStage.MethodSettings[0]?.ThrottlingRateLimit),
        burst: parameter(templateStage.MethodSettings[0]?.ThrottlingBurstLimit),
      });
    },
    120_000,
  );
});
