/** The local API Gateway: a real HTTP server that routes, throttles and invokes the function as a REST API stage does. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchResource, ROUTES, type RouteDefinition } from '../contract/routes.js';
import type { InvokeOutcome } from './lambda-runtime.js';
import { rawPathParameters, toProxyEvent } from './proxy-event.js';
import { gatewayResponse, MAX_REQUEST_BYTES, toHttpResponse, type HttpResponse } from './proxy-result.js';
import { TokenBucket, type ThrottleLimits } from './token-bucket.js';

/** Where the stack answers who it is; a dot cannot start a stage name, so it never shadows the API. */
export const HEALTH_PATH = '/.products-cli/health';

export interface GatewayOptions {
  port: number;
  host: string;
  stage: string;
  invoke: (event: unknown, requestId: string) => Promise<InvokeOutcome>;
  /** Past this the gateway answers 504; the invocation itself runs on, as on AWS. */
  integrationTimeoutMs: number;
  throttle: ThrottleLimits | null;
  routes?: readonly RouteDefinition[];
  /** Served as JSON at HEALTH_PATH, so a caller can check that the stack on a port is the one it started. */
  identity: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface Gateway {
  port: number;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number, readonly host: string, options?: { cause?: unknown }) {
    super(`port ${port} on ${host} is already in use; choose another with --port`, options);
    this.name = 'PortInUseError';
  }
}

/** Reads a body up to `limit` bytes; past it, drains the rest and returns undefined. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that goes away mid-body: nothing is invoked for it.
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before sending the whole request'));
    });
  });
}

function send(res: ServerResponse, response: HttpResponse, requestId: string): void {
  const headers: Record<string, string | string[]> = {};
  const names = new Map<string, string>();
  for (const [name, value] of response.headers) {
    const lower = name.toLowerCase();
    // Content-Length is the gateway's to set, from the body it actually sends.
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    const key = names.get(lower) ?? name;
    names.set(lower, key);
    const existing = headers[key];
    headers[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  headers['x-amzn-RequestId'] = requestId;
  headers['x-amz-apigw-id'] = requestId.replace(/-/g, '').slice(0, 16);
  headers['Content-Length'] = String(response.body.length);
  res.writeHead(response.statusCode, headers);
  res.end(response.body);
}

/** Invokes the function, or gives up waiting after the integration timeout. */
async function invokeWithin(options: GatewayOptions, event: unknown, requestId: string): Promise<InvokeOutcome | { kind: 'integrationTimeout' }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ kind: 'integrationTimeout' }>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'integrationTimeout' }), options.integrationTimeoutMs);
  });
  try {
    return await Promise.race([options.invoke(event, requestId), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function fromOutcome(outcome: InvokeOutcome | { kind: 'integrationTimeout' }): HttpResponse {
  if (outcome.kind === 'integrationTimeout') return gatewayResponse('endpointTimeout');
  // A function that runs past its own timeout fails its invocation, which API Gateway answers with 502.
  if (outcome.kind === 'timeout' || outcome.kind === 'error') return gatewayResponse('internalServerError');
  const checked = toHttpResponse(outcome.payload);
  return checked.ok ? checked.response : gatewayResponse('internalServerError');
}

/** Starts the gateway on host:port (0 = any free port). */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const bucket = options.throttle ? new TokenBucket(options.throttle) : undefined;
  const routes = options.routes ?? ROUTES;
  const stagePrefix = `/${options.stage}`;
  let port = options.port;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<HttpResponse | undefined> {
    const requestId = randomUUID();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    const body = await readBody(req, MAX_REQUEST_BYTES);

    if (pathname === HEALTH_PATH && req.method === 'GET') {
      send(res, { statusCode: 200, headers: [['Content-Type', 'application/json']], body: Buffer.from(JSON.stringify(options.identity)) }, requestId);
      return undefined;
    }
    let response: HttpResponse;
    const path = pathname.startsWith(`${stagePrefix}/`) ? pathname.slice(stagePrefix.length) : undefined;
    const match = path === undefined ? undefined : matchResource(path, routes);
    if (body === undefined) {
      response = gatewayResponse('payloadTooLarge');
    } else if (!match || !match.methods.includes(req.method as never)) {
      // API Gateway answers an unknown resource or method so, not with 404 or 405.
      response = gatewayResponse('missingAuthenticationToken');
    } else if (bucket && !bucket.take()) {
      response = gatewayResponse('tooManyRequests');
    } else {
      const event = toProxyEvent(
        {
          method: req.method as string,
          path: path as string,
          query: queryAt === -1 ? '' : url.slice(queryAt + 1),
          rawHeaders: req.rawHeaders,
          body,
          stage: options.stage,
          sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          requestId,
          requestTimeEpoch: Date.now(),
          protocol: `HTTP/${req.httpVersion}`,
          localPort: port,
        },
        { resource: match.resource, pathParameters: rawPathParameters(match.resource, path as string) },
      );
      response = fromOutcome(await invokeWithin(options, event, requestId));
    }
    send(res, response, requestId);
    return response;
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    handle(req, res).then(
      (response) => {
        if (response && options.log) {
          options.log(`${req.method} ${req.url} ${response.statusCode} ${(performance.now() - started).toFixed(1)}ms`);
        }
      },
      (error: Error) => {
        options.log?.(`${req.method} ${req.url} failed: ${error.message}`);
        if (!res.headersSent) send(res, gatewayResponse('internalServerError'), randomUUID());
        else res.destroy();
      },
    );
  });
  // Keep-alive connections from load generators and SDKs outlive Node's 5-second default on AWS too.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port, options.host, { cause: error }) : error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
