/** Requests signed with aws4, a SigV4 implementation independent of the gateway's, as another client would. */
import aws4 from 'aws4';

export interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/** fetch() with a SigV4 signature for execute-api in `region` (default us-east-1). */
export function signedFetch(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> },
  credentials: KeyPair,
  region = 'us-east-1',
): Promise<Response> {
  const target = new URL(url);
  const headers = { ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...init.headers };
  const signed = aws4.sign(
    {
      host: target.host,
      method: init.method ?? 'GET',
      path: `${target.pathname}${target.search}`,
      service: 'execute-api',
      region,
      headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
    },
    credentials,
  );
  const sent = Object.fromEntries(
    Object.entries(signed.headers as Record<string, string>).filter(
      ([name]) => name.toLowerCase() !== 'host' && name.toLowerCase() !== 'content-length',
    ),
  );
  return fetch(url, {
    method: init.method ?? 'GET',
    headers: sent,
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
}
