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
  load(): Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  // Product commands: HTTP only, never the AWS SDK.
  { name: 'add', arguments: [{ name: '[source]', description: '- to read the product as JSON from stdin' }], summary: 'Create a product from flags, a JSON file, or stdin (-); checked before it is sent.', load: () => import('../commands/add.js') },
  { name: 'get', arguments: [{ name: '<id>', description: 'the product id' }], summary: 'Show one product.', load: () => import('../commands/get.js') },
  { name: 'list', summary: 'List the products as a table (or NDJSON with --json), page by page as they arrive.', load: () => import('../commands/list.js') },
  { name: 'update', arguments: [{ name: '<id>', description: 'the product id' }, { name: '[source]', description: '- to read the change as JSON from stdin' }], summary: "Change a product's title, description or price.", load: () => import('../commands/update.js') },
  { name: 'delete', arguments: [{ name: '<id...>', description: 'the product ids' }], summary: 'Delete one or more products.', load: () => import('../commands/delete.js') },
  { name: 'demo', summary: "Run the tutorial's whole flow on a fresh in-memory local stack, showing each request and response.", load: () => import('../commands/demo.js') },
  // The stack: on AWS or on this machine.
  { name: 'setup', summary: 'Create the product API: on AWS, or with --local as a background process on this machine.', load: () => import('../commands/setup/index.js') },
  { name: 'teardown', summary: 'Remove the product API: from AWS, or with --local stop the local stack and delete its data.', load: () => import('../commands/teardown/index.js') },
  { name: 'deploy', summary: 'Upload dist/handler.zip to the function when it differs from the deployed code, and wait until it is live.', load: () => import('../commands/deploy.js') },
  { name: 'status', summary: 'Show each AWS resource of the stack (present, missing, drifted), the invoke URL, and a live check.', load: () => import('../commands/status/index.js') },
  { name: 'logs', summary: "Print the function's log events, request lines rendered readably; --follow keeps printing new ones.", load: () => import('../commands/logs/index.js') },
  { name: 'metrics', summary: 'Show how the API is doing over a period: requests, errors, latency, throttles, as sparklines; --watch refreshes.', load: () => import('../commands/metrics/index.js') },
  { name: 'local', summary: 'Run the local stack in the foreground, logging each request, until Ctrl-C (like `sam local start-api`).', load: () => import('../commands/local.js') },
  // Testing the API, and moving its data.
  { name: 'smoke', summary: "Run the tutorial's tests against the API as a contract suite: PASS/FAIL per check, exit 1 on any failure.", load: () => import('../commands/smoke.js') },
  { name: 'bench', summary: 'Load-test the API: seed products, send a mix of requests, report throughput, latency percentiles and statuses.', load: () => import('../commands/bench.js') },
  { name: 'import', arguments: [{ name: '<file>', description: 'a .json (array), .ndjson/.jsonl or .csv file with a header row, or - for stdin' }], summary: 'Create products from a JSON array, NDJSON or CSV file (- for stdin), each checked before it is sent.', load: () => import('../commands/import.js') },
  { name: 'export', summary: 'Write every product as NDJSON (one JSON object per line), page by page, to a file or stdout.', load: () => import('../commands/export.js') },
  { name: 'openapi', summary: 'Print the OpenAPI 3.1 document of the product API, for Postman, Insomnia or Swagger UI.', load: () => import('../commands/openapi.js') },
  { name: 'completion', arguments: [{ name: '<shell>', description: 'bash, zsh or fish' }], summary: 'Print a shell completion script for bash, zsh or fish (commands and their options).', load: () => import('../commands/completion.js') },
];
