/** The authorization and CORS flags of `setup` and `local`, checked: one-line usage errors naming the flag. */
import { DEFAULT_AUTH, type AccessSettings, type AuthMode } from '../contract/auth.js';
import { normalizeCorsOrigins } from '../contract/cors.js';
import { UsageError } from '../errors.js';

/** As commander hands them over, each value checked by its parser. */
export interface AccessFlags {
  auth?: AuthMode;
  privateReads?: boolean;
  /** Repeatable: every value given. */
  corsOrigin?: string | string[];
  /** The older `--api-key`, the same as `--auth api-key`. */
  apiKey?: boolean;
}

/** Checks that the flags agree with each other; `--auth` defaults to iam (writes need SigV4-signed requests). */
export function checkAccessFlags(flags: AccessFlags): AccessSettings {
  let mode = flags.auth ?? DEFAULT_AUTH.mode;
  if (flags.apiKey) {
    if (flags.auth !== undefined && mode !== 'api-key')
      throw new UsageError(`--api-key and --auth ${mode} contradict each other; use --auth api-key`);
    mode = 'api-key';
  }
  if (flags.privateReads && mode === 'none')
    throw new UsageError('--private-reads needs --auth iam or --auth api-key: with --auth none nothing is private');
  const values =
    flags.corsOrigin === undefined ? [] : Array.isArray(flags.corsOrigin) ? flags.corsOrigin : [flags.corsOrigin];
  let corsOrigins: string[];
  try {
    corsOrigins = normalizeCorsOrigins(values);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { auth: { mode, privateReads: Boolean(flags.privateReads) }, corsOrigins };
}
