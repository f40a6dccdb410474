/** The command line: the only module that knows commander. Each command's module is loaded only when it runs. */
import { Command, CommanderError, Option } from 'commander';
import { processContext, type Context } from './context.js';
import { AppError, EXIT, exitCodeOf, UsageError } from './errors.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a check failed, or an unexpected error
  2  usage error: bad flags, arguments or input
  3  product not found
  4  conflict: the id exists, or the version changed (If-Match)
  5  API or network error
  6  AWS refused or failed a provisioning call
  130 interrupted (Ctrl-C)`;

type Action<O> = (opts: O, ctx: Context) => Promise<void>;

/** Runs the CLI with argv and returns the exit code; only the entry point exits. */
export async function main(argv: string[]): Promise<number> {
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(EXIT.interrupted);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  // A reader that stops early (`products-cli list | head`) closes the pipe: that ends the output, not in error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Commands that stream their output listen for this themselves and finish in their own way.
      if (stream.listenerCount('error') > 1) return;
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? EXIT.ok);
    });
  }
  let ctx: Context | undefined;
  const run = <O extends { json?: boolean }>(action: Action<O>) => async (opts: O) => {
    ctx = processContext(Boolean(opts.json), abort.signal);
    await action(opts, ctx);
  };

  const program = buildProgram(run);
  try {
    await program.parseAsync(argv);
    return abort.signal.aborted ? EXIT.interrupted : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const context = ctx ?? processContext(false, abort.signal);
    reportError(error, context);
    return abort.signal.aborted && !(error instanceof AppError) ? EXIT.interrupted : exitCodeOf(error);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function reportError(error: unknown, ctx: Context): void {
  const message = error instanceof AppError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
  if (ctx.json) {
    const name = error instanceof AppError ? error.name : 'Error';
    ctx.stderr.write(`${JSON.stringify({ error: { name, message, exitCode: exitCodeOf(error) } })}\n`);
  } else {
    ctx.stderr.write(`products-cli: ${message}\n`);
  }
  if (process.env.PRODUCTS_CLI_DEBUG && error instanceof Error) ctx.stderr.write(`${error.stack}\n`);
}

function buildProgram(run: <O extends { json?: boolean }>(action: Action<O>) => (opts: O) => Promise<void>): Command {
  const program = new Command('products-cli')
    .description('Stand up, exercise and tear down a serverless product-catalogue REST API (DynamoDB, Lambda, API Gateway), on AWS or offline.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .addHelpText('after', EXIT_CODES_HELP);

  // Commands are registered below, one block each, each loading its module lazily.

  // Product commands: add, get, list, update, delete talk HTTP only (never the AWS SDK); demo runs the tutorial.
  const URL_HELP = 'the API invoke URL, stage included (default: $PRODUCTS_API_URL, then the one setup recorded)';
  const dataCommand = (name: string, summary: string, examples: string) =>
    program
      .command(name)
      .description(summary)
      .option('--url <url>', URL_HELP)
      .addHelpText('after', `\nExamples:\n${examples}\n\nThe API key, if the API needs one, is read from $PRODUCTS_API_KEY or the state file.`);

  dataCommand(
    'add',
    'Create a product from flags, a JSON file, or stdin (-); checked before it is sent.',
    `  $ products-cli add --id 1 --title IPhone --description "This is an IPhone" --price 900
  $ products-cli add --file product.json
  $ echo '{"title":"IPad","price":499.99}' | products-cli add - --json
  $ products-cli get 1 --json | products-cli add - --id 2   # a copy of product 1`,
  )
    .argument('[source]', '- to read the product as JSON from stdin')
    .option('--id <id>', 'the id (1-128 of A-Z a-z 0-9 _ - . :); the API makes one when absent')
    .option('--title <title>', 'the title (1-200 characters)')
    .option('--description <text>', 'the description (up to 4000 characters)')
    .option('--price <price>', 'the price, 0 to 1000000000 with at most 2 decimals')
    .option('--file <path>', 'a JSON file holding the product (- for stdin); flags override its fields, and createdAt, updatedAt and version are ignored')
    .option('--json', 'print the created product as JSON')
    .action((source: string | undefined, opts: Parameters<typeof import('./commands/add.js').add>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        if (source !== undefined && source !== '-') throw new UsageError(`unexpected argument "${source}": pass a file with --file, or - for stdin`);
        const [{ add }, { renderProduct }, { printData }] = await Promise.all([
          import('./commands/add.js'),
          import('./output/render-product.js'),
          import('./output/render-style.js'),
        ]);
        await printData(ctx, await add(source === '-' ? { ...o, file: '-' } : o, ctx), renderProduct);
      })(opts),
    );

  dataCommand(
    'get',
    'Show one product.',
    `  $ products-cli get 1
  $ products-cli get 1 --json
  $ products-cli get 1 --url https://abc123.execute-api.us-east-1.amazonaws.com/prod`,
  )
    .argument('<id>', 'the product id')
    .option('--json', 'print the product as JSON')
    .action((id: string, opts: Parameters<typeof import('./commands/get.js').get>[1]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ get }, { renderProduct }, { printData }] = await Promise.all([
          import('./commands/get.js'),
          import('./output/render-product.js'),
          import('./output/render-style.js'),
        ]);
        await printData(ctx, await get(id, o, ctx), renderProduct);
      })(opts),
    );

  dataCommand(
    'list',
    'List the products as a table (or NDJSON with --json), page by page as they arrive.',
    `  $ products-cli list
  $ products-cli list --limit 10
  $ products-cli list --json | jq -r .id`,
  )
    .option('--limit <n>', 'stop after n products (default: all)')
    .option('--page-size <n>', 'products per request, 1-100', '100')
    .option('--json', 'print one JSON product per line (NDJSON)')
    .action((opts: Parameters<typeof import('./commands/list.js').list>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ list }, { printProductPages }] = await Promise.all([import('./commands/list.js'), import('./output/render-list.js')]);
        await printProductPages(ctx, list(o, ctx));
      })(opts),
    );

  dataCommand(
    'update',
    "Change a product's title, description or price.",
    `  $ products-cli update 1 --price 850
  $ products-cli update 1 --title "IPhone 16" --if-version 2   # only if nobody changed it since version 2`,
  )
    .argument('<id>', 'the product id')
    .option('--title <title>', 'the new title')
    .option('--description <text>', 'the new description')
    .option('--price <price>', 'the new price')
    .option('--if-version <n>', 'change it only if it is still at version n (exit 4 otherwise)')
    .option('--json', 'print the changed product as JSON')
    .action((id: string, opts: Parameters<typeof import('./commands/update.js').update>[1]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ update }, { renderProduct }, { printData }] = await Promise.all([
          import('./commands/update.js'),
          import('./output/render-product.js'),
          import('./output/render-style.js'),
        ]);
        await printData(ctx, await update(id, o, ctx), renderProduct);
      })(opts),
    );

  dataCommand(
    'delete',
    'Delete a product.',
    `  $ products-cli delete 1
  $ products-cli delete 1 --if-version 3   # only if it is still at version 3`,
  )
    .argument('<id>', 'the product id')
    .option('--if-version <n>', 'delete it only if it is still at version n (exit 4 otherwise)')
    .option('--json', 'print {"id","deleted"} as JSON')
    .action((id: string, opts: Parameters<typeof import('./commands/delete.js').deleteProduct>[1]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ deleteProduct }, { renderDeleted }, { printData }] = await Promise.all([
          import('./commands/delete.js'),
          import('./output/render-product.js'),
          import('./output/render-style.js'),
        ]);
        await printData(ctx, await deleteProduct(id, o, ctx), renderDeleted);
      })(opts),
    );

  program
    .command('demo')
    .description("Run the tutorial's whole flow on a fresh in-memory local stack, showing each request and response.")
    .option('--port <n>', 'port of the demo API (default: a free one)')
    .option('--json', 'print the steps as one JSON document')
    .addHelpText('after', `\nExamples:\n  $ products-cli demo\n  $ products-cli demo --json | jq '.steps[] | {name, status}'\n\nExits 1 if any step misbehaves. Needs no AWS account and leaves nothing behind.`)
    .action((opts: Parameters<typeof import('./commands/demo.js').demo>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ demo, assertDemoPassed }, { renderDemoStep, renderDemoSummary }, { printResult, styleFor }, { streamWriter }] = await Promise.all([
          import('./commands/demo.js'),
          import('./output/render-demo.js'),
          import('./output/print.js'),
          import('./output/render-style.js'),
        ]);
        const style = styleFor(ctx);
        // A reader that goes away (| head) must not crash the demo: it runs on and stops its stack.
        const write = streamWriter(ctx.stdout);
        let index = 0;
        const result = await demo(o, ctx, (step) => {
          if (!ctx.json) void write(renderDemoStep(step, index++, style));
        });
        printResult(ctx, result, renderDemoSummary);
        assertDemoPassed(result);
      })(opts),
    );
  // setup / teardown (the --local part: the local stack; AWS-only options are added beside it) and local.
  const LOCAL_STACK_OPTIONS = (command: Command) =>
    command
      .option('--port <n>', 'local stack: port of the API on 127.0.0.1, 0 = any free port (default: 3000)')
      .option('--stage <name>', 'the stage, the first segment of the invoke URL path (default: prod)')
      .option('--rate-limit <n>', 'stage throttle: steady requests per second before 429 (default: 100)')
      .option('--burst-limit <n>', 'stage throttle: requests allowed in a burst (default: 200)')
      .option('--timeout <seconds>', 'the function\'s timeout, 1-29 s; past it the invocation fails and the API answers 502 (default: 10)')
      .option('--integration-timeout <seconds>', 'local stack: how long the gateway waits for the function before 504 (default: 29, as on AWS)')
      .option('--dynamodb-endpoint <url>', 'local stack: use this DynamoDB-compatible engine instead of the embedded one');

  LOCAL_STACK_OPTIONS(
    program
      .command('setup')
      .description('Create the product API: on AWS, or with --local as a background process on this machine.')
      .option('--local', 'run the stack on this machine (no AWS account needed)'),
  )
    .option('--json', 'print the result as JSON')
    // AWS only (without --local):
    .option('--region <region>', 'AWS: the region (default: AWS_REGION, then your profile\'s)')
    .option('--profile <name>', 'AWS: the credentials profile (default: AWS_PROFILE, then default)')
    .option('--endpoint-url <url>', 'AWS: send every AWS call to this endpoint (an AWS-compatible emulator such as moto)')
    .option('--stack <name>', 'AWS: prefix every resource name with NAME-, so several stacks share an account')
    .option('--runtime <runtime>', 'AWS: nodejs24.x or nodejs22.x (default: nodejs24.x)')
    .option('--arch <arch>', 'AWS: arm64 or x86_64 (default: arm64)')
    .option('--memory <mb>', 'AWS: function memory, 128-10240 MB (default: 256)')
    .option('--log-retention <days>', 'AWS: days to keep the function\'s logs (default: 14)')
    .option('--api-key', 'AWS: require an API key (a usage plan and key are created; the key is kept in the state file)')
    .option('--no-verify', 'AWS: skip the live check through the invoke URL')
    .option('--dry-run', 'AWS: print what would be created, updated or left, using read calls only')
    .addHelpText(
      'after',
      `\nExamples:\n  $ products-cli setup --local                  # http://127.0.0.1:3000/prod, data in .products-cli/local/\n  $ products-cli setup --local --port 8080 --json\n  $ products-cli setup --local --dynamodb-endpoint http://127.0.0.1:8000   # AWS's DynamoDB Local, Alternator, LocalStack\n\nRun again while the stack is up, it reports the running stack. Stop it with \`products-cli teardown --local\`.` +
        `\n\nOn AWS:\n  $ products-cli setup --dry-run                # what would be created, read calls only\n  $ AWS_PROFILE=dev products-cli setup --region eu-west-1\n  $ products-cli setup --stack alice --api-key   # alice-product, alice-productFunction, … behind an API key\n  $ products-cli setup --endpoint-url http://127.0.0.1:5000 --no-verify   # an emulator such as moto\n\nOn AWS, a rerun creates only what is missing, corrects what differs, and says so when there is nothing to do.`,
    )
    .action((opts: { local?: boolean; json?: boolean } & Record<string, unknown>) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ setup }, { printResult }] = await Promise.all([import('./commands/setup.js'), import('./output/print.js')]);
        const result = await setup(o, ctx);
        if (o.local) {
          const { renderSetupLocal } = await import('./commands/setup-local.js');
          printResult(ctx, result as Parameters<typeof renderSetupLocal>[0], renderSetupLocal);
        } else {
          const { renderSetupAws } = await import('./commands/setup-aws.js');
          printResult(ctx, result as Parameters<typeof renderSetupAws>[0], renderSetupAws);
        }
      })(opts),
    );

  program
    .command('teardown')
    .description('Remove the product API: from AWS, or with --local stop the local stack and delete its data.')
    .option('--local', 'stop the local stack started by `setup --local`')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .option('--keep-data', 'local stack: keep the table data in .products-cli/local/ for the next setup')
    .option('--json', 'print the result as JSON')
    // AWS only (without --local):
    .option('--region <region>', 'AWS: the region (default: the one setup recorded, then AWS_REGION)')
    .option('--profile <name>', 'AWS: the credentials profile (default: AWS_PROFILE, then default)')
    .option('--endpoint-url <url>', 'AWS: send every AWS call to this endpoint (an AWS-compatible emulator)')
    .option('--stack <name>', 'AWS: the stack to remove (default: the one setup recorded)')
    .option('--stage <name>', 'AWS: the stage of the usage plan to detach (default: the one setup recorded, then prod)')
    .option('--backup <file>', 'AWS: first write every item of the table to FILE as NDJSON')
    .option('--force', 'AWS: also delete resources of our names that lack our stack tag')
    .addHelpText(
      'after',
      `\nExamples:\n  $ products-cli teardown --local\n  $ products-cli teardown --local --yes --keep-data   # stop it; the data is there next time` +
        `\n\nOn AWS:\n  $ products-cli teardown                          # asks first, saying how many items the table holds\n  $ products-cli teardown --yes --backup products.ndjson\n  $ products-cli teardown --stack alice --region eu-west-1 --yes   # works without a state file\n\nRemoves, in dependency order, the usage plan and key, the API, the function, its log group, the role and the\ntable (waiting until it is gone), then the state file's AWS entry. Resources without our stack tag are kept.`,
    )
    .action((opts: { local?: boolean; json?: boolean } & Record<string, unknown>) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ teardown }, { printResult }] = await Promise.all([import('./commands/teardown.js'), import('./output/print.js')]);
        const result = await teardown(o, ctx);
        if (o.local) {
          const { renderTeardownLocal } = await import('./commands/teardown-local.js');
          printResult(ctx, result as Parameters<typeof renderTeardownLocal>[0], renderTeardownLocal);
        } else {
          const { renderTeardownAws } = await import('./commands/teardown-aws.js');
          printResult(ctx, result as Parameters<typeof renderTeardownAws>[0], renderTeardownAws);
        }
      })(opts),
    );

  // AWS: deploy, status, logs (each loads the SDK only when it runs).
  const AWS_TARGET_OPTIONS = (command: Command) =>
    command
      .option('--region <region>', 'the region (default: the one setup recorded, then AWS_REGION)')
      .option('--profile <name>', 'the credentials profile (default: AWS_PROFILE, then default)')
      .option('--endpoint-url <url>', 'send every AWS call to this endpoint (an AWS-compatible emulator)')
      .option('--stack <name>', 'the stack (default: the one setup recorded)');

  AWS_TARGET_OPTIONS(program.command('deploy').description("Upload dist/handler.zip to the function when it differs from the deployed code, and wait until it is live."))
    .option('--force', 'deploy even to a function that lacks our stack tag')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `\nExamples:\n  $ npm run build && products-cli deploy\n  $ products-cli deploy --stack alice --json\n\nCompares the bundle's SHA-256 with the function's CodeSha256: an unchanged bundle is not uploaded.`)
    .action((opts: Parameters<typeof import('./commands/deploy.js').deploy>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ deploy, renderDeploy }, { printResult }] = await Promise.all([import('./commands/deploy.js'), import('./output/print.js')]);
        printResult(ctx, await deploy(o, ctx), renderDeploy);
      })(opts),
    );

  AWS_TARGET_OPTIONS(program.command('status').description('Show each AWS resource of the stack (present, missing, drifted), the invoke URL, and a live check.'))
    .option('--stage <name>', 'the stage (default: the one setup recorded, then prod)')
    .option('--no-verify', 'skip the live check through the invoke URL')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', `\nExamples:\n  $ products-cli status\n  $ products-cli status --stack alice --json | jq '.resources[] | select(.outcome != "present")'\n\nRead calls only. \`products-cli setup\` creates what is missing and corrects what drifted.\nExits 0 when every resource is present and the live check passes, 1 otherwise.`)
    .action((opts: Parameters<typeof import('./commands/status.js').status>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ status, renderStatus, assertStackHealthy }, { printResult }] = await Promise.all([import('./commands/status.js'), import('./output/print.js')]);
        const result = await status(o, ctx);
        printResult(ctx, result, renderStatus);
        assertStackHealthy(result);
      })(opts),
    );

  AWS_TARGET_OPTIONS(program.command('logs').description("Print the function's log events, request lines rendered readably; --follow keeps printing new ones."))
    .option('--since <when>', 'how far back: 30s, 10m, 2h, 1d, or a date (default: 10m)')
    .option('--follow', 'keep printing new events until Ctrl-C')
    .option('--filter <text>', 'only events containing TEXT (or a CloudWatch filter pattern such as { $.status >= 500 })')
    .option('--json', 'print one JSON event per line')
    .addHelpText('after', `\nExamples:\n  $ products-cli logs --since 1h\n  $ products-cli logs --follow --filter ERROR\n  $ products-cli logs --filter '{ $.status >= 500 }' --json`)
    .action((opts: Parameters<typeof import('./commands/logs.js').logs>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ logs, renderLogEvent }, { styleFor }] = await Promise.all([import('./commands/logs.js'), import('./output/print.js')]);
        const style = styleFor(ctx);
        await logs(o, ctx, (event) => ctx.stdout.write(ctx.json ? `${JSON.stringify(event)}\n` : `${renderLogEvent(event, style)}\n`));
      })(opts),
    );

  LOCAL_STACK_OPTIONS(
    program
      .command('local')
      .description('Run the local stack in the foreground, logging each request, until Ctrl-C (like `sam local start-api`).'),
  )
    .option('--in-memory', 'keep the data in memory only, leaving .products-cli/local/ alone')
    .option('--json', 'print one JSON line when listening; no request log')
    .addHelpText(
      'after',
      `\nExamples:\n  $ products-cli local\n  $ products-cli local --port 8080 --timeout 5 --in-memory   # a function timeout of 5 s\n\nIt records itself as the current target while it runs, so the product commands in another terminal use it.`,
    )
    .action((opts: Parameters<typeof import('./commands/local.js').local>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ local, renderLocalStopped }, { note }] = await Promise.all([import('./commands/local.js'), import('./output/print.js')]);
        note(ctx, renderLocalStopped(await local(o, ctx)));
      })(opts),
    );

  // Testing the API: smoke, bench, import, export, openapi.
  const TARGET_HELP = 'the API invoke URL, stage included (default: $PRODUCTS_API_URL, then the one setup recorded)';
  program
    .command('smoke')
    .description("Run the tutorial's tests against the API as a contract suite: PASS/FAIL per check, exit 1 on any failure.")
    .option('--url <url>', TARGET_HELP)
    .option('--reporter <name>', 'text, or junit for CI systems (JUnit XML)', 'text')
    .option('--output <file>', 'with --reporter junit: write the XML here instead of stdout')
    .option('--json', 'print the report as one JSON document')
    .addHelpText(
      'after',
      `\nExamples:\n  $ products-cli smoke\n  $ products-cli smoke --url https://abc123.execute-api.us-east-1.amazonaws.com/prod\n  $ products-cli smoke --reporter junit --output smoke.xml\n\nChecks: create (the tutorial's IPhone, under a fresh id), get, find in list, update with If-Match, a stale\nIf-Match (412), delete, get after delete (404), a bad body (400 with field errors) and an unknown route\n(API Gateway's 403). What it created is deleted afterwards, even when a check fails.`,
    )
    .action((opts: Parameters<typeof import('./commands/smoke.js').smoke>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ smoke, assertSmokePassed }, { renderSmokeSummary }, { printResult }] = await Promise.all([
          import('./commands/smoke.js'),
          import('./testing/render-smoke.js'),
          import('./output/print.js'),
        ]);
        const report = await smoke(o, ctx);
        if (o.reporter !== 'junit' || o.output !== undefined || ctx.json) printResult(ctx, report, renderSmokeSummary);
        assertSmokePassed(report);
      })(opts),
    );

  program
    .command('bench')
    .description('Load-test the API: seed products, send a mix of requests, report throughput, latency percentiles and statuses.')
    .option('--url <url>', TARGET_HELP)
    .option('--duration <time>', 'how long to run, such as 10s, 500ms or 2m (default: 10s; at most 10m)')
    .option('--requests <n>', 'send exactly n requests instead of running for a time')
    .option('--connections <n>', 'concurrent connections, each with one request in flight', '16')
    .option('--rate <r>', 'send at most r requests per second in all (latency counts from when each was due)')
    .option('--mix <ops>', 'weights of get, list, add, update, delete', 'get=80,add=10,update=5,delete=5')
    .option('--seed <n>', 'products to create before the run (default: 2 per connection, at least 50)')
    .option('--json', 'print the report as one JSON document')
    .addHelpText(
      'after',
      `\nExamples:\n  $ products-cli bench\n  $ products-cli bench --requests 5000 --connections 32 --json\n  $ products-cli bench --duration 30s --rate 50 --mix get=90,update=10\n\n429 answers (the stage throttle: 100 req/s, burst 200 by default) are counted and shown, never retried.\nWhat the bench created is deleted at the end; Ctrl-C stops the load, cleans up and prints what was measured.`,
    )
    .action((opts: Parameters<typeof import('./commands/bench.js').bench>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ bench }, { renderBench }, { printResult }] = await Promise.all([
          import('./commands/bench.js'),
          import('./testing/render-bench.js'),
          import('./output/print.js'),
        ]);
        printResult(ctx, await bench(o, ctx), renderBench);
      })(opts),
    );

  program
    .command('import')
    .description('Create products from a JSON array, NDJSON or CSV file (- for stdin), each checked before it is sent.')
    .argument('<file>', 'a .json (array), .ndjson/.jsonl or .csv file with a header row, or - for stdin')
    .option('--url <url>', TARGET_HELP)
    .option('--format <format>', 'json, ndjson or csv (default: from the file name, else from its first character)')
    .option('--concurrency <n>', 'requests in flight at once, 1-64', '8')
    .option('--json', 'print the summary as one JSON document')
    .addHelpText(
      'after',
      `\nExamples:\n  $ products-cli import products.csv\n  $ products-cli export --output backup.ndjson && products-cli import backup.ndjson\n  $ cat products.json | products-cli import - --json\n\nRows that fail are reported with their line and reason; the rest still go in. Ids that exist already are\nskipped, so an interrupted import is simply run again. createdAt, updatedAt and version are set by the\nserver: import ignores them, so an export imports as is (id, title, description and price are restored).\nExits 1 when any row failed.`,
    )
    .action((file: string, opts: Parameters<typeof import('./commands/import.js').importProducts>[1]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ importProducts, assertImportPassed }, { renderImportSummary }, { printResult }] = await Promise.all([
          import('./commands/import.js'),
          import('./transfer/render-transfer.js'),
          import('./output/print.js'),
        ]);
        const result = await importProducts(file, o, ctx);
        printResult(ctx, result, renderImportSummary);
        assertImportPassed(result);
      })(opts),
    );

  program
    .command('export')
    .description('Write every product as NDJSON (one JSON object per line), page by page, to a file or stdout.')
    .option('--url <url>', TARGET_HELP)
    .option('--output <file>', 'write to this file (replaced only once the export is complete) instead of stdout')
    .option('--json', 'with --output: print the summary as JSON')
    .addHelpText(
      'after',
      `\nExamples:\n  $ products-cli export --output products.ndjson\n  $ products-cli export | jq -r .title\n\nMemory stays flat however large the table: products are written as each page arrives.`,
    )
    .action((opts: Parameters<typeof import('./commands/export.js').exportProducts>[0]) =>
      run<typeof opts>(async (o, ctx) => {
        const [{ exportProducts }, { renderExportSummary }, { printResult, note }] = await Promise.all([
          import('./commands/export.js'),
          import('./transfer/render-transfer.js'),
          import('./output/print.js'),
        ]);
        const result = await exportProducts(o, ctx);
        // Without --output, stdout is the data itself: the summary goes to stderr.
        if (o.output !== undefined) printResult(ctx, result, renderExportSummary);
        else note(ctx, renderExportSummary(result));
      })(opts),
    );

  program
    .command('openapi')
    .description('Print the OpenAPI 3.1 document of the product API, for Postman, Insomnia or Swagger UI.')
    .option('--url <url>', 'the server URL to put in the document (default: $PRODUCTS_API_URL, then the one setup recorded)')
    .option('--output <file>', 'write the document to this file instead of stdout')
    .addHelpText(
      'after',
      `\nExamples:\n  $ products-cli openapi > openapi.json\n  $ products-cli openapi --url https://abc123.execute-api.us-east-1.amazonaws.com/prod --output openapi.json\n\nGenerated from the same contract the function validates with: every route, schema, status and problem body.`,
    )
    .action((opts: Parameters<typeof import('./commands/openapi.js').openapi>[0]) =>
      run<typeof opts & { json?: boolean }>(async (o, ctx) => {
        const [{ openapi }, { note }] = await Promise.all([import('./commands/openapi.js'), import('./output/print.js')]);
        const result = await openapi(o, ctx);
        if (result.output !== undefined) note(ctx, `wrote ${result.output}${result.serverUrl ? ` (server ${result.serverUrl})` : ' (no server URL: no target is known)'}`);
        else ctx.stdout.write(`${JSON.stringify(result.document, null, 2)}\n`);
      })(opts),
    );

  void run;
  void Option;
  return program;
}
