/**
 * Every AWS call the AWS commands send, with the IAM action that authorises it, the resource it acts on and
 * the narrowest role that needs it. `products-cli policy` prints the policy document derived from this table,
 * and a test holds it to the commands the code sends, so that the policy cannot fall behind the code.
 */
import { partitionOf, type Where } from './arns.js';
import type { ResourceNames } from './names.js';

/** Who needs a call: `read` (status, logs), `operate` (those and deploy), `setup` (those, setup and teardown). */
export type PolicyUse = 'read' | 'operate' | 'setup';
export const POLICY_USES: readonly PolicyUse[] = ['read', 'operate', 'setup'];

/** What a call acts on; each kind becomes one statement of the policy. */
export type ResourceKind =
  | 'account'
  | 'table'
  | 'role'
  | 'function'
  | 'logGroup'
  | 'logGroups'
  | 'apigateway'
  | 'alarms'
  | 'topic';

export interface CallPermission {
  /** The client the call is sent with, as in `AwsClients`. */
  service: 'sts' | 'dynamodb' | 'iam' | 'lambda' | 'logs' | 'apigateway' | 'cloudwatch' | 'sns';
  /** The SDK operations (the command's name without `Command`). */
  operations: readonly string[];
  action: string;
  resource: ResourceKind;
  use: PolicyUse;
}

const row = (
  service: CallPermission['service'],
  action: string,
  resource: ResourceKind,
  use: PolicyUse,
  operations: readonly string[] = [action.split(':')[1] as string],
): CallPermission => ({ service, operations, action, resource, use });

