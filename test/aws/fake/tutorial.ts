/** The stack a tutorial user clicked together in the console: our names, no tags, tutorial-shaped items. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { FakeAws } from './fake-aws.js';

/** Items as the tutorial's test events wrote them: no version, createdAt or updatedAt; one without description. */
export const TUTORIAL_ITEMS: Array<Record<string, AttributeValue>> = [
  { id: { S: '1' }, title: { S: 'IPhone' }, description: { S: 'This is an IPhone' }, price: { N: '900' } },
  { id: { S: '2' }, title: { S: 'IPad' }, price: { N: '499' } },
];

/** Makes the hand-made stack in the fake account, as it stands an hour after the tutorial. */
export function makeTutorialStack(fake: FakeAws): { apiId: string } {
  const hourAgo = fake.clock.now() - 3_600_000;
  fake.dynamodb.CreateTable({
    TableName: 'product',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  const table = fake.tables.get('product');
  if (table) table.createdAt = hourAgo;
  for (const Item of TUTORIAL_ITEMS) fake.dynamodb.PutItem({ TableName: 'product', Item });
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  fake.iam.CreateRole({ RoleName: 'productFunctionRole', AssumeRolePolicyDocument: trust });
  const role = fake.roles.get('productFunctionRole');
  if (role) {
    role.createdAt = hourAgo;
    // The console's "Simple microservice permissions" template: a managed policy granting every table.
    role.attached.push(`arn:aws:iam::${fake.accountId}:policy/service-role/AWSLambdaMicroserviceExecutionRole-1a2b3c`);
    role.attached.push(`arn:aws:iam::${fake.accountId}:policy/service-role/AWSLambdaBasicExecutionRole-4d5e6f`);
  }
  fake.lambda.CreateFunction({
    FunctionName: 'productFunction',
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Role: `arn:aws:iam::${fake.accountId}:role/productFunctionRole`,
    Code: { ZipFile: new TextEncoder().encode('console code') },
  });
  const fn = fake.functions.get('productFunction');
  if (fn) fn.createdAt = hourAgo;
  // The tutorial's first test invocation created the function's log group, untagged, never expiring.
  fake.logs.CreateLogGroup({ logGroupName: '/aws/lambda/productFunction' });
  const api = fake.apigateway.CreateRestApi({ name: 'productApi', endpointConfiguration: { types: ['REGIONAL'] } });
  const record = fake.apis.get(api.id);
  const product = fake.apigateway.CreateResource({
    restApiId: api.id,
    parentId: api.rootResourceId,
    pathPart: 'product',
  });
  const byId = fake.apigateway.CreateResource({ restApiId: api.id, parentId: product.id, pathPart: '{id}' });
  const uri = `arn:aws:apigateway:${fake.region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${fake.region}:${fake.accountId}:function:productFunction/invocations`;
  for (const [resourceId, method] of [
    [product.id, 'GET'],
    [product.id, 'POST'],
    [byId.id, 'GET'],
  ] as const) {
    fake.apigateway.PutMethod({ restApiId: api.id, resourceId, httpMethod: method, authorizationType: 'NONE' });
    fake.apigateway.PutIntegration({
      restApiId: api.id,
      resourceId,
      httpMethod: method,
      type: 'AWS_PROXY',
      integrationHttpMethod: 'POST',
      uri,
    });
  }
  fake.apigateway.CreateDeployment({ restApiId: api.id, stageName: 'prod' });
  // The console's "Add permission" pop-up: any stage, one method and path.
  fn?.statements.set('a1b2c3d4-console', {
    Sid: 'a1b2c3d4-console',
    Effect: 'Allow',
    Principal: { Service: 'apigateway.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Condition: {
      ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:${fake.region}:${fake.accountId}:${api.id}/*/GET/product` },
    },
  });
  if (!record) throw new Error('the fake did not keep the API');
  return { apiId: api.id };
}
