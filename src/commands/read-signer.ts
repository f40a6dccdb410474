/** The signer of the live check's GET when reads need SigV4 (`--auth iam --private-reads`). */
import type { TargetAuth } from '../http/request-auth.js';

/** Signs a GET of `url` with the caller's credentials, as the product client signs its requests. */
export async function readSigner(auth: TargetAuth): Promise<(url: string) => Promise<Record<string, string>>> {
  const { createSigner } = await import('../http/sign-request.js');
  const signer = await createSigner(auth);
  return (url) => signer({ method: 'GET', url, headers: { accept: 'application/json' } });
}

/** The signer the live check needs for this access, or undefined when reads are public. */
export async function liveCheckSigner(
  auth: TargetAuth & { mode: string; privateReads?: boolean },
): Promise<((url: string) => Promise<Record<string, string>>) | undefined> {
  return auth.mode === 'iam' && auth.privateReads ? readSigner(auth) : undefined;
}