export const CALL_PERMISSIONS: readonly CallPermission[] = [
  // GetCallerIdentity needs no permission; it is listed so that every call has its row.
  row('sts', 'sts:GetCallerIdentity', 'account', 'read'),
  row('dynamodb', 'dynamodb:DescribeTable', 'table', 'read'),
  row('dynamodb', 'dynamodb:ListTagsOfResource', 'table', 'read'),
  row('dynamodb', 'dynamodb:DescribeContinuousBackups', 'table', 'read'),
  row('dynamodb', 'dynamodb:CreateTable', 'table', 'setup'),
  row('dynamodb', 'dynamodb:TagResource', 'table', 'setup'),
  row('dynamodb', 'dynamodb:UpdateTable', 'table', 'setup'),
  row('dynamodb', 'dynamodb:UpdateContinuousBackups', 'table', 'setup'),
  // Teardown counts the items (and backs them up) before it deletes the table.
  row('dynamodb', 'dynamodb:Scan', 'table', 'setup'),
  row('dynamodb', 'dynamodb:DeleteTable', 'table', 'setup'),
  row('iam', 'iam:GetRole', 'role', 'read'),
  row('iam', 'iam:GetRolePolicy', 'role', 'read'),
  row('iam', 'iam:CreateRole', 'role', 'setup'),
  row('iam', 'iam:TagRole', 'role', 'setup'),
  row('iam', 'iam:UpdateAssumeRolePolicy', 'role', 'setup'),
  row('iam', 'iam:PutRolePermissionsBoundary', 'role', 'setup'),
  row('iam', 'iam:PutRolePolicy', 'role', 'setup'),
  row('iam', 'iam:ListRolePolicies', 'role', 'setup'),
  row('iam', 'iam:ListAttachedRolePolicies', 'role', 'setup'),
  row('iam', 'iam:DeleteRolePolicy', 'role', 'setup'),
  row('iam', 'iam:DetachRolePolicy', 'role', 'setup'),
  row('iam', 'iam:DeleteRole', 'role', 'setup'),
  // Giving the function its role passes the role to Lambda.
  row('lambda', 'iam:PassRole', 'role', 'setup', ['CreateFunction', 'UpdateFunctionConfiguration']),
  row('lambda', 'lambda:GetAccountSettings', 'account', 'read'),
  row('lambda', 'lambda:GetFunction', 'function', 'read'),
  row('lambda', 'lambda:ListTags', 'function', 'read'),
  row('lambda', 'lambda:GetFunctionConfiguration', 'function', 'read'),
  row('lambda', 'lambda:GetPolicy', 'function', 'read'),
  row('lambda', 'lambda:GetAlias', 'function', 'read'),
  row('lambda', 'lambda:ListVersionsByFunction', 'function', 'read'),
  row('lambda', 'lambda:UpdateFunctionCode', 'function', 'operate'),
  // deploy publishes the uploaded code as a version and moves alias live to it.
  row('lambda', 'lambda:PublishVersion', 'function', 'operate'),
  row('lambda', 'lambda:UpdateAlias', 'function', 'operate'),
  row('lambda', 'lambda:CreateAlias', 'function', 'setup'),
  row('lambda', 'lambda:CreateFunction', 'function', 'setup'),
  row('lambda', 'lambda:TagResource', 'function', 'setup'),
  row('lambda', 'lambda:UpdateFunctionConfiguration', 'function', 'setup'),
  row('lambda', 'lambda:AddPermission', 'function', 'setup'),
  row('lambda', 'lambda:RemovePermission', 'function', 'setup'),
  row('lambda', 'lambda:DeleteFunction', 'function', 'setup'),
  // metrics on AWS and deploy --canary's per-version figures; GetMetricData takes no resource.
  row('cloudwatch', 'cloudwatch:GetMetricData', 'account', 'read'),
  // The alarms (setup --alarm-email): status reads them, setup and teardown make and delete them.
  row('cloudwatch', 'cloudwatch:DescribeAlarms', 'alarms', 'read'),
  row('cloudwatch', 'cloudwatch:ListTagsForResource', 'alarms', 'read'),
  row('cloudwatch', 'cloudwatch:PutMetricAlarm', 'alarms', 'setup'),
  // PutMetricAlarm with Tags is authorised against TagResource as well.
  row('cloudwatch', 'cloudwatch:TagResource', 'alarms', 'setup', ['PutMetricAlarm']),
  row('cloudwatch', 'cloudwatch:DeleteAlarms', 'alarms', 'setup'),
  row('sns', 'sns:GetTopicAttributes', 'topic', 'read'),
  row('sns', 'sns:ListTagsForResource', 'topic', 'read'),
  row('sns', 'sns:ListSubscriptionsByTopic', 'topic', 'read'),
  row('sns', 'sns:CreateTopic', 'topic', 'setup'),
  row('sns', 'sns:TagResource', 'topic', 'setup', ['CreateTopic']),
  row('sns', 'sns:Subscribe', 'topic', 'setup'),
  row('sns', 'sns:Unsubscribe', 'topic', 'setup'),
  row('sns', 'sns:DeleteTopic', 'topic', 'setup'),
  row('logs', 'logs:DescribeLogGroups', 'logGroups', 'read'),
  row('logs', 'logs:ListTagsForResource', 'logGroup', 'read'),
  row('logs', 'logs:FilterLogEvents', 'logGroup', 'read'),
  row('logs', 'logs:CreateLogGroup', 'logGroup', 'setup'),
  row('logs', 'logs:TagResource', 'logGroup', 'setup'),
  row('logs', 'logs:PutRetentionPolicy', 'logGroup', 'setup'),
  row('logs', 'logs:DeleteLogGroup', 'logGroup', 'setup'),
  // API Gateway authorises by HTTP method on the resource path.
  row('apigateway', 'apigateway:GET', 'apigateway', 'read', [
    'GetRestApis',
    'GetRestApi',
    'GetResources',
    'GetStage',
    'GetIntegration',
    'GetMethod',
    'GetGatewayResponse',
    'GetUsagePlans',
    'GetApiKeys',
    'GetUsagePlanKeys',
  ]),
  row('apigateway', 'apigateway:POST', 'apigateway', 'setup', [
    'CreateRestApi',
    'CreateResource',
    'CreateDeployment',
    'CreateUsagePlan',
    'CreateApiKey',
    'CreateUsagePlanKey',
  ]),
  row('apigateway', 'apigateway:PUT', 'apigateway', 'setup', [
    'PutMethod',
    'PutIntegration',
    'PutMethodResponse',
    'PutIntegrationResponse',
    'PutGatewayResponse',
    'TagResource',
  ]),
  row('apigateway', 'apigateway:PATCH', 'apigateway', 'setup', [
    'UpdateRestApi',
    'UpdateStage',
    'UpdateMethod',
    'UpdateUsagePlan',
  ]),
  row('apigateway', 'apigateway:DELETE', 'apigateway', 'setup', [
    'DeleteRestApi',
    'DeleteMethod',
    'DeleteGatewayResponse',
    'DeleteUsagePlan',
    'DeleteApiKey',
  ]),
];

