/** The local stack's credentials: a fresh key pair (or API key) per start, handed to the stack process privately. */
import { randomBytes } from 'node:crypto';
import type { AccessSettings } from '../contract/auth.js';
import type { AccessOptions } from './gateway-access.js';
import type { LocalCredentials } from './verify-sigv4.js';

/** What the stack accepts and the CLI signs with; kept in the state file (mode 0600), never in argv. */
export interface LocalSecrets {
  credentials?: LocalCredentials;
  apiKey?: string;
}

/** The environment variable that carries the secrets to the background stack process. */
export const LOCAL_SECRETS_ENV = 'PRODUCTS_CLI_LOCAL_SECRETS';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** New secrets for the auth mode: an AKIA-shaped access key id and a 40-character secret, or an API key. */
export function newLocalSecrets(access: AccessSettings): LocalSecrets {
  if (access.auth.mode === 'iam') {
    const id = [...randomBytes(16)].map((byte) => BASE32[byte % 32]).join('');
    return { credentials: { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') } };
  }
  if (access.auth.mode === 'api-key') return { apiKey: randomBytes(30).toString('base64url') };
  return {};
}

/** The gateway's access options for the settings, secrets and region. */
export function toAccessOptions(access: AccessSettings, secrets: LocalSecrets, region: string): AccessOptions {
  return {
    auth: access.auth,
    corsOrigins: access.corsOrigins,
    region,
    ...(secrets.credentials ? { credentials: [secrets.credentials] } : {}),
    ...(secrets.apiKey ? { apiKey: secrets.apiKey } : {}),
  };
}

/** Reads (and removes from the environment) the secrets that `setup --local` handed over. */
export function takeLocalSecrets(env: NodeJS.ProcessEnv): LocalSecrets {
  const raw = env[LOCAL_SECRETS_ENV];
  delete env[LOCAL_SECRETS_ENV];
  return raw ? (JSON.parse(raw) as LocalSecrets) : {};
}
