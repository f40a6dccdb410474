// Authorization and CORS on moto's server mode, through the real SDK clients over HTTP: the methods'
// authorizationType, the OPTIONS methods' MOCK integrations and responses, the gateway responses, and a
// rerun without CORS that removes them, and one with another --auth (moto lacks UpdateMethod, so setup
// replaces the method there instead; the fake checks the UpdateMethod path).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetGatewayResponseCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApisCommand,
} from '@aws-sdk/client-api-gateway';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { setupAws } from '../../src/commands/setup/aws.js';
import { teardownAws } from '../../src/commands/teardown/aws.js';
import { HANDLER_ZIP } from '../../src/provision/session.js';
import { testContext } from '../aws/fake/harness.js';
import { motoAvailable, useEmulator, type Emulator } from './moto-server.js';

const REGION = 'us-east-1';
let emulator: Emulator;
let clients: AwsClients;
const bundle = existsSync(HANDLER_ZIP)
  ? new Uint8Array(readFileSync(HANDLER_ZIP))
  : zipSync({ 'index.mjs': new TextEncoder().encode('export const handler = async () => ({ statusCode: 200 });') });
const code = async () => bundle;

describe.runIf(motoAvailable)('authorization and CORS against moto', () => {
  useEmulator(REGION, (started, made) => {
    emulator = started;
    clients = made;
  });

  it('sets AWS_IAM on writes, answers preflights with a MOCK integration, adds CORS to gateway responses, and removes it again', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'products-cli-moto-cors-'));
    const target = { region: REGION, endpointUrl: emulator.url, stack: 'cors', verify: false };
    await setupAws({ ...target, corsOrigin: ['https://shop.example.com'] }, testContext(cwd), { readCode: code });

    const apiId = (await clients.apigateway.send(new GetRestApisCommand({}))).items?.find(
      (a) => a.name === 'cors-productApi',
    )?.id as string;
    const resources = (await clients.apigateway.send(new GetResourcesCommand({ restApiId: apiId }))).items ?? [];
    const id = (path: string) => resources.find((r) => r.path === path)?.id as string;
    const method = (path: string, httpMethod: string) =>
      clients.apigateway.send(new GetMethodCommand({ restApiId: apiId, resourceId: id(path), httpMethod }));
    expect((await method('/product', 'GET')).authorizationType).toBe('NONE');
    expect((await method('/product', 'POST')).authorizationType).toBe('AWS_IAM');
    expect((await method('/product/{id}', 'PATCH')).authorizationType).toBe('AWS_IAM');
    expect((await method('/product/{id}', 'DELETE')).authorizationType).toBe('AWS_IAM');
    const options = await method('/product/{id}', 'OPTIONS');
    expect(options.authorizationType).toBe('NONE');
    expect(options.methodIntegration?.type).toBe('MOCK');
    expect(options.methodIntegration?.integrationResponses?.['200']?.responseParameters).toMatchObject({
      'method.response.header.Access-Control-Allow-Origin': "'https://shop.example.com'",
      'method.response.header.Access-Control-Allow-Methods': "'GET, PATCH, DELETE, OPTIONS'",
    });
    expect(Object.keys(options.methodResponses?.['200']?.responseParameters ?? {})).toContain(
      'method.response.header.Access-Control-Allow-Headers',
    );
    const four = await clients.apigateway.send(
      new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX' }),
    );
    expect(four.responseParameters).toMatchObject({
      'gatewayresponse.header.Access-Control-Allow-Origin': "'https://shop.example.com'",
    });
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: 'cors-productFunction' }));
    expect(fn.Configuration?.Environment?.Variables?.CORS_ALLOWED_ORIGINS).toBe('https://shop.example.com');

    // A rerun with the same flags converges without changes; one without --cors-origin removes the preflights.
    const rerun = await setupAws({ ...target, corsOrigin: ['https://shop.example.com'] }, testContext(cwd), {
      readCode: code,
    });
    expect(rerun.steps.filter((s) => s.outcome !== 'unchanged')).toEqual([]);
    await setupAws(target, testContext(cwd), { readCode: code });
    await expect(method('/product/{id}', 'OPTIONS')).rejects.toMatchObject({ name: 'NotFoundException' });
    const after = await clients.apigateway
      .send(new GetGatewayResponseCommand({ restApiId: apiId, responseType: 'DEFAULT_4XX' }))
      .catch((error: Error) => error);
    // Reset to the default: moto then answers NotFound, AWS the default response without our headers.
    if (after instanceof Error) expect(after.name).toBe('NotFoundException');
    else expect(after.responseParameters?.['gatewayresponse.header.Access-Control-Allow-Origin']).toBeUndefined();

    await setupAws({ ...target, auth: 'none' }, testContext(cwd), { readCode: code });
    expect((await method('/product', 'POST')).authorizationType).toBe('NONE');
    expect((await method('/product', 'POST')).methodIntegration?.type).toBe('AWS_PROXY');

    await teardownAws({ ...target, yes: true }, testContext(cwd), {});
  });
});
