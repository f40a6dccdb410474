// The pure builders: ARNs, URIs, URLs, policies, names.
import { describe, expect, it } from 'vitest';
import {
  executeApiArn,
  functionArn,
  integrationUri,
  invokeUrl,
  logGroupStreamsArn,
  partitionOf,
  tableArn,
} from '../../src/provision/arns.js';
import { checkStackName, resourceNames } from '../../src/provision/names.js';
import { executionPolicy, parsePolicyDocument, samePolicy, trustPolicy } from '../../src/provision/policies.js';
import { permissionStatements } from '../../src/provision/permission.js';
import { throttlePatch } from '../../src/provision/stage.js';
import { UsageError } from '../../src/errors.js';

const where = { region: 'eu-west-1', accountId: '111122223333' };

describe('ARNs and URLs', () => {
  it('builds them for the aws partition', () => {
    expect(tableArn(where, 'product')).toBe('arn:aws:dynamodb:eu-west-1:111122223333:table/product');
    expect(functionArn(where, 'productFunction')).toBe(
      'arn:aws:lambda:eu-west-1:111122223333:function:productFunction',
    );
    expect(logGroupStreamsArn(where, '/aws/lambda/productFunction')).toBe(
      'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/productFunction:*',
    );
    expect(integrationUri('eu-west-1', functionArn(where, 'f'))).toBe(
      'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:f/invocations',
    );
    expect(executeApiArn(where, 'a1', 'prod', 'GET', '/product/{id}')).toBe(
      'arn:aws:execute-api:eu-west-1:111122223333:a1/prod/GET/product/*',
    );
    expect(invokeUrl('eu-west-1', 'a1', 'prod')).toBe('https://a1.execute-api.eu-west-1.amazonaws.com/prod');
  });

  it.each([
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('region %s is in partition %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });

  it('uses the .cn domain for China regions', () => {
    expect(invokeUrl('cn-north-1', 'a1', 'prod')).toBe('https://a1.execute-api.cn-north-1.amazonaws.com.cn/prod');
  });

  it("scopes the invoke permission to one statement per route, for the stage and the console's test-invoke-stage", () => {
    expect(permissionStatements(where, 'a1', 'prod')).toEqual([
      {
        StatementId: 'apigateway-prod-product',
        SourceArn: 'arn:aws:execute-api:eu-west-1:111122223333:a1/prod/*/product',
      },
      {
        StatementId: 'apigateway-prod-product-id',
        SourceArn: 'arn:aws:execute-api:eu-west-1:111122223333:a1/prod/*/product/*',
      },
      {
        StatementId: 'apigateway-prod-products',
        SourceArn: 'arn:aws:execute-api:eu-west-1:111122223333:a1/prod/*/products',
      },
      {
        StatementId: 'apigateway-test-invoke-stage-product',
        SourceArn: 'arn:aws:execute-api:eu-west-1:111122223333:a1/test-invoke-stage/*/product',
      },
      {
        StatementId: 'apigateway-test-invoke-stage-product-id',
        SourceArn: 'arn:aws:execute-api:eu-west-1:111122223333:a1/test-invoke-stage/*/product/*',
      },
      {
        StatementId: 'apigateway-test-invoke-stage-products',
        SourceArn: 'arn:aws:execute-api:eu-west-1:111122223333:a1/test-invoke-stage/*/products',
      },
    ]);
  });

  it('sets throttling on every method of the stage', () => {
    expect(throttlePatch({ rateLimit: 5, burstLimit: 10 })).toEqual([
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '5' },
      { op: 'replace', path: '/*/*/throttling/burstLimit', value: '10' },
    ]);
  });
});

describe('policies', () => {
  it('grants the five item actions on one table and log writing on one log group, nothing else', () => {
    const policy = executionPolicy({ table: 'arn:table', logGroupStreams: 'arn:logs:*' });
    expect(policy.Statement.flatMap((s) => s.Action)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(policy.Statement.map((s) => s.Resource)).toEqual(['arn:table', 'arn:logs:*']);
    expect(JSON.stringify(policy)).not.toContain('table/*');
  });

  it('reads IAM documents back whether URL-encoded or not, and compares them structurally', () => {
    const trust = trustPolicy();
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(trust)))).toEqual(trust);
    expect(parsePolicyDocument(JSON.stringify(trust))).toEqual(trust);
    expect(parsePolicyDocument('not json')).toBeUndefined();
    const reordered = {
      Statement: [{ Action: ['sts:AssumeRole'], Principal: { Service: 'lambda.amazonaws.com' }, Effect: 'Allow' }],
      Version: '2012-10-17',
    };
    expect(samePolicy(reordered, trust)).toBe(true);
    expect(samePolicy({ ...reordered, Version: '2008-10-17' }, trust)).toBe(false);
  });
});

describe('names', () => {
  it('defaults to the tutorial names', () => {
    expect(resourceNames()).toMatchObject({
      stack: 'default',
      table: 'product',
      function: 'productFunction',
      api: 'productApi',
      logGroup: '/aws/lambda/productFunction',
    });
  });

  it.each(['', '1abc', 'has space', 'a'.repeat(21), 'under_score'])('rejects the stack name %j', (name) => {
    expect(() => checkStackName(name)).toThrow(UsageError);
  });
});
