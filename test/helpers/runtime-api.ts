/**
 * A minimal Lambda Runtime API (version 2018-06-01) on a loopback port, for running a function under a real
 * runtime interface client: `invoke(event)` queues an invocation for the next `GET .../invocation/next` and
 * resolves with what the runtime posts back to `.../response` or `.../error`; `initError` resolves when it posts
 * to `/runtime/init/error`. https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Outcome =
  | { kind: 'response'; body: unknown }
  | { kind: 'error'; errorType: string | undefined; body: unknown };

export interface InitError {
  errorType: string | undefined;
  body: { errorType?: string; errorMessage?: string };
}

export interface RuntimeApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  invoke(event: unknown, requestId?: string): Promise<Outcome>;
  initError: Promise<InitError>;
  stop(): Promise<void>;
}

interface Invocation {
  requestId: string;
  event: unknown;
  settle(outcome: Outcome): void;
}

const PREFIX = '/2018-06-01/runtime';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:productFunction';

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text === '' ? undefined : JSON.parse(text);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts the API; the runtime polls it for work and posts results as Lambda's own endpoint expects. */
export async function startRuntimeApi(): Promise<RuntimeApi> {
  const queued: Invocation[] = [];
  const waiting: ServerResponse[] = [];
  const inFlight = new Map<string, Invocation>();
  let reportInitError!: (error: InitError) => void;
  const initError = new Promise<InitError>((resolve) => (reportInitError = resolve));

  const hand = (res: ServerResponse, invocation: Invocation) => {
    inFlight.set(invocation.requestId, invocation);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': invocation.requestId,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30_000),
      'Lambda-Runtime-Invoked-Function-Arn': FUNCTION_ARN,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Parent=0000000000000000;Sampled=0`,
    });
    res.end(JSON.stringify(invocation.event));
  };

  const server = createServer(async (req, res) => {
    const path = req.url ?? '';
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      // Long poll: answered when there is an invocation, however long that takes.
      const next = queued.shift();
      if (next) hand(res, next);
      else waiting.push(res);
      return;
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      reportInitError({
        errorType: req.headers['lambda-runtime-function-error-type'] as string | undefined,
        body: (await readJson(req)) as InitError['body'],
      });
      return reply(res, 202, { status: 'OK' });
    }
    const posted =
      req.method === 'POST' ? new RegExp(`^${PREFIX}/invocation/([^/]+)/(response|error)$`).exec(path) : null;
    if (posted) {
      const invocation = inFlight.get(decodeURIComponent(posted[1]!));
      if (!invocation)
        return reply(res, 400, { errorType: 'InvalidRequestID', errorMessage: `no invocation ${posted[1]} in flight` });
      inFlight.delete(invocation.requestId);
      const body = await readJson(req);
      invocation.settle(
        posted[2] === 'response'
          ? { kind: 'response', body }
          : { kind: 'error', errorType: req.headers['lambda-runtime-function-error-type'] as string | undefined, body },
      );
      return reply(res, 202, { status: 'OK' });
    }
    reply(res, 404, { errorType: 'NotFound', errorMessage: `${req.method} ${path}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    initError,
    invoke(event, requestId = randomUUID()) {
      return new Promise<Outcome>((settle) => {
        const invocation = { requestId, event, settle };
        const res = waiting.shift();
        if (res) hand(res, invocation);
        else queued.push(invocation);
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
