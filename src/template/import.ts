/**
 * Hand-over of a live stack to CloudFormation by resource import: which of the template's resources can be
 * imported, with the identifiers that name the live ones, and what happens to those that cannot.
 *
 * An import change set may only import: its template holds the imported resources and nothing new, each with a
 * DeletionPolicy, each named as it is live. The resources whose identifier CloudFormation makes itself (a
 * permission's statement id, a gateway response's or a usage plan key's id) cannot be imported; the first
 * `deploy` of the whole template after the import makes them.
 */
import type { StackDescription } from '../provision/description.js';
import { statementId } from '../stack/stage-name.js';
import type { CfnResource, CfnTemplate } from './cloudformation.js';

/** What only a read of the live stack knows. */
export interface LiveIdentifiers {
  restApiId: string;
  /** API Gateway's id of each resource, by path (`/product/{id}`). */
  resourceIds: Record<string, string>;
  /** The deployment the stage serves. */
  deploymentId: string;
  usagePlanId?: string;
  apiKeyId?: string;
  /** The alias the API invokes, and the version it runs, as ARNs. */
  alias?: { arn: string; versionArn: string };
  /** The alarm topic's ARN (with --alarm-email). */
  alarmTopicArn?: string;
}

export interface ResourceToImport {
  ResourceType: string;
  LogicalResourceId: string;
  ResourceIdentifier: Record<string, string>;
}

export interface NotImported {
  logicalId: string;
  type: string;
  why: string;
  /** What to do about it, in words; `commands` when it takes commands. */
  then: string;
  commands?: string[];
  /** Whether the commands run before the deploy that follows the import (else after it). */
  beforeDeploy?: boolean;
}

export interface ImportPlan {
  /** The template of the import change set: the importable resources only. */
  template: CfnTemplate;
  resources: ResourceToImport[];
  notImported: NotImported[];
}

type Identify = (
  resource: CfnResource,
  id: string,
  context: { template: CfnTemplate; live: LiveIdentifiers },
) => Record<string, string>;

const prop = (resource: CfnResource, name: string): string => String(resource.Properties[name]);

/** The path of an API resource of the template: its parents' path parts, then its own. */
function pathOf(template: CfnTemplate, logicalId: string): string {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`the template has no resource ${logicalId}`);
  const parent = (resource.Properties.ParentId as { Ref?: string }).Ref;
  return `${parent ? pathOf(template, parent) : ''}/${prop(resource, 'PathPart')}`;
}

function liveResourceId(context: { template: CfnTemplate; live: LiveIdentifiers }, logicalId: string): string {
  const path = pathOf(context.template, logicalId);
  const id = context.live.resourceIds[path];
  if (!id)
    throw new Error(`the live REST API has no resource ${path}; run products-cli setup with the same flags first`);
  return id;
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`the live stack has no ${what}; run products-cli setup with the same flags first`);
  return value;
}

/**
 * The import identifiers of each of our resource types (the specification's primary identifier; a test holds them
 * to it). Each type here is on CloudFormation's list of types that support import.
 */
export const IMPORT_IDENTIFIERS: Record<string, Identify> = {
  'AWS::DynamoDB::Table': (r) => ({ TableName: prop(r, 'TableName') }),
  'AWS::IAM::Role': (r) => ({ RoleName: prop(r, 'RoleName') }),
  'AWS::Logs::LogGroup': (r) => ({ LogGroupName: prop(r, 'LogGroupName') }),
  'AWS::Lambda::Function': (r) => ({ FunctionName: prop(r, 'FunctionName') }),
  // The version live runs and the alias itself: both on the list, named by their ARNs.
  'AWS::Lambda::Version': (_r, _id, { live }) => ({
    FunctionArn: required(live.alias?.versionArn, 'version behind alias live'),
  }),
  'AWS::Lambda::Alias': (_r, _id, { live }) => ({ AliasArn: required(live.alias?.arn, 'alias live') }),
  'AWS::ApiGateway::RestApi': (_r, _id, { live }) => ({ RestApiId: live.restApiId }),
  'AWS::ApiGateway::Resource': (_r, id, context) => ({
    RestApiId: context.live.restApiId,
    ResourceId: liveResourceId(context, id),
  }),
  'AWS::ApiGateway::Method': (r, _id, context) => ({
    RestApiId: context.live.restApiId,
    ResourceId: liveResourceId(context, (r.Properties.ResourceId as { Ref: string }).Ref),
    HttpMethod: prop(r, 'HttpMethod'),
  }),
  'AWS::ApiGateway::Deployment': (_r, _id, { live }) => ({
    RestApiId: live.restApiId,
    DeploymentId: live.deploymentId,
  }),
  'AWS::ApiGateway::Stage': (r, _id, { template, live }) => ({
    RestApiId: live.restApiId,
    StageName: String(template.Parameters[(r.Properties.StageName as { Ref: string }).Ref]?.Default),
  }),
  'AWS::ApiGateway::UsagePlan': (_r, _id, { live }) => ({ Id: required(live.usagePlanId, 'usage plan') }),
  'AWS::ApiGateway::ApiKey': (_r, _id, { live }) => ({ APIKeyId: required(live.apiKeyId, 'API key') }),
  // An API alarm's name follows the StageName parameter: the live one carries its default.
  'AWS::CloudWatch::Alarm': (r, _id, { template }) => {
    const name = r.Properties.AlarmName as string | { 'Fn::Sub': string };
    if (typeof name === 'string') return { AlarmName: name };
    return {
      AlarmName: name['Fn::Sub'].replace(/\$\{(\w+)\}/g, (_m, parameter: string) =>
        String(template.Parameters[parameter]?.Default),
      ),
    };
  },
  'AWS::SNS::Topic': (_r, _id, { live }) => ({ TopicArn: required(live.alarmTopicArn, 'alarm topic') }),
};

