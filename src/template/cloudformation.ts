/**
 * The stack that setup makes, as a CloudFormation template: rendered from `describeStack` section by section, so
 * that a setting the description gains cannot reach setup and not the template (the renderers are keyed by the
 * description's fields, and the typecheck fails until a new field has one). Names, settings and policies come
 * from the description; what a team usually varies (stage, runtime, architecture, memory, timeout, retention,
 * throttle) becomes a parameter whose default is the description's value.
 */
import { createHash } from 'node:crypto';
import { RETENTION_DAYS, DEFAULT_INTEGRATION_TIMEOUT_MS } from '../defaults.js';
import { executeApiArn, integrationUri, logGroupStreamsArn } from '../provision/arns.js';
import { alarmInput } from '../provision/alarm-spec.js';
import { ARCHITECTURES, MEMORY_MB, RUNTIMES } from '../provision/context.js';
import type { ApiResourceSpec, StackDescription } from '../provision/description.js';
import { CLOUDFORMATION_MANAGER, MANAGED_BY_TAG, tagList } from '../provision/names.js';
import { executionPolicy } from '../provision/policies.js';
import { versionDescription } from '../provision/version-description.js';

export type Intrinsic = { Ref: string } | { 'Fn::GetAtt': [string, string] } | { 'Fn::Sub': string };

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: 'Retain' | 'Delete';
  UpdateReplacePolicy?: 'Retain' | 'Delete';
}

export interface CfnParameter {
  Type: 'String' | 'Number';
  Default: string | number;
  Description: string;
  AllowedValues?: ReadonlyArray<string | number>;
  AllowedPattern?: string;
  MinValue?: number;
  MaxValue?: number;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters: Record<string, CfnParameter>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Description: string; Value: unknown }>;
}

/** What the template knows of the bundle beside it: its SHA-256, base64-encoded as Lambda reports `CodeSha256`. */
export interface Bundle {
  codeSha256: string;
}

/** The bundle's file name beside the template; `aws cloudformation package` uploads it and rewrites `Code`. */
export const BUNDLE_FILE = 'handler.zip';

const ref = (name: string): Intrinsic => ({ Ref: name });
const getAtt = (name: string, attribute: string): Intrinsic => ({ 'Fn::GetAtt': [name, attribute] });

/**
 * An ARN built by one of provisioning's builders, as a `Fn::Sub` string: the region and account are pseudo
 * parameters, and the partition the builder derives from the region becomes `${AWS::Partition}`.
 */
function subArn(build: (where: { region: string; accountId: string }) => string): Intrinsic {
  return {
    'Fn::Sub': build({ region: '${AWS::Region}', accountId: '${AWS::AccountId}' }).replace(
      /^arn:aws:/,
      'arn:${AWS::Partition}:',
    ),
  };
}

/** The logical ids of the template's resources and parameters. */
export const LOGICAL = {
  table: 'ProductTable',
  role: 'FunctionRole',
  logGroup: 'FunctionLogGroup',
  function: 'ProductFunction',
  alias: 'ProductFunctionAlias',
  api: 'RestApi',
  stage: 'ApiStage',
  usagePlan: 'UsagePlan',
  apiKey: 'ApiKey',
  usagePlanKey: 'UsagePlanKey',
  alarmTopic: 'AlarmTopic',
} as const;

export const PARAMETER = {
  stage: 'StageName',
  runtime: 'Runtime',
  architecture: 'Architecture',
  memory: 'MemorySize',
  timeout: 'FunctionTimeout',
  retention: 'LogRetentionDays',
  rateLimit: 'ThrottleRateLimit',
  burstLimit: 'ThrottleBurstLimit',
} as const;

