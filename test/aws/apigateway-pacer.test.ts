// The API Gateway pacer: spaces calls within the quotas, and waits as long as a 429 asks.
import {
  APIGatewayClient,
  ConflictException,
  CreateDeploymentCommand,
  CreateResourceCommand,
  DeleteRestApiCommand,
  PutMethodCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiGatewayPacer } from '../../src/aws/apigateway-pacer.js';
import { AwsError } from '../../src/errors.js';
import { VirtualClock } from './fake/virtual-clock.js';

const mock = mockClient(APIGatewayClient);
afterEach(() => mock.reset());
afterAll(() => mock.restore());

describe('ApiGatewayPacer', () => {
  it('spaces CreateDeployment calls 5 s apart and CreateResource calls at 5 per second', async () => {
    const clock = new VirtualClock();
    const times: Record<string, number[]> = { CreateDeploymentCommand: [], CreateResourceCommand: [] };
    mock.onAnyCommand().callsFake(() => ({}));
    mock.on(CreateDeploymentCommand).callsFake(() => times.CreateDeploymentCommand?.push(clock.now()) && {});
    mock.on(CreateResourceCommand).callsFake(() => times.CreateResourceCommand?.push(clock.now()) && {});
    const pacer = new ApiGatewayPacer(new APIGatewayClient({}), { clock });
    await Promise.all([1, 2, 3].map(() => pacer.send(new CreateDeploymentCommand({ restApiId: 'a' }))));
    expect(times.CreateDeploymentCommand).toEqual([0, 5_000, 10_000]);
    await Promise.all(
      Array.from({ length: 7 }, () =>
        pacer.send(new CreateResourceCommand({ restApiId: 'a', parentId: 'p', pathPart: 'x' })),
      ),
    );
    const resources = times.CreateResourceCommand ?? [];
    expect(resources).toHaveLength(7);
    // Never more than five in any one-second window.
    for (let i = 5; i < resources.length; i += 1)
      expect((resources[i] as number) - (resources[i - 5] as number)).toBeGreaterThanOrEqual(1_000);
  });

  it('retries a throttled DeleteRestApi after retryAfterSeconds and tells the user', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    mock
      .on(DeleteRestApiCommand)
      .callsFakeOnce(() => {
        seen.push(clock.now());
        throw new TooManyRequestsException({
          message: 'Too Many Requests',
          retryAfterSeconds: '30',
          $metadata: { httpStatusCode: 429 },
        });
      })
      .callsFake(() => {
        seen.push(clock.now());
        return {};
      });
    const notes: string[] = [];
    const pacer = new ApiGatewayPacer(new APIGatewayClient({}), {
      clock,
      onThrottle: (op, ms) => notes.push(`${op} ${ms}`),
    });
    await pacer.send(new DeleteRestApiCommand({ restApiId: 'a' }));
    expect(seen).toEqual([0, 30_250]);
    expect(notes).toEqual(['DeleteRestApi 30250']);
  });

  it('gives up with a clear message when throttling outlasts its bound', async () => {
    const clock = new VirtualClock();
    mock.on(DeleteRestApiCommand).rejects(
      new TooManyRequestsException({
        message: 'Too Many Requests',
        retryAfterSeconds: '30',
        $metadata: { httpStatusCode: 429 },
      }),
    );
    const pacer = new ApiGatewayPacer(new APIGatewayClient({}), { clock, maxThrottleWaitMs: 100_000 });
    const error = await pacer.send(new DeleteRestApiCommand({ restApiId: 'a' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as Error).message).toBe(
      'API Gateway kept throttling DeleteRestApi for 100 s (quota per account); wait a minute and run the command again',
    );
  });
});

describe('ApiGatewayPacer and concurrent changes to one REST API', () => {
  const concurrent = () =>
    new ConflictException({
      message: 'Unable to complete operation due to concurrent modification. Please try again later.',
      $metadata: { httpStatusCode: 409 },
    });

  it('retries 409 concurrent modification with backoff and says so', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    mock
      .on(PutMethodCommand)
      .callsFakeOnce(() => {
        seen.push(clock.now());
        throw concurrent();
      })
      .callsFakeOnce(() => {
        seen.push(clock.now());
        throw concurrent();
      })
      .callsFake(() => {
        seen.push(clock.now());
        return {};
      });
    const notes: string[] = [];
    const pacer = new ApiGatewayPacer(new APIGatewayClient({}), {
      clock,
      onConflict: (op, ms) => notes.push(`${op} ${ms}`),
    });
    await pacer.send(
      new PutMethodCommand({ restApiId: 'a', resourceId: 'r', httpMethod: 'GET', authorizationType: 'NONE' }),
    );
    expect(seen).toEqual([0, 500, 1_500]);
    expect(notes).toEqual(['PutMethod 500', 'PutMethod 1000']);
  });

  it('does not retry a real conflict, which shares the exception name', async () => {
    const clock = new VirtualClock();
    mock.on(PutMethodCommand).rejects(
      new ConflictException({
        message: 'Method already exists for this resource',
        $metadata: { httpStatusCode: 409 },
      }),
    );
    const pacer = new ApiGatewayPacer(new APIGatewayClient({}), { clock });
    const error = await pacer
      .send(new PutMethodCommand({ restApiId: 'a', resourceId: 'r', httpMethod: 'GET', authorizationType: 'NONE' }))
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('Method already exists for this resource');
    expect(mock.commandCalls(PutMethodCommand)).toHaveLength(1);
  });

  it('gives up with a clear message when the API stays busy past its bound', async () => {
    const clock = new VirtualClock();
    mock.on(PutMethodCommand).rejects(concurrent());
    const pacer = new ApiGatewayPacer(new APIGatewayClient({}), { clock, maxConflictWaitMs: 20_000 });
    const error = await pacer
      .send(new PutMethodCommand({ restApiId: 'a', resourceId: 'r', httpMethod: 'GET', authorizationType: 'NONE' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as Error).message).toMatch(
      /^API Gateway kept refusing PutMethod for 20 s because another change to the same REST API was under way/,
    );
  });
});
