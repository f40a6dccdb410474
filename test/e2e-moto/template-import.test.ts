// template --import against a stack that setup made on moto: the resources to import name exactly the live
// resources, read back with describe calls; once CloudFormation owns the stack, setup and teardown refuse it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetMethodCommand, GetResourcesCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { DescribeTableCommand, TagResourceCommand as TagTableCommand } from '@aws-sdk/client-dynamodb';
import { TagResourceCommand as TagFunctionCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { setupAws, type SetupAwsOptions } from '../../src/commands/setup/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { writeTemplateFolder } from '../../src/commands/template.js';
import { MANAGED_BY_TAG } from '../../src/provision/names.js';
import { readState } from '../../src/state/state-file.js';
import type { ResourceToImport } from '../../src/template/import.js';
import { testContext } from '../aws/fake/harness.js';
import { motoAvailable, useEmulator, type Emulator } from './moto-server.js';
import { invokeSources } from '../../src/provision/description.js';

const REGION = 'us-east-1';
let emulator: Emulator;
let clients: AwsClients;

describe.runIf(motoAvailable)('template --import against moto', () => {
  useEmulator(REGION, (started, made) => {
    emulator = started;
    clients = made;
  });

  it('names exactly the live resources, and setup and teardown then refuse the stack CloudFormation owns', async () => {
    // Prepare: a stack made by setup, with a usage plan and key and CORS
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-import-'));
    const flags: SetupAwsOptions = {
      stack: 'hand',
      auth: 'api-key',
      corsOrigin: ['https://shop.example.com'],
    } as SetupAwsOptions;
    const target = { region: REGION, endpointUrl: emulator.url };
    const made = await setupAws({ ...flags, ...target, verify: false }, testContext(cwd), {});

    // Act
    const result = await writeTemplateFolder({ ...flags, ...target, output: 'cfn', import: true }, testContext(cwd));

    // Assess: each identifier is a live resource's
    const file = JSON.parse(
      readFileSync(join(result.output, 'resources-to-import.json'), 'utf8'),
    ) as ResourceToImport[];
    const byType = (type: string) => file.filter((r) => r.ResourceType === type).map((r) => r.ResourceIdentifier);
    expect(byType('AWS::DynamoDB::Table')).toEqual([{ TableName: 'hand-product' }]);
    expect(byType('AWS::IAM::Role')).toEqual([{ RoleName: 'hand-productFunctionRole' }]);
    expect(byType('AWS::Lambda::Function')).toEqual([{ FunctionName: 'hand-productFunction' }]);
    expect(byType('AWS::Logs::LogGroup')).toEqual([{ LogGroupName: '/aws/lambda/hand-productFunction' }]);
    expect(byType('AWS::ApiGateway::RestApi')).toEqual([{ RestApiId: made.apiId }]);
    const restApiId = made.apiId as string;
    const resources =
      (await clients.apigateway.send(new GetResourcesCommand({ restApiId, embed: ['methods'] }))).items ?? [];
    expect(byType('AWS::ApiGateway::Resource').sort((a, b) => a.ResourceId!.localeCompare(b.ResourceId!))).toEqual(
      resources
        .filter((r) => r.path !== '/')
        .map((r) => ({ RestApiId: restApiId, ResourceId: r.id }))
        .sort((a, b) => a.ResourceId!.localeCompare(b.ResourceId!)),
    );
    const liveMethods = resources
      .flatMap((r) => Object.keys(r.resourceMethods ?? {}).map((m) => `${r.id} ${m}`))
      .sort();
    expect(
      byType('AWS::ApiGateway::Method')
        .map((m) => `${m.ResourceId} ${m.HttpMethod}`)
        .sort(),
    ).toEqual(liveMethods);
    for (const m of byType('AWS::ApiGateway::Method'))
      await expect(
        clients.apigateway.send(
          new GetMethodCommand({ restApiId, resourceId: m.ResourceId, httpMethod: m.HttpMethod }),
        ),
      ).resolves.toBeDefined();
    const stage = await clients.apigateway.send(new GetStageCommand({ restApiId, stageName: 'prod' }));
    expect(byType('AWS::ApiGateway::Deployment')).toEqual([{ RestApiId: restApiId, DeploymentId: stage.deploymentId }]);
    expect(byType('AWS::ApiGateway::Stage')).toEqual([{ RestApiId: restApiId, StageName: 'prod' }]);
    const recorded = (await readState(cwd)).aws?.resources;
    expect(byType('AWS::ApiGateway::UsagePlan')).toEqual([{ Id: recorded?.usagePlanId }]);
    expect(byType('AWS::ApiGateway::ApiKey')).toEqual([{ APIKeyId: recorded?.apiKeyId }]);
    expect(result.handOver?.notImported.map((n) => n.type).sort()).toEqual([
      'AWS::ApiGateway::GatewayResponse',
      'AWS::ApiGateway::GatewayResponse',
      'AWS::ApiGateway::UsagePlanKey',
      ...invokeSources('prod').map(() => 'AWS::Lambda::Permission'),
    ]);
    expect(result.commands[0]).toMatch(
      /^aws cloudformation create-change-set --stack-name products-hand --region us-east-1 --change-set-name \S+ --change-set-type IMPORT --resources-to-import file:\/\/resources-to-import.json --template-body file:\/\/import-template.yaml --capabilities CAPABILITY_NAMED_IAM$/,
    );
    expect(
      result.commands.some((c) => c.startsWith('aws cloudformation execute-change-set --stack-name products-hand')),
    ).toBe(true);
    expect(result.files).toEqual([
      'template.yaml',
      'README.md',
      'import-template.yaml',
      'resources-to-import.json',
      'handler.zip',
    ]);

    // Act: what the deploy after the import does to the tags; then setup and teardown
    const fn = made.steps.find((s) => s.resource === 'function')?.id as string;
    await clients.lambda.send(new TagFunctionCommand({ Resource: fn, Tags: { [MANAGED_BY_TAG]: 'cloudformation' } }));
    const setupAgain = setupAws({ ...flags, ...target, verify: false }, testContext(cwd), {});

    // Assess
    await expect(setupAgain).rejects.toThrow(
      /setup leaves stack hand alone: its function hand-productFunction is managed by CloudFormation.*aws cloudformation deploy/,
    );
    await expect(teardownAws({ ...flags, ...target, yes: true }, testContext(cwd), {})).rejects.toThrow(
      /teardown leaves stack hand alone: .*delete-stack/,
    );
    await expect(clients.dynamodb.send(new DescribeTableCommand({ TableName: 'hand-product' }))).resolves.toBeDefined();
  }, 120_000);

  it("refuses a stack whose table carries CloudFormation's stack tag", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-import-'));
    const target = { region: REGION, endpointUrl: emulator.url, stack: 'owned' };
    await setupAws({ ...target, verify: false }, testContext(cwd), {});
    const table = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'owned-product' }))).Table
      ?.TableArn;
    await clients.dynamodb.send(
      new TagTableCommand({
        ResourceArn: table,
        Tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'products-owned' }],
      }),
    );
    await expect(teardownAws({ ...target, yes: true }, testContext(cwd), {})).rejects.toThrow(
      /its table owned-product is managed by CloudFormation stack products-owned/,
    );
  }, 60_000);
});
