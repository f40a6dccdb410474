/** SigV4 signing of product-API requests (service execute-api), with the AWS SDK's signer and credential chain. */
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { SIGV4_SERVICE } from '../contract/auth.js';
import { AwsError } from '../errors.js';
import type { SignInput, SigningCredentials, TargetAuth } from './request-auth.js';

type CredentialProvider = () => Promise<SigningCredentials>;

/** Credentials as the AWS CLI resolves them: env, profile (AWS_PROFILE), SSO, process, instance role. */
async function chainProvider(profile: string | undefined): Promise<CredentialProvider> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  const chain = defaultProvider(profile ? { profile } : {});
  return async () => {
    try {
      return await chain();
    } catch (error) {
      throw new AwsError(
        `no AWS credentials to sign the request with (${(error as Error).message}); set AWS_PROFILE or run aws configure`,
        { cause: error },
      );
    }
  };
}

/** A function that returns the signature headers for a request. */
export async function createSigner(
  auth: TargetAuth,
  clockOffsetMs: () => number = () => 0,
): Promise<(request: SignInput) => Promise<Record<string, string>>> {
  const fixed = auth.credentials;
  const credentials: CredentialProvider = fixed ? async () => fixed : await chainProvider(auth.profile);
  const signer = new SignatureV4({
    service: SIGV4_SERVICE,
    region: auth.region,
    credentials,
    sha256: Hash.bind(null, 'sha256') as unknown as ConstructorParameters<typeof SignatureV4>[0]['sha256'],
  });
  return async (request) => {
    const url = new URL(request.url);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const existing = query[name];
      query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    // The transports send Host as url.host does (the port only when it is not the scheme's default).
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        path: url.pathname,
        query,
        headers: { ...request.headers, host: url.host },
        ...(request.body !== undefined ? { body: request.body } : {}),
      },
      { signingDate: new Date(Date.now() + clockOffsetMs()) },
    );
    const added: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) {
      if (name !== 'host' && request.headers[name] === undefined) added[name] = String(value);
    }
    return added;
  };
}
