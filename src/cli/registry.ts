/**
 * The command table: each command's name, arguments and summary, and a loader for its module. Only the module of the
 * command that runs is loaded (the summaries are enough for the top-level --help), so that `products-cli get`
 * loads neither the AWS SDK nor the modules of the other commands.
 */
import type { ArgumentSpec, CommandModule } from './command.js';

export interface CommandEntry {
  name: string;
  /** In the order they come on the command line; `run` receives them in this order. */
  arguments?: ArgumentSpec[];
  summary: string;
  /** The heading it is listed under in the top-level --help. */
  group: CommandGroup;
  load(): Promise<CommandModule>;
}

export const COMMAND_GROUPS = {
  product: 'Product commands (the API, over HTTP):',
  stack: 'Stack commands (on AWS, or --local):',
  tools: 'Trying and testing:',
} as const;
export type CommandGroup = keyof typeof COMMAND_GROUPS;

export const COMMANDS: readonly CommandEntry[] = [
  // Product commands: HTTP only, never the AWS SDK.
  {
    name: 'add',
    group: 'product',
    arguments: [{ name: '[source]', description: '- to read the product as JSON from stdin' }],
    summary: 'Create a product from flags, a JSON file, or stdin (-); checked before it is sent.',
    load: () => import('../commands/add.js'),
  },
  {
    name: 'get',
    group: 'product',
    arguments: [{ name: '<id>', description: 'the product id' }],
    summary: 'Show one product.',
    load: () => import('../commands/get.js'),
  },
  {
    name: 'list',
    group: 'product',
    summary: 'List the products as a table (or NDJSON with --json), page by page as they arrive.',
    load: () => import('../commands/list.js'),
  },
  {
    name: 'update',
    group: 'product',
    arguments: [
      { name: '<id>', description: 'the product id' },
      { name: '[source]', description: '- to read the change as JSON from stdin' },
    ],
    summary: "Change a product's title, description or price.",
    load: () => import('../commands/update.js'),
  },
  {
    name: 'delete',
    group: 'product',
    arguments: [{ name: '<id...>', description: 'the product ids' }],
    summary: 'Delete one or more products.',
    load: () => import('../commands/delete.js'),
  },
  {
    name: 'demo',
    group: 'tools',
    summary: "Run the tutorial's whole flow on a fresh in-memory local stack, showing each request and response.",
    load: () => import('../commands/demo.js'),
  },
  // The stack: on AWS or on this machine.
  {
    name: 'setup',
    group: 'stack',
    summary: 'Create the product API: on AWS, or with --local as a background process on this machine.',
    load: () => import('../commands/setup/index.js'),
  },
  {
    name: 'teardown',
    group: 'stack',
    summary: 'Remove the product API: from AWS, or with --local stop the local stack and delete its data.',
    load: () => import('../commands/teardown/index.js'),
  },
  {
    name: 'deploy',
    group: 'stack',
    summary: 'Upload dist/handler.zip when it differs, publish it as a version and move alias live to it.',
    load: () => import('../commands/deploy.js'),
  },
  {
    name: 'versions',
    group: 'stack',
    summary:
      "List the function's versions: when, the bundle's SHA-256, the products-cli that published it, live and canary.",
    load: () => import('../commands/versions.js'),
  },
  {
    name: 'rollback',
    group: 'stack',
    summary: 'Move alias live back to the previous version, or to --to VERSION, in one call: no upload.',
    load: () => import('../commands/rollback.js'),
  },
  {
    name: 'status',
    group: 'stack',
    summary: 'Show each AWS resource of the stack (present, missing, drifted), the invoke URL, and a live check.',
    load: () => import('../commands/status/index.js'),
  },
  {
    name: 'logs',
    group: 'stack',
    summary: "Print the function's log events, request lines rendered readably; --follow keeps printing new ones.",
    load: () => import('../commands/logs/index.js'),
  },
  {
    name: 'local',
    group: 'stack',
    summary: 'Run the local stack in the foreground, logging each request, until Ctrl-C (like `sam local start-api`).',
    load: () => import('../commands/local.js'),
  },
  {
    name: 'policy',
    group: 'stack',
    summary:
      'Print the IAM policy a caller needs for one stack (--for setup, operate or read), scoped to its resources.',
    load: () => import('../commands/policy.js'),
  },
  {
    name: 'template',
    group: 'stack',
    summary:
      'Write the stack that setup makes as a CloudFormation template (YAML or JSON), with the bundle and the commands that deploy it.',
    load: () => import('../commands/template.js'),
  },
  {
    name: 'metrics',
    group: 'stack',
    summary:
      'Show how the API is doing over a period: requests, errors, latency, throttles, as sparklines; --watch refreshes.',
    load: () => import('../commands/metrics/index.js'),
  },
  // Testing the API, and moving its data.
  {
    name: 'smoke',
    group: 'tools',
    summary:
      "Run the tutorial's tests against the API as a contract suite: PASS/FAIL per check, exit 1 on any failure.",
    load: () => import('../commands/smoke.js'),
  },
  {
    name: 'bench',
    group: 'tools',
    summary:
      'Load-test the API: seed products, send a mix of requests, report throughput, latency percentiles and statuses.',
    load: () => import('../commands/bench.js'),
  },
  {
    name: 'import',
    group: 'product',
    arguments: [
      { name: '<file>', description: 'a .json (array), .ndjson/.jsonl or .csv file with a header row, or - for stdin' },
    ],
    summary: 'Create products from a JSON array, NDJSON or CSV file (- for stdin), each checked before it is sent.',
    load: () => import('../commands/import.js'),
  },
  {
    name: 'export',
    group: 'product',
    summary: 'Write every product as NDJSON (one JSON object per line) or CSV, page by page, to a file or stdout.',
    load: () => import('../commands/export.js'),
  },
  {
    name: 'openapi',
    group: 'tools',
    summary: 'Print the OpenAPI 3.1 document of the product API, for Postman, Insomnia or Swagger UI.',
    load: () => import('../commands/openapi.js'),
  },
  {
    name: 'completion',
    group: 'tools',
    arguments: [{ name: '<shell>', description: 'bash, zsh or fish' }],
    summary: 'Print a shell completion script for bash, zsh or fish (commands and their options).',
    load: () => import('../commands/completion.js'),
  },
  {
    name: 'console',
    group: 'tools',
    summary: 'Serve a web page on 127.0.0.1 to browse, edit, import and export the products and try the API (--open).',
    load: () => import('../commands/console.js'),
  },
];
