/** Who may call which method: the API's authorization modes, shared by setup, the local gateway and the CLI. */
import { OPERATIONS } from './operations.js';

/** `iam`: SigV4-signed requests (AWS_IAM); `api-key`: an `x-api-key` header; `none`: open to anyone. */
export type AuthMode = 'iam' | 'api-key' | 'none';

export const AUTH_MODES: readonly AuthMode[] = ['iam', 'api-key', 'none'];

export interface AuthSettings {
  mode: AuthMode;
  /** The read operations are protected too; otherwise only the writes are, and anyone may read the catalogue. */
  privateReads: boolean;
}

/** Who may call the API, and which browser origins may (CORS). */
export interface AccessSettings {
  auth: AuthSettings;
  corsOrigins: string[];
}

export const DEFAULT_AUTH: AuthSettings = { mode: 'iam', privateReads: false };

/** The service name that API Gateway's SigV4 signatures are scoped to. */
export const SIGV4_SERVICE = 'execute-api';

/** Methods whose every operation only reads (HEAD reads as GET does); any other method writes. */
const READ_METHODS = new Set([
  'HEAD',
  ...OPERATIONS.map((op) => op.method).filter((method) =>
    OPERATIONS.every((op) => op.method !== method || op.access === 'read'),
  ),
]);

/** True when a request with this method must carry the mode's credential (a preflight never does). */
export function isProtected(auth: AuthSettings, method: string): boolean {
  const upper = method.toUpperCase();
  if (auth.mode === 'none' || upper === 'OPTIONS') return false;
  return READ_METHODS.has(upper) ? auth.privateReads : true;
}

/** One line saying who may write (and read) and how. */
export function describeAuth(auth: AuthSettings): string {
  const scope = auth.privateReads ? 'reads and writes' : 'writes (POST, PATCH, DELETE; anyone may read)';
  if (auth.mode === 'iam')
    return `IAM: ${scope} need SigV4-signed requests from a caller with execute-api:Invoke on this API`;
  if (auth.mode === 'api-key') return `API key: ${scope} need the x-api-key header`;
  return 'none: anyone who knows the URL may read, create, change and delete products';
}
