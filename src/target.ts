/** Which API the product commands talk to: --url, then PRODUCTS_API_URL, then what setup recorded. */
import { UsageError } from './errors.js';
import type { AuthSettings } from './contract/auth.js';
import type { TargetAuth } from './http/request-auth.js';
import type { State } from './state/state-file.js';

export interface Target {
  /** The invoke URL with its stage and without a trailing slash. */
  url: string;
  apiKey?: string;
  /** How the target authorizes requests, when setup recorded it; absent = send them unsigned. */
  auth?: TargetAuth;
  /** The browser origins the recorded stack allows (CORS). */
  corsOrigins?: string[];
  /** The recorded stack's authorization, whatever its mode. */
  authSettings?: AuthSettings;
  /** Where the URL came from, for messages. */
  source: 'flag' | 'env' | 'state:local' | 'state:aws';
  /** The stack setup recorded here that the URL is, whichever way it was given. */
  recorded?: 'local' | 'aws';
}

export interface TargetInputs {
  url?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Checks an invoke URL and returns it without a trailing slash; UsageError naming `from` when it is not one. */
export function normalizeApiUrl(raw: string, from: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${from} is not a URL: ${raw}; give the invoke URL, such as http://127.0.0.1:3000/prod`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from} must be an http or https URL, not ${url.protocol}//…`);
  }
  if (url.search || url.hash) throw new UsageError(`${from} must not have a query or fragment: ${raw}`);
  if (url.username || url.password)
    throw new UsageError(`${from} must not carry credentials; use PRODUCTS_API_KEY for an API key`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Resolves the target; UsageError when none is given or recorded. */
export async function resolveTarget(inputs: TargetInputs): Promise<Target> {
  const envKey = inputs.env.PRODUCTS_API_KEY || undefined;
  const { readState } = await import('./state/state-file.js');
  const given =
    inputs.url !== undefined
      ? { url: normalizeApiUrl(inputs.url, '--url'), source: 'flag' as const }
      : inputs.env.PRODUCTS_API_URL
        ? { url: normalizeApiUrl(inputs.env.PRODUCTS_API_URL, 'PRODUCTS_API_URL'), source: 'env' as const }
        : undefined;
  if (given) {
    // A URL that setup recorded is that stack, and is signed as it requires; any other goes unsigned.
    const state = await readState(inputs.cwd).catch(() => ({ version: 1 }) as State);
    const name = (['local', 'aws'] as const).find(
      (n) => state[n]?.url && normalizeApiUrl(state[n]?.url as string, 'the state file') === given.url,
    );
    return withKey(name ? withAuth(given, state, name) : given, envKey ?? (name ? state[name]?.apiKey : undefined));
  }
  const state = await readState(inputs.cwd);
  const order = state.current === 'aws' ? (['aws', 'local'] as const) : (['local', 'aws'] as const);
  for (const name of order) {
    const recorded = state[name]?.url;
    if (!recorded) continue;
    const target: Target = withAuth(
      { url: normalizeApiUrl(recorded, `the ${name} URL in .products-cli/state.json`), source: `state:${name}` },
      state,
      name,
    );
    return withKey(target, envKey ?? state[name]?.apiKey);
  }
  throw new UsageError('no API target: run `products-cli setup --local` or pass --url');
}

/** The target with the recorded stack's authorization, when it has one that needs signing. */
function withAuth(target: Target, state: State, name: 'local' | 'aws'): Target {
  target = { ...target, recorded: name };
  const auth = state[name]?.auth;
  const cors = state[name]?.corsOrigins;
  if (cors?.length) target = { ...target, corsOrigins: cors };
  if (auth) target = { ...target, authSettings: auth };
  if (auth?.mode !== 'iam') return target;
  if (name === 'local') {
    const local = state.local;
    return {
      ...target,
      auth: {
        ...auth,
        region: local?.region ?? 'us-east-1',
        local: true,
        ...(local?.credentials ? { credentials: local.credentials } : {}),
      },
    };
  }
  return { ...target, auth: { ...auth, region: state.aws?.region as string } };
}

function withKey(target: Target, apiKey: string | undefined): Target {
  return apiKey ? { ...target, apiKey } : target;
}
