/** ARNs, integration URIs and URLs, built from plain inputs (pure functions). */

/** The partition of a region: `aws`, `aws-cn` or `aws-us-gov`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export interface Where {
  region: string;
  accountId: string;
}

export function tableArn(where: Where, table: string): string {
  return `arn:${partitionOf(where.region)}:dynamodb:${where.region}:${where.accountId}:table/${table}`;
}

export function roleArn(where: Where, role: string): string {
  return `arn:${partitionOf(where.region)}:iam::${where.accountId}:role/${role}`;
}

export function functionArn(where: Where, fn: string): string {
  return `arn:${partitionOf(where.region)}:lambda:${where.region}:${where.accountId}:function:${fn}`;
}

/** The log group's ARN, with the `:*` that covers its streams (what PutLogEvents is authorised against). */
export function logGroupStreamsArn(where: Where, logGroup: string): string {
  return `arn:${partitionOf(where.region)}:logs:${where.region}:${where.accountId}:log-group:${logGroup}:*`;
}

/** The log group's own ARN (tagging), without the `:*`. */
export function logGroupArn(where: Where, logGroup: string): string {
  return `arn:${partitionOf(where.region)}:logs:${where.region}:${where.accountId}:log-group:${logGroup}`;
}

/** The URI of a Lambda proxy integration: API Gateway's path to the function's Invoke action. */
export function integrationUri(region: string, fnArn: string): string {
  return `arn:${partitionOf(region)}:apigateway:${region}:lambda:path/2015-03-31/functions/${fnArn}/invocations`;
}

/**
 * The execute-api ARN that a permission's SourceArn matches: `{apiId}/{stage}/{METHOD}/{path}`, where a
 * `{param}` segment becomes `*` (API Gateway matches the ARN against the resource path with wildcards).
 */
export function executeApiArn(
  where: Where,
  apiId: string,
  stage: string,
  method: string,
  resourcePath: string,
): string {
  const path = resourcePath.replace(/^\//, '').replace(/\{[^}]+\}/g, '*');
  return `arn:${partitionOf(where.region)}:execute-api:${where.region}:${where.accountId}:${apiId}/${stage}/${method}/${path}`;
}

/**
 * The invoke URL of a REST API stage; in an emulator at `endpointUrl`, its path form there
 * (`/restapis/{id}/{stage}/_user_request_`), so that calls to the stack never leave the emulator.
 */
export function invokeUrl(region: string, apiId: string, stage: string, endpointUrl?: string): string {
  if (endpointUrl) return `${endpointUrl.replace(/\/+$/, '')}/restapis/${apiId}/${stage}/_user_request_`;
  const domain = partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${apiId}.execute-api.${region}.${domain}/${stage}`;
}

/** The ARN of a REST API (API Gateway's tagging ARN). */
export function restApiArn(region: string, apiId: string): string {
  return `arn:${partitionOf(region)}:apigateway:${region}::/restapis/${apiId}`;
}

/** The ARN of an SNS topic, known from its name. */
export function topicArn(where: Where, topic: string): string {
  return `arn:${partitionOf(where.region)}:sns:${where.region}:${where.accountId}:${topic}`;
}
