/**
 * What setup makes, resource by resource, as plain data: every name and setting, derived once from the stack's
 * names, tags and setup flags. The provisioning steps read their names and settings from it, and a template can
 * be rendered from it. An ARN that needs the account (the role's grants, the permission's sources, the
 * integration's function) is given by the names it is built from and resolved where it is used.
 */
import { isProtected, type AuthSettings } from '../contract/auth.js';
import { CORS_ORIGINS_ENV } from '../contract/cors.js';
import type { HttpMethod } from '../contract/operations.js';
import { ROUTES } from '../contract/routes.js';
import { PRODUCT_TABLE, type TableDefinition } from '../stack/table-definition.js';
import { describeAlarms, type AlarmsSpec } from './alarm-spec.js';
import type { Architecture, ProvisionSettings, Runtime } from './context.js';
import {
  gatewayResponseConfigs,
  preflightConfig,
  type GatewayResponseConfig,
  type PreflightConfig,
} from './cors-config.js';
import { CONSOLE_TEST_STAGE } from '../stack/stage-name.js';
import type { ResourceNames } from './names.js';
import { EXECUTION_GRANTS, trustPolicy, type Grant, type PolicyDocument } from './policies.js';

/** What the description is derived from: the names of `--stack`/`--stage`, the stack's tags, the setup flags. */
export interface StackInput {
  names: ResourceNames;
  tags: Record<string, string>;
  settings: ProvisionSettings;
}

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface TableSpec extends TableDefinition {
  name: string;
  pointInTimeRecovery: boolean;
}

export interface RoleSpec {
  name: string;
  description: string;
  /** Who may assume the role: Lambda, and nothing else. */
  trustPolicy: PolicyDocument;
  /** The one inline policy; setup deletes any other. */
  inlinePolicy: { name: string; grants: readonly Grant[] };
  /** The managed policies the role keeps attached; setup detaches any other. */
  managedPolicyArns: readonly string[];
  /** The role's IAM path: `/`, or what an organisation requires (`/service-role/`). */
  path: string;
  /** The permissions boundary an organisation requires, as an ARN. */
  permissionsBoundary?: string;
}

export interface FunctionSpec {
  name: string;
  description: string;
  runtime: Runtime;
  architecture: Architecture;
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
  /** The execution role, by name. */
  role: string;
  logging: { format: 'JSON'; logGroup: string };
  packageType: 'Zip';
  /** The alias the API invokes; setup and deploy publish a version and point it there. */
  alias: AliasSpec;
}

export interface AliasSpec {
  name: string;
  description: string;
  /** Versions deploy keeps besides the live and canary ones; older ones are deleted (code storage is a regional quota). */
  keepVersions: number;
}

export interface LogGroupSpec {
  name: string;
  retentionDays: number;
}

/** Each method's authorization. */
export interface MethodAuth {
  authorizationType: 'AWS_IAM' | 'NONE';
  apiKeyRequired: boolean;
}

export interface MethodSpec extends MethodAuth {
  method: HttpMethod;
  /** A Lambda proxy integration of the function (always POST to Lambda). */
  integration: { type: 'AWS_PROXY'; httpMethod: 'POST'; function: string; qualifier: string };
}

export interface ApiResourceSpec {
  /** The resource path, with `{param}` placeholders. */
  path: string;
  methods: MethodSpec[];
}

export interface CorsSpec {
  origins: readonly string[];
  /** The OPTIONS method of each resource, by resource path. */
  preflights: Record<string, PreflightConfig>;
  gatewayResponses: GatewayResponseConfig[];
}

export interface ApiSpec {
  name: string;
  description: string;
  endpointType: 'REGIONAL';
  apiKeySource: 'HEADER';
  resources: ApiResourceSpec[];
  /** Absent without `--cors-origin`: setup then removes the preflights and gateway responses it made. */
  cors?: CorsSpec;
}

export interface StageSpec {
  name: string;
  /** The throttle of every method (API Gateway's `*\/*`). */
  throttle: Throttle;
  deploymentDescription: string;
}

/** One source API Gateway may invoke the function from: a stage and a resource of this API. */
export interface InvokeSource {
  stage: string;
  resource: string;
}

export interface PermissionSpec {
  function: string;
  /** The permission is granted on the alias the integrations invoke. */
  qualifier: string;
  action: 'lambda:InvokeFunction';
  principal: 'apigateway.amazonaws.com';
  sources: InvokeSource[];
}

export interface UsagePlanSpec {
  /** Made with `--auth api-key` only; teardown looks for the plan and its key by name either way. */
  wanted: boolean;
  name: string;
  description: string;
  throttle: Throttle;
  key: { name: string; description: string; enabled: true };
}

