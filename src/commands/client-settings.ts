/** `--timeout` and `--retries` of the commands that talk to the API, with PRODUCTS_CLI_TIMEOUT/_RETRIES as defaults. */
import { duration, wholeNumber } from '../cli/parsers.js';

export interface ClientSettingOptions {
  /** How long to wait for an answer per attempt: `10` (seconds), `2.5`, `500ms`, `30s`, `1m`. */
  timeout?: string;
  /** Attempts after the first for a failure worth retrying: 0-10. */
  retries?: string;
}

export interface ClientSettings {
  timeoutMs?: number;
  retries?: number;
}

const TIMEOUT_MIN_MS = 100;
const TIMEOUT_MAX_MS = 600_000;
export const RETRIES_MAX = 10;

/** The timeout read from `source` (the flag or the environment variable): `10`, `2.5`, `500ms`, `30s`, `1m`, in whole ms. */
function readTimeout(source: string, text: string): number {
  const rule = `a time from ${TIMEOUT_MIN_MS / 1000} to ${TIMEOUT_MAX_MS / 1000} seconds, such as 30, 2.5 or 500ms`;
  return Math.round(duration(source, TIMEOUT_MAX_MS, rule, TIMEOUT_MIN_MS)(text));
}

/** The client's timeout and retries from the flags, else the environment; a bad value is a usage error naming its source. */
export function readClientSettings(opts: ClientSettingOptions, env: NodeJS.ProcessEnv): ClientSettings {
  const settings: ClientSettings = {};
  const timeout = opts.timeout ?? env.PRODUCTS_CLI_TIMEOUT;
  if (timeout !== undefined && timeout !== '') {
    const source = opts.timeout !== undefined ? '--timeout' : 'PRODUCTS_CLI_TIMEOUT';
    settings.timeoutMs = readTimeout(source, timeout);
  }
  const retries = opts.retries ?? env.PRODUCTS_CLI_RETRIES;
  if (retries !== undefined && retries !== '') {
    const source = opts.retries !== undefined ? '--retries' : 'PRODUCTS_CLI_RETRIES';
    settings.retries = wholeNumber(source, 0, RETRIES_MAX)(retries);
  }
  return settings;
}
