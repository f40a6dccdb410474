/**
 * SigV4 verification as API Gateway's AWS_IAM authorization does it: the signature is recomputed over the
 * request as received, with @smithy/signature-v4 (the AWS SDK's own signer), and compared. Each refusal
 * carries API Gateway's message for it.
 */
import { timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { SIGV4_SERVICE } from '../contract/auth.js';

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** The path as received, percent-encoding kept, stage included. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Node's rawHeaders: name, value, name, value… */
  rawHeaders: readonly string[];
  body: Buffer;
}

/** A refusal carries API Gateway's message and its x-amzn-ErrorType. */
export type Verdict = { ok: true; accessKeyId: string } | { ok: false; message: string; errorType: string };

/** API Gateway accepts a signature dated up to 5 minutes either side of its clock. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

export const MESSAGES = {
  missing: 'Missing Authentication Token',
  invalidToken: 'The security token included in the request is invalid.',
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
} as const;

const Sha256 = Hash.bind(null, 'sha256') as unknown as ConstructorParameters<typeof SignatureV4>[0]['sha256'];

function refuse(message: string, errorType: string): Verdict {
  return { ok: false, message, errorType };
}

function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    map.set(name, map.has(name) ? `${map.get(name)},${value}` : value);
  }
  return map;
}

/** `20260101T120000Z` as a Date, or undefined. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAuthorization(
  header: string,
):
  | { accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[]; signature: string }
  | string {
  const rest = header.replace(/^AWS4-HMAC-SHA256\s+/, '');
  const fields = new Map(
    rest.split(/\s*,\s*/).map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  if (!header.startsWith('AWS4-HMAC-SHA256 ') || missing.length > 0) {
    return `${missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ') || 'Authorization header requires the AWS4-HMAC-SHA256 algorithm.'} Authorization=${header}`;
  }
  const [accessKeyId, date, region, service, terminator] = (fields.get('Credential') as string).split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request')
    return `Credential should be scoped to a valid region. Authorization=${header}`;
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: (fields.get('SignedHeaders') as string).split(';'),
    signature: fields.get('Signature') as string,
  };
}

function queryObject(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const existing = result[name];
    result[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Checks a request's SigV4 signature against the stack's credentials and region, at time `now`. */
export async function verifySigV4(
  request: SignedRequest,
  keys: readonly LocalCredentials[],
  region: string,
  now: Date = new Date(),
): Promise<Verdict> {
  const headers = headerMap(request.rawHeaders);
  const authorization = headers.get('authorization');
  if (!authorization) return refuse(MESSAGES.missing, 'MissingAuthenticationTokenException');
  const parsed = parseAuthorization(authorization);
  if (typeof parsed === 'string') return refuse(parsed, 'IncompleteSignatureException');

  const signedAt = parseAmzDate(headers.get('x-amz-date'));
  if (!signedAt)
    return refuse(
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`,
      'IncompleteSignatureException',
    );
  if (signedAt.getTime() < now.getTime() - MAX_SKEW_MS) {
    return refuse(
      `Signature expired: ${amzDate(signedAt)} is now earlier than ${amzDate(new Date(now.getTime() - MAX_SKEW_MS))} (${amzDate(now)} - 5 min.)`,
      'InvalidSignatureException',
    );
  }
  if (signedAt.getTime() > now.getTime() + MAX_SKEW_MS) {
    return refuse(
      `Signature not yet current: ${amzDate(signedAt)} is still later than ${amzDate(new Date(now.getTime() + MAX_SKEW_MS))} (${amzDate(now)} + 5 min.)`,
      'InvalidSignatureException',
    );
  }
  if (parsed.service !== SIGV4_SERVICE)
    return refuse(`Credential should be scoped to correct service: '${SIGV4_SERVICE}'. `, 'InvalidSignatureException');
  if (parsed.region !== region)
    return refuse(
      `Credential should be scoped to a valid region, not '${parsed.region}'. `,
      'InvalidSignatureException',
    );

  const key = keys.find((k) => k.accessKeyId === parsed.accessKeyId);
  if (!key) return refuse(MESSAGES.invalidToken, 'UnrecognizedClientException');

  const signed: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = headers.get(name);
    if (value !== undefined) signed[name] = value;
  }
  const sessionToken = headers.get('x-amz-security-token');
  const signer = new SignatureV4({
    service: SIGV4_SERVICE,
    region,
    sha256: Sha256,
    // The client decides whether it hashed the payload into a header; the verifier adds nothing.
    applyChecksum: false,
    credentials: {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    },
  });
  const recomputed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.get('host') ?? '',
      path: request.path,
      query: queryObject(request.query),
      headers: signed,
      body: request.body.length > 0 ? request.body : undefined,
    },
    { signingDate: signedAt, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(recomputed.headers.authorization ?? ''))?.[1] ?? '';
  return sameSignature(expected, parsed.signature)
    ? { ok: true, accessKeyId: key.accessKeyId }
    : refuse(MESSAGES.mismatch, 'InvalidSignatureException');
}
