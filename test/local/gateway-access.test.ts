import aws4 from 'aws4';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { send } from '../helpers/send.js';
import { product } from '../helpers/product.js';

const key = { accessKeyId: 'AKIALOCALTESTKEY0001', secretAccessKey: 'local-secret-for-tests-only-0123456789ab' };
const region = 'us-east-1';
let stack: LocalStack;
let host: string;

/** Signs with aws4, a SigV4 implementation independent of the one the gateway verifies with. */
function aws4Signed(method: string, path: string, body: string | undefined, credentials = key): Record<string, string> {
  const signed = aws4.sign(
    {
      host,
      method,
      path,
      service: 'execute-api',
      region,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    },
    credentials,
  );
  return signed.headers as Record<string, string>;
}

async function smithySigned(
  method: string,
  path: string,
  body: string | undefined,
  signingDate = new Date(),
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: key,
    sha256: Hash.bind(null, 'sha256') as never,
  });
  const [pathname, query] = path.split('?');
  const signed = await signer.sign(
    {
      method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: pathname as string,
      query: Object.fromEntries(new URLSearchParams(query ?? '')),
      headers: { host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
    },
    { signingDate },
  );
  return signed.headers as Record<string, string>;
}

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    throttle: null,
    access: { auth: { mode: 'iam', privateReads: false }, credentials: [key], region, corsOrigins: [] },
  });
  host = `127.0.0.1:${stack.port}`;
});
afterAll(async () => {
  await stack?.stop();
});

const productBody = (id: string) => JSON.stringify(product({ id }));

describe('IAM authorization on the local gateway', () => {
  it.each([
    ['POST', '/prod/product', productBody('unsigned-1')],
    ['PATCH', '/prod/product/1', '{"price":1}'],
    ['DELETE', '/prod/product/1', undefined],
  ])('refuses an unsigned %s with 403 Missing Authentication Token', async (method, path, body) => {
    const reply = await send(`http://${host}${path}`, {
      method,
      body,
      headers: body ? { 'content-type': 'application/json' } : {},
    });

    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text)).toEqual({ message: 'Missing Authentication Token' });
    expect(reply.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
  });

  it('lets anyone read: an unsigned GET reaches the function', async () => {
    const reply = await send(`http://${host}/prod/product?limit=1`);

    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toHaveProperty('items');
  });

  it('accepts writes signed by aws4 and by @smithy/signature-v4, query strings included', async () => {
    const body = productBody('aws4-1');
    const created = await send(`http://${host}/prod/product`, {
      method: 'POST',
      body,
      headers: aws4Signed('POST', '/prod/product', body),
    });
    expect(created.status).toBe(201);

    const patch = '{"price":850}';
    const headers = await smithySigned('PATCH', '/prod/product/aws4-1', patch);
    const updated = await send(`http://${host}/prod/product/aws4-1`, {
      method: 'PATCH',
      body: patch,
      headers: { ...headers, 'if-match': '"7"' },
    });
    expect(updated.status).toBe(412);
    const plain = await send(`http://${host}/prod/product/aws4-1`, { method: 'PATCH', body: patch, headers });
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.text).price).toBe(850);

    const removed = await send(`http://${host}/prod/product/aws4-1`, {
      method: 'DELETE',
      headers: aws4Signed('DELETE', '/prod/product/aws4-1', undefined),
    });
    expect(removed.status).toBe(204);
  });

  it("refuses a signature made with the wrong secret, with API Gateway's mismatch message", async () => {
    const body = productBody('wrong-secret');
    const headers = aws4Signed('POST', '/prod/product', body, { ...key, secretAccessKey: 'not-the-secret' });

    const reply = await send(`http://${host}/prod/product`, { method: 'POST', body, headers });

    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text).message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  });

  it('refuses a body changed after signing', async () => {
    const headers = aws4Signed('POST', '/prod/product', productBody('tampered-a'));

    const reply = await send(`http://${host}/prod/product`, {
      method: 'POST',
      body: productBody('tampered-b'),
      headers,
    });

    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text).message).toMatch(/^The request signature we calculated does not match/);
  });

  it('refuses a request signed more than 5 minutes ago: Signature expired', async () => {
    const body = productBody('expired');
    const headers = await smithySigned('POST', '/prod/product', body, new Date(Date.now() - 6 * 60 * 1000));

    const reply = await send(`http://${host}/prod/product`, { method: 'POST', body, headers });

    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text).message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    );
  });

  it('refuses an access key it does not know', async () => {
    const body = productBody('unknown-key');
    const headers = aws4Signed('POST', '/prod/product', body, {
      accessKeyId: 'AKIAUNKNOWNKEY000000',
      secretAccessKey: key.secretAccessKey,
    });

    const reply = await send(`http://${host}/prod/product`, { method: 'POST', body, headers });

    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.text)).toEqual({ message: 'The security token included in the request is invalid.' });
  });
});

describe('private reads', () => {
  it('refuses an unsigned GET and accepts a signed one', async () => {
    const priv = await startLocalStack({
      port: 0,
      throttle: null,
      access: { auth: { mode: 'iam', privateReads: true }, credentials: [key], region, corsOrigins: [] },
    });
    try {
      const url = `http://127.0.0.1:${priv.port}/prod/product?limit=1`;
      const unsigned = await send(url);
      expect(unsigned.status).toBe(403);
      expect(JSON.parse(unsigned.text)).toEqual({ message: 'Missing Authentication Token' });

      const saved = host;
      host = `127.0.0.1:${priv.port}`;
      const headers = aws4Signed('GET', '/prod/product?limit=1', undefined);
      host = saved;
      expect((await send(url, { headers })).status).toBe(200);
    } finally {
      await priv.stop();
    }
  });
});
