/** The files of the template folder, as text: the template (YAML or JSON) and the commands that deploy it. */
import { stringify } from 'yaml';
import type { StackDescription } from '../provision/description.js';
import { BUNDLE_FILE, type CfnTemplate } from './cloudformation.js';

export type TemplateFormat = 'yaml' | 'json';

export interface TemplateFile {
  name: string;
  text: string;
}

/** A template (or any document) as YAML or JSON text. */
export function renderDocument(document: unknown, format: TemplateFormat): string {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  // No line folding: mapping templates (VTL) and policies stay as written. YAML 1.1 rules, as CloudFormation's
  // parser reads them: a string such as 2010-09-09, yes or on is quoted so that it stays a string.
  return stringify(document, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

/** The file name of the template in this format. */
export function templateFileName(format: TemplateFormat, base = 'template'): string {
  return `${base}.${format === 'json' ? 'json' : 'yaml'}`;
}

/**
 * The capabilities `deploy` must be given: CAPABILITY_NAMED_IAM for a role with a fixed name (ours has one, so
 * that the function's ARN and the imports stay what setup made), CAPABILITY_IAM for an unnamed one.
 */
export function capabilities(template: CfnTemplate): string[] {
  const roles = Object.values(template.Resources).filter((r) => r.Type.startsWith('AWS::IAM::'));
  if (roles.some((r) => r.Properties.RoleName !== undefined)) return ['CAPABILITY_NAMED_IAM'];
  return roles.length ? ['CAPABILITY_IAM'] : [];
}

/** The CloudFormation stack name suggested for a products-cli stack. */
export function cloudFormationStackName(stack: StackDescription): string {
  return `products-${stack.stack}`;
}

/** The `package` and `deploy` commands for this folder. */
export function deployCommands(template: CfnTemplate, stack: StackDescription, format: TemplateFormat): string[] {
  const file = templateFileName(format);
  const packaged = templateFileName(format, 'packaged');
  const caps = capabilities(template);
  return [
    `aws cloudformation package --template-file ${file} --s3-bucket YOUR_BUCKET --output-template-file ${packaged}`,
    `aws cloudformation deploy --template-file ${packaged} --stack-name ${cloudFormationStackName(stack)}${caps.length ? ` --capabilities ${caps.join(' ')}` : ''}`,
  ];
}

/** The parameters as `deploy --parameter-overrides` takes them, with their defaults (what setup's flags gave). */
function parameterTable(template: CfnTemplate): string[] {
  return Object.entries(template.Parameters).map(
    ([name, p]) => `| \`${name}\` | \`${p.Default}\` | ${p.Description} |`,
  );
}

/** The folder's README: what is in it, and the commands that deploy it. */
export function readmeText(
  template: CfnTemplate,
  stack: StackDescription,
  format: TemplateFormat,
  extra: string[] = [],
): string {
  const [pkg, deploy] = deployCommands(template, stack, format);
  return [
    `# CloudFormation template of products-cli stack \`${stack.stack}\``,
    '',
    `- \`${templateFileName(format)}\`: the stack that \`products-cli setup\` makes with the same flags: ${Object.keys(template.Resources).length} resources.`,
    `- \`${BUNDLE_FILE}\`: the function's code (the same bytes as \`dist/handler.zip\`).`,
    '',
    'The table keeps its items when the stack is deleted or the table replaced (`DeletionPolicy` and `UpdateReplacePolicy`: `Retain`).',
    '',
    '## Deploy',
    '',
    '`package` uploads the bundle to an S3 bucket of yours and writes a template that points at it; `deploy` creates or updates the stack.',
    `The role has a fixed name, so \`deploy\` needs \`--capabilities ${capabilities(template).join(' ')}\`.`,
    '',
    '```sh',
    pkg,
    deploy,
    '```',
    '',
    'Change a setting with `--parameter-overrides Name=Value` (for example `MemorySize=512`):',
    '',
    '| parameter | default | what |',
    '|---|---|---|',
    ...parameterTable(template),
    ...extra,
    '',
  ].join('\n');
}
