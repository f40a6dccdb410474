/** `--timeout` and `--retries` of the commands that talk to the API, with PRODUCTS_CLI_TIMEOUT/_RETRIES as defaults. */
import { UsageError } from '../errors.js';

export interface ClientSettingOptions {
  /** Seconds to wait for an answer per attempt: `10`, `2.5`, `500ms`, `30s`. */
  timeout?: string;
  /** Attempts after the first for a failure worth retrying: 0-10. */
  retries?: string;
}

export interface ClientSettings {
  timeoutMs?: number;
  retries?: number;
}

const TIMEOUT_MAX_MS = 600_000;
export const RETRIES_MAX = 10;

/** Parses `10`, `2.5`, `500ms` or `30s` as milliseconds; undefined when it is none of these. */
export function parseTimeout(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * (match[2] === 'ms' ? 1 : 1000);
  return ms >= 100 && ms <= TIMEOUT_MAX_MS ? Math.round(ms) : undefined;
}

/** The client's timeout and retries from the flags, else the environment; a bad value is a usage error naming its source. */
export function readClientSettings(opts: ClientSettingOptions, env: NodeJS.ProcessEnv): ClientSettings {
  const settings: ClientSettings = {};
  const timeout = opts.timeout ?? env.PRODUCTS_CLI_TIMEOUT;
  if (timeout !== undefined && timeout !== '') {
    const source = opts.timeout !== undefined ? '--timeout' : 'PRODUCTS_CLI_TIMEOUT';
    const ms = parseTimeout(timeout);
    if (ms === undefined) throw new UsageError(`${source} must be a time from 0.1 to 600 seconds, such as 30, 2.5 or 500ms, not "${timeout}"`);
    settings.timeoutMs = ms;
  }
  const retries = opts.retries ?? env.PRODUCTS_CLI_RETRIES;
  if (retries !== undefined && retries !== '') {
    const source = opts.retries !== undefined ? '--retries' : 'PRODUCTS_CLI_RETRIES';
    const value = /^\s*\d{1,2}\s*$/.test(retries) ? Number(retries) : Number.NaN;
    if (!(value >= 0 && value <= RETRIES_MAX)) throw new UsageError(`${source} must be a whole number from 0 to ${RETRIES_MAX}, not "${retries}"`);
    settings.retries = value;
  }
  return settings;
}
