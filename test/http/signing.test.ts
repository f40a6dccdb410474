import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { ProductApi } from '../../src/http/api-client.js';
import { signingFor } from '../../src/http/request-auth.js';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { writeState } from '../../src/state/state-file.js';
import { resolveTarget } from '../../src/target.js';
import { product } from '../helpers/product.js';

const key = { accessKeyId: 'AKIALOCALSIGNINGTEST', secretAccessKey: 'signing-test-secret-0123456789abcdefghij' };
const auth = { mode: 'iam' as const, privateReads: false };
let stack: LocalStack;
let cwd: string;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    throttle: null,
    access: { auth, credentials: [key], region: 'eu-west-1', corsOrigins: [] },
  });
  cwd = await mkdtemp(join(tmpdir(), 'products-signing-'));
});
afterAll(async () => {
  await stack?.stop();
  await rm(cwd, { recursive: true, force: true });
});

describe('SigV4 signing in the client', () => {
  it('signs the writes of a target whose recorded stack requires IAM, found by its URL too', async () => {
    await writeState(cwd, {
      version: 1,
      current: 'local',
      local: {
        url: stack.url,
        port: stack.port,
        stage: 'prod',
        pid: process.pid,
        dynamodbEndpoint: stack.dynamodbEndpoint,
        startedAt: new Date().toISOString(),
        auth,
        region: 'eu-west-1',
        credentials: key,
      },
    });

    for (const target of [
      await resolveTarget({ env: {}, cwd }),
      await resolveTarget({ url: stack.url, env: {}, cwd }),
    ]) {
      expect(target.auth).toMatchObject({ mode: 'iam', region: 'eu-west-1', credentials: key });
      const api = new ProductApi({ baseUrl: target.url, signing: signingFor(target.auth), retries: 0 });
      const id = `signed-${target.source}`;
      await api.create(product({ id }));
      expect((await api.update(id, { price: 850 }, { ifVersion: 1 })).price).toBe(850);
      await api.delete(id);
      await api.close();
    }
  });

  it('sends reads unsigned when reads are public', async () => {
    const signing = signingFor({ ...auth, region: 'eu-west-1', credentials: key });

    expect(signing?.needed('GET')).toBe(false);
    expect(signing?.needed('POST')).toBe(true);
    expect(signingFor({ mode: 'none', privateReads: false, region: 'eu-west-1' })).toBeUndefined();
  });

  it('says what to check, in one line, when a signed request is refused', async () => {
    const wrong = signingFor({
      ...auth,
      region: 'eu-west-1',
      credentials: { ...key, secretAccessKey: 'wrong' },
      local: true,
    });
    const api = new ProductApi({ baseUrl: stack.url, signing: wrong, retries: 0 });

    const error = await api.create(product()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toMatch(
      /^POST .*\/product was refused \(403 The request signature we calculated does not match .*\); the local stack does not accept the key/,
    );
    expect((error as Error).message).not.toContain('\n');
    await api.close();
  });

  it('names execute-api:Invoke on the API for an AWS target', () => {
    const signing = signingFor({ ...auth, region: 'us-east-1' });

    expect(
      signing?.refused(
        'POST',
        'https://abc123.execute-api.us-east-1.amazonaws.com/prod/product',
        'User: arn:aws:iam::1:user/x is not authorized',
      ),
    ).toBe(
      'POST https://abc123.execute-api.us-east-1.amazonaws.com/prod/product was refused (403 User: arn:aws:iam::1:user/x is not authorized); check that the signing identity (AWS_PROFILE or the default credentials) is allowed execute-api:Invoke on arn:aws:execute-api:us-east-1:*:abc123/*',
    );
  });

  it.each([
    ['cn-north-1', 'arn:aws-cn:execute-api:cn-north-1:*:abc123/*'],
    ['us-gov-west-1', 'arn:aws-us-gov:execute-api:us-gov-west-1:*:abc123/*'],
  ])("names the ARN in %s's partition", (region, arn) => {
    const signing = signingFor({ ...auth, region });
    expect(
      signing?.refused('GET', `https://abc123.execute-api.${region}.amazonaws.com/prod/product`, 'Forbidden'),
    ).toMatch(new RegExp(`execute-api:Invoke on ${arn.replace(/[*]/g, '\\*')}$`));
  });
});