/** True when a role for `use` may make calls that need `needed`. */
export function usesCover(use: PolicyUse, needed: PolicyUse): boolean {
  return POLICY_USES.indexOf(needed) <= POLICY_USES.indexOf(use);
}

/** The rows that authorise one SDK call (more than one when a call needs two actions). */
export function permissionsOf(service: string, operation: string): CallPermission[] {
  return CALL_PERMISSIONS.filter((p) => p.service === service && p.operations.includes(operation));
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface CallerPolicy {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The ARNs of each kind of resource, for these names in this account and region. */
export function resourceArns(names: ResourceNames, where: Where): Record<ResourceKind, string[]> {
  const p = partitionOf(where.region);
  const at = `${where.region}:${where.accountId}`;
  const api = (path: string) => `arn:${p}:apigateway:${where.region}::${path}`;
  return {
    account: ['*'],
    table: [`arn:${p}:dynamodb:${at}:table/${names.table}`],
    // Any path: a role taken over with --adopt may live under one (/service-role/).
    role: [
      `arn:${p}:iam::${where.accountId}:role/${names.role}`,
      `arn:${p}:iam::${where.accountId}:role/*/${names.role}`,
    ],
    // The function, and its versions and aliases (`productFunction:live`, `productFunction:3`).
    function: [
      `arn:${p}:lambda:${at}:function:${names.function}`,
      `arn:${p}:lambda:${at}:function:${names.function}:*`,
    ],
    logGroup: [`arn:${p}:logs:${at}:log-group:${names.logGroup}`, `arn:${p}:logs:${at}:log-group:${names.logGroup}:*`],
    logGroups: [`arn:${p}:logs:${at}:log-group:*`],
    // A REST API's id is known only once it exists, so its paths are granted by prefix.
    // Alarm names start with the API's, the function's or the table's name (alarm-spec.ts).
    alarms: [names.api, names.function, names.table].map((name) => `arn:${p}:cloudwatch:${at}:alarm:${name}-*`),
    // A subscription's ARN is its topic's, followed by its id.
    topic: [`arn:${p}:sns:${at}:${names.api}-alarms`, `arn:${p}:sns:${at}:${names.api}-alarms:*`],
    apigateway: ['/restapis', '/restapis/*', '/usageplans', '/usageplans/*', '/apikeys', '/apikeys/*', '/tags/*'].map(
      api,
    ),
  };
}

const SIDS: Record<ResourceKind, string> = {
  account: 'Caller',
  table: 'Table',
  role: 'FunctionRole',
  function: 'Function',
  logGroup: 'LogGroup',
  logGroups: 'FindLogGroup',
  apigateway: 'RestApi',
  alarms: 'Alarms',
  topic: 'AlarmTopic',
};

/** The policy a caller needs for `use` on the stack of these names, one statement per kind of resource. */
export function callerPolicy(
  names: ResourceNames,
  where: Where,
  use: PolicyUse,
  omit: readonly string[] = [],
): CallerPolicy {
  const arns = resourceArns(names, where);
  const rows = CALL_PERMISSIONS.filter(
    (p) => usesCover(use, p.use) && p.action !== 'sts:GetCallerIdentity' && !omit.includes(p.action),
  );
  const kinds = [...new Set(rows.map((p) => p.resource))];
  return {
    Version: '2012-10-17',
    Statement: kinds.map((kind) => ({
      Sid: SIDS[kind],
      Effect: 'Allow',
      Action: [...new Set(rows.filter((p) => p.resource === kind).map((p) => p.action))].sort(),
      Resource: arns[kind],
    })),
  };
}
