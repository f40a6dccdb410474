/** The options of the commands that talk to the API, `--url` and `--json`: light, as `products-cli get` loads them. */
import { normalizeApiUrl } from '../target.js';
import type { OptionSpec } from './command.js';

/** `--json`, described for what the command prints. */
export function jsonOption(description: string): OptionSpec {
  return { flags: '--json', description };
}

export const URL_HELP = 'the API invoke URL, stage included (default: $PRODUCTS_API_URL, then the one setup recorded)';

/** Checks `--url` where it is declared; the text itself goes on to resolveTarget. */
export function parseUrl(text: string): string {
  normalizeApiUrl(text, '--url');
  return text;
}

/**
 * `--url`: which API the product and testing commands talk to; with the client's `--timeout`, `--retries` and
 * `--debug` (checked where the client is opened, since their environment variables need the same checks).
 */
export const CONNECTION_GROUP = 'Connection options:';

export function targetOptions(description = URL_HELP): OptionSpec[] {
  return (
    [
      { flags: '--url <url>', description, parse: parseUrl },
      {
        flags: '--timeout <seconds>',
        description: 'wait this long for each answer, such as 30 or 500ms (default: $PRODUCTS_CLI_TIMEOUT, then 10)',
      },
      {
        flags: '--retries <n>',
        description:
          'attempts after the first for a failure worth retrying, 0-10 (default: $PRODUCTS_CLI_RETRIES, then 4)',
      },
      {
        flags: '--debug',
        description:
          'print each HTTP request and answer (method, URL, status, time, headers; secrets masked) on stderr; also PRODUCTS_CLI_DEBUG=1',
      },
      {
        flags: '--profile <name>',
        description:
          'the AWS credentials profile that signs requests to a stack that requires it (default: AWS_PROFILE, then default)',
      },
    ] as OptionSpec[]
  ).map((spec) => ({ ...spec, group: CONNECTION_GROUP }));
}

/** The help note on the client's flags, with an example, for every command that talks to the API. */
export const CLIENT_FLAGS_HELP = `Each answer is waited for --timeout (default 10 s; $PRODUCTS_CLI_TIMEOUT) and a failure worth it is retried
--retries times (default 4; $PRODUCTS_CLI_RETRIES); --debug prints every request and answer, secrets masked:
  $ products-cli get 1 --timeout 30 --retries 0 --debug`;