/** `/product/{id}` → `ProductId`: the path's segments, letters and digits only, each capitalised. */
function pascal(path: string): string {
  return path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** The logical id of an API resource (a path) and of one of its methods. */
export const resourceId = (path: string): string => `ApiResource${pascal(path)}`;
export const methodId = (path: string, method: string): string =>
  `Method${pascal(path)}${pascal(method.toLowerCase())}`;

/** Every path a route needs, parents first: `/product/{id}` needs `/product`. */
export function resourcePaths(resources: readonly ApiResourceSpec[]): string[] {
  const paths = new Set<string>();
  for (const { path } of resources) {
    const parts = path.split('/').filter(Boolean);
    for (let end = 1; end <= parts.length; end++) paths.add(`/${parts.slice(0, end).join('/')}`);
  }
  return [...paths];
}

/** The stack's tags as CloudFormation writes them, marked as managed by CloudFormation. */
function templateTags(stack: StackDescription) {
  return tagList({ ...stack.tags, [MANAGED_BY_TAG]: CLOUDFORMATION_MANAGER });
}

type Sections = {
  parameters?: Record<string, CfnParameter>;
  resources?: Record<string, CfnResource>;
  outputs?: CfnTemplate['Outputs'];
};

/** Each field of the description and what it adds to the template. */
const RENDERERS: { [K in keyof StackDescription]: (stack: StackDescription, bundle: Bundle) => Sections } = {
  // The stack's name and tags reach every resource through templateTags.
  stack: () => ({}),
  tags: () => ({}),
  table: ({ table, ...stack }) => ({
    resources: {
      [LOGICAL.table]: {
        Type: 'AWS::DynamoDB::Table',
        // The items outlive the stack: deleting the stack or replacing the table keeps it.
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          TableName: table.name,
          AttributeDefinitions: [{ AttributeName: table.key.name, AttributeType: table.key.type }],
          KeySchema: [{ AttributeName: table.key.name, KeyType: 'HASH' }],
          BillingMode: table.billingMode,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: table.pointInTimeRecovery },
          Tags: templateTags({ table, ...stack }),
        },
      },
    },
    outputs: { TableName: { Description: 'The product table', Value: ref(LOGICAL.table) } },
  }),
  role: (stack) => ({
    resources: {
      [LOGICAL.role]: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: stack.role.name,
          Description: stack.role.description,
          AssumeRolePolicyDocument: stack.role.trustPolicy,
          Policies: [
            {
              PolicyName: stack.role.inlinePolicy.name,
              PolicyDocument: executionPolicy(
                {
                  table: getAtt(LOGICAL.table, 'Arn'),
                  logGroupStreams: subArn((where) => logGroupStreamsArn(where, `\${${LOGICAL.logGroup}}`)),
                },
                stack.role.inlinePolicy.grants,
              ),
            },
          ],
          ...(stack.role.managedPolicyArns.length ? { ManagedPolicyArns: [...stack.role.managedPolicyArns] } : {}),
          Tags: templateTags(stack),
        },
      },
    },
  }),
  logGroup: (stack) => ({
    parameters: {
      [PARAMETER.retention]: {
        Type: 'Number',
        Default: stack.logGroup.retentionDays,
        AllowedValues: RETENTION_DAYS,
        Description: "Days to keep the function's logs",
      },
    },
    resources: {
      [LOGICAL.logGroup]: {
        Type: 'AWS::Logs::LogGroup',
        Properties: {
          LogGroupName: stack.logGroup.name,
          RetentionInDays: ref(PARAMETER.retention),
          Tags: templateTags(stack),
        },
      },
    },
  }),
  function: (stack, bundle) => {
    const fn = stack.function;
    const environment = Object.fromEntries(
      Object.entries(fn.environment).map(([key, value]) => [
        key,
        value === stack.table.name ? ref(LOGICAL.table) : value,
      ]),
    );
    const functionResource: CfnResource = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: fn.name,
        Description: fn.description,
        PackageType: fn.packageType,
        // A path beside the template: `aws cloudformation package` uploads it and writes S3Bucket/S3Key here.
        Code: BUNDLE_FILE,
        Handler: fn.handler,
        Runtime: ref(PARAMETER.runtime),
        Architectures: [ref(PARAMETER.architecture)],
        MemorySize: ref(PARAMETER.memory),
        Timeout: ref(PARAMETER.timeout),
        Role: getAtt(LOGICAL.role, 'Arn'),
        Environment: { Variables: environment },
        LoggingConfig: { LogFormat: fn.logging.format, LogGroup: ref(LOGICAL.logGroup) },
        Tags: templateTags(stack),
      },
    };
    // A version is immutable: every property of it requires a replacement, so a new code or setting must change
    // it. The logical id follows the bundle and the fixed settings; the description names the bundle, as setup's
    // versions do, and the parameters' values, so that a changed parameter publishes a new version too.
    const settings = [PARAMETER.runtime, PARAMETER.architecture, PARAMETER.memory, PARAMETER.timeout]
      .map((p) => `${p}=\${${p}}`)
      .join(' ');
    const version: CfnResource = {
      Type: 'AWS::Lambda::Version',
      Properties: {
        FunctionName: ref(LOGICAL.function),
        // Lambda refuses to publish when $LATEST holds other code than this bundle.
        CodeSha256: bundle.codeSha256,
        Description: { 'Fn::Sub': `${versionDescription(bundle.codeSha256)} ${settings}` },
      },
    };
    const alias: CfnResource = {
      Type: 'AWS::Lambda::Alias',
      Properties: {
        FunctionName: ref(LOGICAL.function),
        FunctionVersion: getAtt(versionId(functionResource, bundle), 'Version'),
        Name: fn.alias.name,
        Description: fn.alias.description,
      },
    };
    return {
      parameters: {
        [PARAMETER.runtime]: {
          Type: 'String',
          Default: fn.runtime,
          AllowedValues: RUNTIMES,
          Description: 'The Lambda runtime',
        },
        [PARAMETER.architecture]: {
          Type: 'String',
          Default: fn.architecture,
          AllowedValues: ARCHITECTURES,
          Description: "The function's instruction set",
        },
        [PARAMETER.memory]: {
          Type: 'Number',
          Default: fn.memoryMb,
          MinValue: MEMORY_MB.min,
          MaxValue: MEMORY_MB.max,
          Description: "The function's memory, in MB",
        },
        [PARAMETER.timeout]: {
          Type: 'Number',
          Default: fn.timeoutSeconds,
          MinValue: 1,
          MaxValue: DEFAULT_INTEGRATION_TIMEOUT_MS / 1000,
          Description: "The function's timeout, in seconds (API Gateway gives up after 29)",
        },
      },
      resources: {
        [LOGICAL.function]: functionResource,
        [versionId(functionResource, bundle)]: version,
        [LOGICAL.alias]: alias,
      },
      outputs: {
        FunctionName: { Description: 'The Lambda function', Value: ref(LOGICAL.function) },
        LiveVersion: {
          Description: `The version alias ${fn.alias.name} runs`,
          Value: getAtt(versionId(functionResource, bundle), 'Version'),
        },
      },
    };
  },
  api: (stack) => {
    const { api } = stack;
    const resources: Record<string, CfnResource> = {
      [LOGICAL.api]: {
        Type: 'AWS::ApiGateway::RestApi',
        Properties: {
          Name: api.name,
          Description: api.description,
          EndpointConfiguration: { Types: [api.endpointType] },
          ApiKeySourceType: api.apiKeySource,
          Tags: templateTags(stack),
        },
      },
    };
    for (const path of resourcePaths(api.resources)) {
      const parent = path.slice(0, path.lastIndexOf('/'));
      resources[resourceId(path)] = {
        Type: 'AWS::ApiGateway::Resource',
        Properties: {
          RestApiId: ref(LOGICAL.api),
          ParentId: parent ? ref(resourceId(parent)) : getAtt(LOGICAL.api, 'RootResourceId'),
          PathPart: path.slice(path.lastIndexOf('/') + 1),
        },
      };
    }
    for (const { path, methods } of api.resources) {
      for (const spec of methods) {
        resources[methodId(path, spec.method)] = {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: ref(LOGICAL.api),
            ResourceId: ref(resourceId(path)),
            HttpMethod: spec.method,
            AuthorizationType: spec.authorizationType,
            ApiKeyRequired: spec.apiKeyRequired,
            Integration: {
              Type: spec.integration.type,
              IntegrationHttpMethod: spec.integration.httpMethod,
              Uri: subArn(({ region }) => integrationUri(region, `\${${aliasOf(stack, spec.integration.qualifier)}}`)),
            },
          },
        };
      }
    }
    for (const [path, preflight] of Object.entries(api.cors?.preflights ?? {})) {
      const templates = preflight.integrationResponseTemplates;
      resources[methodId(path, 'OPTIONS')] = {
        Type: 'AWS::ApiGateway::Method',
        Properties: {
          RestApiId: ref(LOGICAL.api),
          ResourceId: ref(resourceId(path)),
          HttpMethod: 'OPTIONS',
          AuthorizationType: preflight.authorizationType,
          ApiKeyRequired: preflight.apiKeyRequired,
          Integration: {
            Type: preflight.integration.type,
            RequestTemplates: { ...preflight.integration.requestTemplates },
            PassthroughBehavior: preflight.integration.passthroughBehavior,
            IntegrationResponses: [
              {
                StatusCode: preflight.statusCode,
                ResponseParameters: preflight.integrationResponseParameters,
                ...(Object.keys(templates).length ? { ResponseTemplates: templates } : {}),
              },
            ],
          },
          MethodResponses: [
            {
              StatusCode: preflight.statusCode,
              ResponseParameters: preflight.methodResponseParameters,
              ResponseModels: preflight.responseModels,
            },
          ],
        },
      };
    }
    for (const response of api.cors?.gatewayResponses ?? []) {
      resources[`GatewayResponse${pascal(response.responseType.toLowerCase())}`] = {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: {
          RestApiId: ref(LOGICAL.api),
          ResponseType: response.responseType,
          ResponseParameters: response.responseParameters,
          ResponseTemplates: response.responseTemplates,
        },
      };
    }
    return { resources, outputs: { ApiId: { Description: 'The REST API', Value: ref(LOGICAL.api) } } };
  },
  stage: (stack) => ({
    parameters: {
      [PARAMETER.stage]: {
        Type: 'String',
        Default: stack.stage.name,
        AllowedPattern: '[A-Za-z0-9_-]+',
        Description: 'The stage, the first segment of the invoke URL path',
      },
      [PARAMETER.rateLimit]: {
        Type: 'Number',
        Default: stack.stage.throttle.rateLimit,
        MinValue: 0,
        Description: 'Stage throttle: steady requests per second before 429',
      },
      [PARAMETER.burstLimit]: {
        Type: 'Number',
        Default: stack.stage.throttle.burstLimit,
        MinValue: 1,
        Description: 'Stage throttle: requests allowed in a burst',
      },
    },
    resources: {
      // The stage with its deployment (setup's CreateDeployment) and its throttle of every method (setup's UpdateStage).
      [LOGICAL.stage]: {
        Type: 'AWS::ApiGateway::Stage',
        Properties: {
          RestApiId: ref(LOGICAL.api),
          StageName: ref(PARAMETER.stage),
          DeploymentId: ref(deploymentId(stack)),
          MethodSettings: [
            {
              ResourcePath: '/*',
              HttpMethod: '*',
              ThrottlingRateLimit: ref(PARAMETER.rateLimit),
              ThrottlingBurstLimit: ref(PARAMETER.burstLimit),
            },
          ],
        },
      },
      [deploymentId(stack)]: {
        Type: 'AWS::ApiGateway::Deployment',
        // A deployment is a snapshot of the methods: it must follow all of them (and the gateway responses).
        DependsOn: apiParts(stack),
        Properties: { RestApiId: ref(LOGICAL.api), Description: stack.stage.deploymentDescription },
      },
    },
    outputs: {
      InvokeUrl: {
        Description: "The API's invoke URL, with its stage",
        Value: {
          'Fn::Sub': `https://\${${LOGICAL.api}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/\${${LOGICAL.stage}}`,
        },
      },
    },
  }),
  permission: (stack) => ({
    resources: Object.fromEntries(
      stack.permission.sources.map((source) => {
        // The stage's own sources follow the StageName parameter; the console's test stage is fixed.
        const stage = source.stage === stack.stage.name ? `\${${PARAMETER.stage}}` : source.stage;
        const id = `InvokePermission${pascal(source.stage === stack.stage.name ? 'stage' : source.stage)}${pascal(source.resource)}`;
        const resource: CfnResource = {
          Type: 'AWS::Lambda::Permission',
          Properties: {
            FunctionName: ref(aliasOf(stack, stack.permission.qualifier)),
            Action: stack.permission.action,
            Principal: stack.permission.principal,
            SourceArn: subArn((where) => executeApiArn(where, `\${${LOGICAL.api}}`, stage, '*', source.resource)),
          },
        };
        return [id, resource];
      }),
    ),
  }),
  usagePlan: (stack) => {
    const plan = stack.usagePlan;
    if (!plan.wanted) return {};
    return {
      resources: {
        [LOGICAL.usagePlan]: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: {
            UsagePlanName: plan.name,
            Description: plan.description,
            ApiStages: [{ ApiId: ref(LOGICAL.api), Stage: ref(LOGICAL.stage) }],
            Throttle: { RateLimit: ref(PARAMETER.rateLimit), BurstLimit: ref(PARAMETER.burstLimit) },
            Tags: templateTags(stack),
          },
        },
        [LOGICAL.apiKey]: {
          Type: 'AWS::ApiGateway::ApiKey',
          Properties: {
            Name: plan.key.name,
            Description: plan.key.description,
            Enabled: plan.key.enabled,
            Tags: templateTags(stack),
          },
        },
        [LOGICAL.usagePlanKey]: {
          Type: 'AWS::ApiGateway::UsagePlanKey',
          Properties: { KeyId: ref(LOGICAL.apiKey), KeyType: 'API_KEY', UsagePlanId: ref(LOGICAL.usagePlan) },
        },
      },
      outputs: {
        ApiKeyId: {
          Description: 'The API key (aws apigateway get-api-key --include-value --api-key ID)',
          Value: ref(LOGICAL.apiKey),
        },
      },
    };
  },
  alarms: (stack) => {
    const { alarms } = stack;
    if (!alarms.wanted) return {};
    const topic = ref(LOGICAL.alarmTopic);
    // The API's alarms follow the StageName parameter, in their names and in their Stage dimension.
    const stageSegment = `${stack.api.name}-${stack.stage.name}-`;
    const resources: Record<string, CfnResource> = {
      [LOGICAL.alarmTopic]: {
        Type: 'AWS::SNS::Topic',
        Properties: { TopicName: alarms.topic.name, DisplayName: alarms.topic.displayName, Tags: templateTags(stack) },
      },
    };
    alarms.topic.emails.forEach((email, index) => {
      resources[`AlarmSubscription${index + 1}`] = {
        Type: 'AWS::SNS::Subscription',
        Properties: { TopicArn: topic, Protocol: 'email', Endpoint: email },
      };
    });
    for (const spec of alarms.alarms) {
      const input = alarmInput(spec, '');
      const metrics = (input.Metrics ?? []).map((m) => {
        if (!m.MetricStat?.Metric) return m;
        const dimensions = (m.MetricStat.Metric.Dimensions ?? []).map((d) =>
          d.Name === 'Stage' ? { Name: 'Stage', Value: ref(PARAMETER.stage) } : d,
        );
        return { ...m, MetricStat: { ...m.MetricStat, Metric: { ...m.MetricStat.Metric, Dimensions: dimensions } } };
      });
      const name = spec.name.startsWith(stageSegment)
        ? { 'Fn::Sub': `${stack.api.name}-\${${PARAMETER.stage}}-${spec.name.slice(stageSegment.length)}` }
        : spec.name;
      resources[`Alarm${spec.key}`] = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          ...input,
          AlarmName: name,
          Metrics: metrics,
          AlarmActions: [topic],
          OKActions: [topic],
          Tags: templateTags(stack),
        },
      };
    }
    return { resources, outputs: { AlarmTopicArn: { Description: 'The topic the alarms notify', Value: topic } } };
  },
};

