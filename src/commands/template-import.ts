/**
 * `template --import`: reads the live stack that setup made (state file, then AWS) for the identifiers a resource
 * import needs, and writes the import change set's template, the resources to import and the commands that hand
 * the stack over to CloudFormation in place.
 */
import type { Context } from '../context.js';
import { AwsError } from '../errors.js';
import { getLiveAlias } from '../provision/alias.js';
import { findApiKeys, findUsagePlans } from '../provision/api-key.js';
import { findRestApis, getResources } from '../provision/api.js';
import type { StackDescription } from '../provision/description.js';
import { isOurs } from '../provision/names.js';
import { awsTarget, openSession } from '../provision/session.js';
import { getStage } from '../provision/stage.js';
import { inspectStack } from '../provision/stack.js';
import type { CfnTemplate } from '../template/cloudformation.js';
import {
  capabilities,
  cloudFormationStackName,
  deployCommands,
  renderDocument,
  templateFileName,
  type TemplateFile,
  type TemplateFormat,
} from '../template/files.js';
import { importPlan, type LiveIdentifiers, type NotImported, type ResourceToImport } from '../template/import.js';
import type { TemplateOptions } from './template.js';

export interface HandOver {
  cloudFormationStack: string;
  region: string;
  resources: ResourceToImport[];
  notImported: NotImported[];
  /** How the live stack differs from the flags' template (CloudFormation would see it as drift; the deploy corrects it). */
  drift: string[];
  commands: string[];
  files: TemplateFile[];
  readme: string[];
  summary: string[];
}

export const RESOURCES_FILE = 'resources-to-import.json';
const CHANGE_SET = 'products-cli-handover';

/** Reads the identifiers only a live read knows: the REST API's, its resources', the stage's deployment, the key's. */
async function readLive(pctx: Parameters<typeof findRestApis>[0], stack: StackDescription): Promise<LiveIdentifiers> {
  const api = (await findRestApis(pctx)).ours[0];
  if (!api?.id)
    throw new AwsError(
      `stack ${stack.stack} has no REST API ${stack.api.name} in ${pctx.region}; run products-cli setup first`,
    );
  const [resources, stage] = await Promise.all([getResources(pctx, api.id), getStage(pctx, api.id)]);
  if (!stage?.deploymentId)
    throw new AwsError(`REST API ${api.id} has no stage ${stack.stage.name}; run products-cli setup first`);
  const live: LiveIdentifiers = {
    restApiId: api.id,
    resourceIds: Object.fromEntries(
      resources.filter((r) => r.path && r.id).map((r) => [r.path as string, r.id as string]),
    ),
    deploymentId: stage.deploymentId,
  };
  const alias = await getLiveAlias(pctx);
  if (alias?.AliasArn && alias.FunctionVersion) {
    live.alias = {
      arn: alias.AliasArn,
      versionArn: `${alias.AliasArn.slice(0, alias.AliasArn.lastIndexOf(':'))}:${alias.FunctionVersion}`,
    };
  }
  if (stack.usagePlan.wanted) {
    const [plans, keys] = await Promise.all([findUsagePlans(pctx), findApiKeys(pctx)]);
    const plan = plans.find((p) => isOurs(p.tags, stack));
    const key = keys.find((k) => isOurs(k.tags, stack));
    if (plan?.id) live.usagePlanId = plan.id;
    if (key?.id) live.apiKeyId = key.id;
  }
  if (stack.alarms.wanted) {
    const { getTopic } = await import('../provision/alarm-topic.js');
    const topic = await getTopic(pctx);
    if (topic && isOurs(topic.tags, stack)) live.alarmTopicArn = topic.arn;
  }
  return live;
}

/** The hand-over: read the live stack, then the files and commands. */
export async function planHandOver(
  opts: TemplateOptions,
  stack: StackDescription,
  template: CfnTemplate,
  format: TemplateFormat,
  ctx: Context,
): Promise<HandOver> {
  // The same stack, stage and settings as the template: the flags, else what setup recorded.
  const session = await openSession({ ...awsTarget(opts), settings: await settingsOf(opts) }, ctx);
  try {
    const { pctx } = session;
    if (pctx.names.stack !== stack.stack)
      throw new AwsError(`the state file names stack ${pctx.names.stack}, not ${stack.stack}; pass --stack`);
    const inspected = await inspectStack(pctx);
    const missing = inspected.steps.filter((s) => s.outcome === 'missing').map((s) => `${s.resource} ${s.name}`);
    if (missing.length)
      throw new AwsError(
        `stack ${stack.stack} in ${pctx.region} lacks ${missing.join(', ')}; run products-cli setup with the same flags, then template --import`,
      );
    const drift = inspected.steps
      .filter((s) => s.outcome === 'drifted')
      .map((s) => `${s.resource} ${s.name}: ${s.detail ?? 'differs'}`);
    let plan;
    try {
      plan = importPlan(template, stack, await readLive(pctx, stack));
    } catch (error) {
      if (error instanceof AwsError) throw error;
      throw new AwsError((error as Error).message, { cause: error });
    }
    return handOverOf(plan, stack, template, format, pctx.region, drift);
  } finally {
    session.close();
  }
}

