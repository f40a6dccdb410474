// SDK errors become messages a user can act on.
import { describe, expect, it } from 'vitest';
import { TableNotFoundException } from '@aws-sdk/client-dynamodb';
import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { isNotFound, NO_CREDENTIALS_HINT, translateAwsError } from '../../src/aws/errors.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { AwsError, EXIT } from '../../src/errors.js';

describe('translateAwsError', () => {
  it('says how to get credentials when there are none', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const translated = translateAwsError(error, 'sts:GetCallerIdentity') as AwsError;
    expect(translated).toBeInstanceOf(AwsError);
    expect(translated.message).toBe(NO_CREDENTIALS_HINT);
    expect(translated.message).toBe('no AWS credentials found: set AWS_PROFILE or run aws configure, or use --local');
    expect(translated.exitCode).toBe(EXIT.aws);
  });

  it('names the permission that AccessDenied refers to', () => {
    const error = Object.assign(
      new Error(
        'User: arn:aws:iam::1:user/x is not authorized to perform: iam:CreateRole on resource: role productFunctionRole',
      ),
      { name: 'AccessDenied', $metadata: {} },
    );
    expect((translateAwsError(error, 'iam:CreateRole') as Error).message).toMatch(
      /^AWS denied iam:CreateRole: grant that permission to the caller \(User: /,
    );
  });

  it("names the call's own action when a 403 comes in a body the SDK cannot parse", () => {
    const deserialization =
      'Unexpected token \'<\', "<?xml vers"... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';
    const refused = Object.assign(new SyntaxError(deserialization), { $metadata: { httpStatusCode: 403 } });
    const broken = Object.assign(new SyntaxError(deserialization), { $metadata: { httpStatusCode: 500 } });

    const translated = translateAwsError(refused, 'dynamodb:CreateTable') as AwsError;

    expect(translated.message).toBe(
      'AWS denied dynamodb:CreateTable: grant that permission to the caller (HTTP 403, in a body the SDK could not read); it creates with tags, which also needs dynamodb:TagResource',
    );
    expect((translateAwsError(broken, 'dynamodb:CreateTable') as Error).message).toMatch(
      /^dynamodb:CreateTable failed: SyntaxError/,
    );
  });

  it("recognises every service's not-found error by its SDK name", () => {
    expect(isNotFound(new NoSuchEntityException({ message: 'x', $metadata: {} }))).toBe(true);
    expect(isNotFound(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }))).toBe(true);
    expect(isNotFound(Object.assign(new Error('x'), { name: 'NotFoundException' }))).toBe(true);
    expect(isNotFound(new TableNotFoundException({ message: 'x', $metadata: {} }))).toBe(true);
    expect(isNotFound(Object.assign(new Error('x'), { name: 'ResourceInUseException' }))).toBe(false);
    expect(isNotFound(new Error('x'))).toBe(false);
  });

  it('rejects an endpoint URL that is not http(s)', () => {
    expect(() => createAwsClients({ endpointUrl: 'localhost:5000' })).toThrow(AwsError);
  });
});
