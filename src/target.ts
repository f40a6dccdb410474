/** Which API the product commands talk to: --url, then PRODUCTS_API_URL, then what setup recorded. */
import { UsageError } from './errors.js';

export interface Target {
  /** The invoke URL with its stage and without a trailing slash. */
  url: string;
  apiKey?: string;
  /** Where the URL came from, for messages. */
  source: 'flag' | 'env' | 'state:local' | 'state:aws';
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
  if (url.username || url.password) throw new UsageError(`${from} must not carry credentials; use PRODUCTS_API_KEY for an API key`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Resolves the target; UsageError when none is given or recorded. */
export async function resolveTarget(inputs: TargetInputs): Promise<Target> {
  const envKey = inputs.env.PRODUCTS_API_KEY || undefined;
  if (inputs.url !== undefined) return withKey({ url: normalizeApiUrl(inputs.url, '--url'), source: 'flag' }, envKey);
  if (inputs.env.PRODUCTS_API_URL) {
    return withKey({ url: normalizeApiUrl(inputs.env.PRODUCTS_API_URL, 'PRODUCTS_API_URL'), source: 'env' }, envKey);
  }
  // Loaded only here: a command given --url or PRODUCTS_API_URL never touches the state file.
  const { readState } = await import('./state/state-file.js');
  const state = await readState(inputs.cwd);
  const order = state.current === 'aws' ? (['aws', 'local'] as const) : (['local', 'aws'] as const);
  for (const name of order) {
    const recorded = state[name]?.url;
    if (!recorded) continue;
    const target: Target = { url: normalizeApiUrl(recorded, `the ${name} URL in .products-cli/state.json`), source: `state:${name}` };
    return withKey(target, envKey ?? (name === 'aws' ? state.aws?.apiKey : undefined));
  }
  throw new UsageError('no API target: run `products-cli setup --local` or pass --url');
}

function withKey(target: Target, apiKey: string | undefined): Target {
  return apiKey ? { ...target, apiKey } : target;
}