async function settingsOf(opts: TemplateOptions) {
  const { setupSettings } = await import('./setup/aws.js');
  return setupSettings(opts);
}

/**
 * What becomes of the versions: AWS::Lambda::Version and AWS::Lambda::Alias support import, so the version the
 * alias runs and the alias itself are imported; older versions stay on the function outside the stack (deleting
 * the stack deletes the function and every version with it).
 */
function versionsNote(resources: readonly ResourceToImport[]): string[] {
  const version = resources.find((r) => r.ResourceType === 'AWS::Lambda::Version')?.ResourceIdentifier.FunctionArn;
  const alias = resources.find((r) => r.ResourceType === 'AWS::Lambda::Alias')?.ResourceIdentifier.AliasArn;
  if (!version || !alias) return [];
  return [
    `Versions: alias ${alias.slice(alias.lastIndexOf(':') + 1)} and the version it runs (${version.slice(version.lastIndexOf(':') + 1)}) are imported; older versions stay on the function, outside the stack, and go with it.`,
  ];
}

function handOverOf(
  plan: ReturnType<typeof importPlan>,
  stack: StackDescription,
  template: CfnTemplate,
  format: TemplateFormat,
  region: string,
  drift: string[],
): HandOver {
  const name = cloudFormationStackName(stack);
  const importFile = templateFileName(format, 'import-template');
  const caps = capabilities(template);
  const capsFlag = caps.length ? ` --capabilities ${caps.join(' ')}` : '';
  const at = ` --stack-name ${name} --region ${region}`;
  const before = plan.notImported.filter((n) => n.beforeDeploy).flatMap((n) => n.commands ?? []);
  const after = plan.notImported.filter((n) => !n.beforeDeploy).flatMap((n) => n.commands ?? []);
  const [pkg, deploy] = deployCommands(template, stack, format);
  const commands = [
    `aws cloudformation create-change-set${at} --change-set-name ${CHANGE_SET} --change-set-type IMPORT --resources-to-import file://${RESOURCES_FILE} --template-body file://${importFile}${capsFlag}`,
    `aws cloudformation wait change-set-create-complete${at} --change-set-name ${CHANGE_SET}`,
    `aws cloudformation execute-change-set${at} --change-set-name ${CHANGE_SET}`,
    `aws cloudformation wait stack-import-complete${at}`,
    ...before,
    pkg as string,
    `${deploy as string} --region ${region}`,
    ...after,
  ];
  const imported = plan.resources.map(
    (r) =>
      `- \`${r.LogicalResourceId}\` (${r.ResourceType}): ${Object.entries(r.ResourceIdentifier)
        .map(([k, v]) => `${k} \`${v}\``)
        .join(', ')}`,
  );
  const left = plan.notImported.map((n) => `- \`${n.logicalId}\` (${n.type}) is not imported: ${n.why}; ${n.then}.`);
  const readme = [
    '',
    '## Hand-over of the live stack',
    '',
    `\`${importFile}\` and \`${RESOURCES_FILE}\` import the live resources into the CloudFormation stack \`${name}\` in place: nothing is recreated, the table keeps its items and the API its id and URL.`,
    'Run, in order (the first four import; the deploy then adds what could not be imported and takes over the settings):',
    '',
    '```sh',
    ...commands,
    '```',
    '',
    'Imported (each named as it is live, each with a `DeletionPolicy`, as an import requires):',
    '',
    ...imported,
    '',
    ...versionsNote(plan.resources),
    ...left,
    ...(drift.length
      ? [
          '',
          'The live stack differs from these flags (CloudFormation will show it as drift until the deploy):',
          '',
          ...drift.map((d) => `- ${d}`),
        ]
      : []),
    '',
    'Once the deploy is done, `products-cli setup` and `teardown` refuse the stack (CloudFormation owns it); the product commands, smoke, bench and logs work as before.',
  ];
  return {
    cloudFormationStack: name,
    region,
    resources: plan.resources,
    notImported: plan.notImported,
    drift,
    commands,
    files: [
      { name: importFile, text: renderDocument(plan.template, format) },
      { name: RESOURCES_FILE, text: `${JSON.stringify(plan.resources, null, 2)}\n` },
    ],
    readme,
    summary: [
      `Import: ${plan.resources.length} resources into CloudFormation stack ${name} (${RESOURCES_FILE}, ${importFile}).`,
      ...versionsNote(plan.resources),
      ...plan.notImported.map((n) => `Not imported: ${n.logicalId} (${n.type}): ${n.why}; ${n.then}.`),
      ...drift.map((d) => `Drift: ${d}`),
    ],
  };
}