/** Why a resource type cannot be imported, and what becomes of it. */
function notImportable(id: string, resource: CfnResource, live: LiveIdentifiers): NotImported {
  const base = { logicalId: id, type: resource.Type };
  if (resource.Type === 'AWS::Lambda::Permission') {
    return {
      ...base,
      why: "its identifier is a statement id that CloudFormation makes, so products-cli's statement cannot be named",
      then: "the deploy after the import adds CloudFormation's own statement beside products-cli's; then remove products-cli's statements",
    };
  }
  if (resource.Type === 'AWS::ApiGateway::GatewayResponse') {
    return {
      ...base,
      why: 'its identifier is made by CloudFormation',
      then: 'the deploy after the import puts it again, with the same headers, in place (nothing to do)',
    };
  }
  if (resource.Type === 'AWS::ApiGateway::UsagePlanKey') {
    const keyId = required(live.apiKeyId, 'API key');
    const planId = required(live.usagePlanId, 'usage plan');
    return {
      ...base,
      why: 'its identifier is made by CloudFormation, and the deploy could not add the key to the plan while it is there',
      then: 'take the key out of the plan just before the deploy, which puts it back (writes get 403 in between)',
      commands: [`aws apigateway delete-usage-plan-key --usage-plan-id ${planId} --key-id ${keyId}`],
      beforeDeploy: true,
    };
  }
  if (resource.Type === 'AWS::SNS::Subscription') {
    return {
      ...base,
      why: 'its identifier is the subscription ARN, which an email subscription has only once someone confirms it',
      then: 'the deploy after the import subscribes the address again; SNS answers a subscribed address with its subscription, and mails an unconfirmed one a fresh link',
    };
  }
  return { ...base, why: 'CloudFormation cannot import this type', then: 'the deploy after the import makes it' };
}

/** The import change set's template, resources to import, and what is left to the deploy that follows. */
export function importPlan(template: CfnTemplate, stack: StackDescription, live: LiveIdentifiers): ImportPlan {
  const resources: ResourceToImport[] = [];
  const notImported: NotImported[] = [];
  const kept: CfnTemplate['Resources'] = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    const identify = IMPORT_IDENTIFIERS[resource.Type];
    if (identify) {
      resources.push({
        ResourceType: resource.Type,
        LogicalResourceId: id,
        ResourceIdentifier: identify(resource, id, { template, live }),
      });
      kept[id] = structuredClone(resource);
    } else {
      notImported.push(notImportable(id, resource, live));
    }
  }
  // products-cli's own statement of each source, which CloudFormation's replaces once the deploy has made it (the
  // template has one permission per source, in the description's order).
  notImported
    .filter((n) => n.type === 'AWS::Lambda::Permission')
    .forEach((n, index) => {
      const source = stack.permission.sources[index];
      if (source)
        n.commands = [
          `aws lambda remove-permission --function-name ${stack.permission.function} --qualifier ${stack.permission.qualifier} --statement-id ${statementId(source.stage, source.resource)}`,
        ];
    });
  // A dependency on what is not imported (the deployment follows the gateway responses) waits for the deploy.
  for (const resource of Object.values(kept)) {
    if (resource.DependsOn) resource.DependsOn = resource.DependsOn.filter((d) => d in kept);
  }
  // Outputs are left to the deploy: an import changes nothing but which stack owns the resources.
  return { template: { ...template, Resources: kept, Outputs: {} }, resources, notImported };
}
