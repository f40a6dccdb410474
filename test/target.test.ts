import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { writeState, type State } from '../src/state/state-file.js';
import { normalizeApiUrl, resolveTarget } from '../src/target.js';

let cwd: string;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'products-target-'));
});

afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const local = {
  url: 'http://127.0.0.1:3000/prod',
  port: 3000,
  stage: 'prod',
  pid: 1,
  dynamodbEndpoint: 'http://127.0.0.1:8000',
  startedAt: '2026-01-01T00:00:00Z',
};
const aws = {
  url: 'https://abc.execute-api.us-east-1.amazonaws.com/prod',
  region: 'us-east-1',
  stage: 'prod',
  resources: {},
  apiKey: 'k-1',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('resolveTarget', () => {
  it('prefers --url over PRODUCTS_API_URL over the state file', async () => {
    await writeState(cwd, { version: 1, current: 'local', local });
    const env = { PRODUCTS_API_URL: 'http://env.example/stage' };

    expect(await resolveTarget({ url: 'http://flag.example/prod/', env, cwd })).toEqual({
      url: 'http://flag.example/prod',
      source: 'flag',
    });
    expect(await resolveTarget({ env, cwd })).toEqual({ url: 'http://env.example/stage', source: 'env' });
    expect(await resolveTarget({ env: {}, cwd })).toEqual({ url: local.url, source: 'state:local', recorded: 'local' });
  });

  it('says which recorded stack a given URL is', async () => {
    await writeState(cwd, { version: 1, current: 'local', local, aws });

    expect((await resolveTarget({ url: `${aws.url}/`, env: {}, cwd })).recorded).toBe('aws');
    expect((await resolveTarget({ url: local.url, env: {}, cwd })).recorded).toBe('local');
    expect((await resolveTarget({ url: 'http://elsewhere.example/prod', env: {}, cwd })).recorded).toBeUndefined();
  });

  it.each<[string, State, string, string | undefined]>([
    ['current aws', { version: 1, current: 'aws', local, aws }, aws.url, 'k-1'],
    ['current local', { version: 1, current: 'local', local, aws }, local.url, undefined],
    ['no current, only aws', { version: 1, aws }, aws.url, 'k-1'],
  ])('follows the state file (%s), with the AWS API key', async (_name, state, url, apiKey) => {
    await writeState(cwd, state);

    const target = await resolveTarget({ env: {}, cwd });

    expect(target.url).toBe(url);
    expect(target.apiKey).toBe(apiKey);
  });

  it('takes the API key from PRODUCTS_API_KEY', async () => {
    const target = await resolveTarget({ url: 'http://x.example/prod', env: { PRODUCTS_API_KEY: 'from-env' }, cwd });

    expect(target.apiKey).toBe('from-env');
  });

  it('says what to do when there is no target', async () => {
    const error = await resolveTarget({ env: {}, cwd }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('no API target: run `products-cli setup --local` or pass --url');
  });
});

describe('normalizeApiUrl', () => {
  it.each([
    ['not a url', 'is not a URL'],
    ['ftp://host/prod', 'must be an http or https URL'],
    ['http://host/prod?x=1', 'must not have a query'],
    ['http://user:pw@host/prod', 'must not carry credentials'],
  ])('rejects %s', (raw, message) => {
    expect(() => normalizeApiUrl(raw, '--url')).toThrow(message);
  });

  it('drops trailing slashes', () => {
    expect(normalizeApiUrl('https://h.example/prod//', '--url')).toBe('https://h.example/prod');
  });
});