export interface StackDescription {
  /** The value of every resource's stack tag. */
  stack: string;
  tags: Record<string, string>;
  table: TableSpec;
  role: RoleSpec;
  function: FunctionSpec;
  logGroup: LogGroupSpec;
  api: ApiSpec;
  stage: StageSpec;
  permission: PermissionSpec;
  usagePlan: UsagePlanSpec;
  /** The alarm topic, its subscriptions and the alarms (`--alarm-email`). */
  alarms: AlarmsSpec;
}

const DESCRIPTION = 'Product catalogue REST API (products-cli)';

/** The alias every request goes through. */
export const LIVE_ALIAS = 'live';

/** The stack that setup makes for these names, tags and flags. */
export function describeStack({ names, tags, settings }: StackInput): StackDescription {
  const cors = describeCors(settings);
  return {
    stack: names.stack,
    tags,
    table: { name: names.table, ...PRODUCT_TABLE, pointInTimeRecovery: settings.pitr },
    role: {
      name: names.role,
      description: `Execution role of the ${names.function} Lambda function (products-cli)`,
      trustPolicy: trustPolicy(),
      inlinePolicy: { name: names.rolePolicy, grants: EXECUTION_GRANTS },
      managedPolicyArns: [],
      path: settings.rolePath ?? '/',
      ...(settings.permissionsBoundary ? { permissionsBoundary: settings.permissionsBoundary } : {}),
    },
    function: {
      name: names.function,
      description: DESCRIPTION,
      runtime: settings.runtime,
      architecture: settings.architecture,
      handler: 'index.handler',
      memoryMb: settings.memoryMb,
      timeoutSeconds: settings.timeoutSeconds,
      environment: { TABLE_NAME: names.table, ...(cors ? { [CORS_ORIGINS_ENV]: cors.origins.join(',') } : {}) },
      role: names.role,
      logging: { format: 'JSON', logGroup: names.logGroup },
      packageType: 'Zip',
      alias: { name: LIVE_ALIAS, description: 'The version the API invokes (products-cli)', keepVersions: 5 },
    },
    logGroup: { name: names.logGroup, retentionDays: settings.logRetentionDays },
    api: {
      name: names.api,
      description: DESCRIPTION,
      endpointType: 'REGIONAL',
      apiKeySource: 'HEADER',
      resources: ROUTES.map((route) => ({
        path: route.resource,
        methods: route.methods.map((method) => ({
          method,
          ...methodAuth(settings.auth, method),
          integration: { type: 'AWS_PROXY', httpMethod: 'POST', function: names.function, qualifier: LIVE_ALIAS },
        })),
      })),
      ...(cors ? { cors } : {}),
    },
    stage: { name: names.stage, throttle: { ...settings.throttle }, deploymentDescription: 'products-cli setup' },
    permission: {
      function: names.function,
      qualifier: LIVE_ALIAS,
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sources: invokeSources(names.stage),
    },
    usagePlan: {
      wanted: settings.apiKey,
      name: names.usagePlan,
      description: 'products-cli API key plan',
      throttle: { ...settings.throttle },
      key: { name: names.apiKey, description: 'products-cli API key', enabled: true },
    },
    alarms: describeAlarms(names, settings.alarms),
  };
}

/** The API's CORS configuration for `--cors-origin`, or undefined without it. */
export function describeCors(settings: Pick<ProvisionSettings, 'corsOrigins'>): CorsSpec | undefined {
  const origins = settings.corsOrigins;
  if (origins.length === 0) return undefined;
  return {
    origins,
    preflights: Object.fromEntries(ROUTES.map((route) => [route.resource, preflightConfig(origins, route.resource)])),
    gatewayResponses: gatewayResponseConfigs(origins),
  };
}

/** AWS_IAM on the protected methods with --auth iam, the API key on them with --auth api-key, NONE otherwise. */
export function methodAuth(auth: AuthSettings, method: string): MethodAuth {
  const protectedMethod = isProtected(auth, method);
  return {
    authorizationType: protectedMethod && auth.mode === 'iam' ? 'AWS_IAM' : 'NONE',
    apiKeyRequired: protectedMethod && auth.mode === 'api-key',
  };
}

/**
 * Every route from the stage, and from the console's `test-invoke-stage` as SAM allows it, so that the
 * console's Test button works while a permission scoped to one stage would refuse it.
 */
export function invokeSources(stage: string): InvokeSource[] {
  return [stage, CONSOLE_TEST_STAGE].flatMap((s) => ROUTES.map((route) => ({ stage: s, resource: route.resource })));
}
