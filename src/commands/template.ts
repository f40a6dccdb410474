/**
 * `template`: the stack that `setup` makes with the same flags, as a CloudFormation template in a folder with the
 * function's bundle and the commands that deploy it; with `--import`, also what hands the live stack over.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defineCommand } from '../cli/command.js';
import { awsOptions, LOCAL_STACK_OPTIONS, STACK_SETTINGS_OPTIONS } from '../cli/option-sets.js';
import { jsonOption } from '../cli/target-options.js';
import { oneOf } from '../cli/parsers.js';
import type { Context } from '../context.js';
import { DEFAULT_STACK, resourceNames, stackTags } from '../provision/names.js';
import { describeStack, type StackDescription } from '../provision/description.js';
import { codeSha256 } from '../provision/version-description.js';
import { readState } from '../state/state-file.js';
import { BUNDLE_FILE, buildTemplate } from '../template/cloudformation.js';
import {
  deployCommands,
  readmeText,
  renderDocument,
  templateFileName,
  type TemplateFormat,
} from '../template/files.js';
import type { Style } from '../output/style.js';
import type { SetupAwsOptions } from './setup/aws.js';
import type { HandOver } from './template-import.js';

export interface TemplateOptions extends SetupAwsOptions {
  output: string;
  format?: TemplateFormat;
  import?: boolean;
}

export interface TemplateResult {
  stack: string;
  output: string;
  format: TemplateFormat;
  /** The files written, relative to the output folder. */
  files: string[];
  resources: number;
  parameters: Record<string, string | number>;
  commands: string[];
  /** With --import: what is handed over and how. */
  handOver?: HandOver;
}

/** The stack the flags describe: the recorded stack and stage unless --stack or --stage say otherwise, as setup does. */
async function describedStack(opts: TemplateOptions, ctx: Context): Promise<StackDescription> {
  // The setup module's flag rules, loaded only when the command runs.
  const { refuseLocalFlags, setupSettings } = await import('./setup/aws.js');
  refuseLocalFlags(opts, 'template');
  const settings = setupSettings(opts);
  const recorded = (await readState(ctx.cwd)).aws;
  const stack = opts.stack ?? (recorded?.stack && recorded.stack !== DEFAULT_STACK ? recorded.stack : undefined);
  const names = resourceNames(stack, opts.stage ?? recorded?.stage);
  return describeStack({ names, tags: stackTags(names), settings });
}

/** The bundle's SHA-256 as Lambda reports it, or a usage error when it is not built. */
async function bundleSha256(file: string): Promise<string> {
  let zip: Buffer;
  try {
    zip = await readFile(file);
  } catch (error) {
    const { AppError } = await import('../errors.js');
    throw new AppError(`the Lambda bundle ${file} is missing; run npm run build`, undefined, { cause: error });
  }
  return codeSha256(zip);
}

/** Writes the template folder. */
export async function writeTemplateFolder(opts: TemplateOptions, ctx: Context): Promise<TemplateResult> {
  const format = opts.format ?? 'yaml';
  const stack = await describedStack(opts, ctx);
  const output = resolve(ctx.cwd, opts.output);
  const { HANDLER_ZIP } = await import('../provision/session.js');
  const template = buildTemplate(stack, { codeSha256: await bundleSha256(HANDLER_ZIP) });
  let handOver: HandOver | undefined;
  if (opts.import) {
    const { planHandOver } = await import('./template-import.js');
    handOver = await planHandOver(opts, stack, template, format, ctx);
  }
  await mkdir(output, { recursive: true });
  const files: Array<{ name: string; text: string }> = [
    { name: templateFileName(format), text: renderDocument(template, format) },
    { name: 'README.md', text: readmeText(template, stack, format, handOver?.readme ?? []) },
    ...(handOver?.files ?? []),
  ];
  for (const file of files) await writeFile(join(output, file.name), file.text);
  await copyFile(HANDLER_ZIP, join(output, BUNDLE_FILE));
  return {
    stack: stack.stack,
    output,
    format,
    files: [...files.map((f) => f.name), BUNDLE_FILE],
    resources: Object.keys(template.Resources).length,
    parameters: Object.fromEntries(Object.entries(template.Parameters).map(([name, p]) => [name, p.Default])),
    commands: handOver ? handOver.commands : deployCommands(template, stack, format),
    ...(handOver ? { handOver } : {}),
  };
}

export function renderTemplate(result: TemplateResult, style: Style): string {
  const lines = [
    style.green(`Wrote the CloudFormation template of stack ${result.stack} to ${result.output}`) +
      style.dim(` (${result.resources} resources: ${result.files.join(', ')})`),
    ...(result.handOver?.summary ?? []),
    '',
    result.handOver ? 'Hand the live stack over with:' : 'Deploy it with:',
    ...result.commands.map((c) => `  ${c}`),
  ];
  return lines.join('\n');
}

export const command = defineCommand({
  options: [
    {
      flags: '--output <dir>',
      description: 'the folder to write the template, the bundle and README.md to (made if missing)',
    },
    {
      flags: '--format <format>',
      description: 'yaml or json (default: yaml)',
      parse: oneOf('--format', ['yaml', 'json'] as const, { rule: 'yaml or json' }),
    },
    {
      flags: '--import',
      description:
        'also write what hands the live stack over to CloudFormation in place (identifiers read from AWS; the table keeps its items)',
    },
    jsonOption('print the result as JSON'),
    ...LOCAL_STACK_OPTIONS,
    ...awsOptions('AWS: ', { stack: 'the stack whose resources the template names (default: the one setup recorded)' }),
    ...STACK_SETTINGS_OPTIONS,
  ],
  help: `Examples:
  $ products-cli template --output cfn                       # cfn/template.yaml, cfn/handler.zip, cfn/README.md
  $ products-cli template --output cfn --format json --auth api-key --cors-origin https://shop.example.com
  $ products-cli template --output cfn --stack alice --memory 512 --no-pitr
  $ products-cli template --output cfn --import              # the live stack: resources to import and the commands

Takes the flags setup takes and describes the same stack: the same names, settings, methods and policies.
Then: aws cloudformation package, aws cloudformation deploy --capabilities CAPABILITY_NAMED_IAM (see README.md).
With --import, first the import change set (create-change-set --change-set-type IMPORT, execute-change-set):
the table, function, role, log group and API are taken over in place. After the hand-over, setup and teardown
refuse the stack: CloudFormation owns it.`,
  run: (_args: [], opts: TemplateOptions, ctx) => {
    if (!opts.output) {
      return import('../errors.js').then(({ UsageError }) => {
        throw new UsageError('template needs --output DIR, the folder to write to');
      });
    }
    return writeTemplateFolder(opts, ctx);
  },
  render: renderTemplate,
});