/** The API's resources do not depend on the bundle. */
const NO_BUNDLE: Bundle = { codeSha256: '' };

/** The logical id of the alias a qualifier names (the ARN is the alias's Ref); the description has one alias. */
function aliasOf(stack: StackDescription, qualifier: string): string {
  if (qualifier !== stack.function.alias.name) throw new Error(`the stack has no alias ${qualifier}`);
  return LOGICAL.alias;
}

/** The logical ids of every method and gateway response, which a deployment must follow. */
function apiParts(stack: StackDescription): string[] {
  const resources = RENDERERS.api(stack, NO_BUNDLE).resources ?? {};
  return Object.keys(resources).filter((id) =>
    ['AWS::ApiGateway::Method', 'AWS::ApiGateway::GatewayResponse'].includes(resources[id]!.Type),
  );
}

/**
 * The deployment's logical id carries a hash of the API's methods and gateway responses: CloudFormation makes a
 * new deployment only for a new logical id, so a changed method gets one, as setup deploys after a change.
 */
export function deploymentId(stack: StackDescription): string {
  const api = RENDERERS.api(stack, NO_BUNDLE).resources ?? {};
  const hash = createHash('sha256').update(JSON.stringify(api)).digest('hex').slice(0, 10);
  return `ApiDeployment${hash}`;
}

/** The logical id of the version of this function and bundle: a new bundle or setting gets a new version. */
function versionId(functionResource: CfnResource, bundle: Bundle): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([functionResource, bundle.codeSha256]))
    .digest('hex')
    .slice(0, 10);
  return `${LOGICAL.function}Version${hash}`;
}

/** The template of the stack this description makes, for this bundle. */
export function buildTemplate(stack: StackDescription, bundle: Bundle): CfnTemplate {
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${stack.api.description}: stack ${stack.stack}`,
    Parameters: {},
    Resources: {},
    Outputs: {},
  };
  for (const render of Object.values(RENDERERS)) {
    const sections = render(stack, bundle);
    Object.assign(template.Parameters, sections.parameters);
    Object.assign(template.Resources, sections.resources);
    Object.assign(template.Outputs, sections.outputs);
  }
  // Every resource says what deleting the stack does to it; CloudFormation's import requires it to be stated.
  for (const resource of Object.values(template.Resources)) resource.DeletionPolicy ??= 'Delete';
  return template;
}
