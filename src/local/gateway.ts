/** The local API Gateway: a real HTTP server that routes, throttles and invokes the function as a REST API stage does. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server, type AddressInfo, type Socket } from 'node:net';
import { matchResource, ROUTES, type RouteDefinition } from '../contract/routes.js';
import { AUTH_HEADER, HEALTH_PATH } from './health.js';
import { createAccess, type AccessOptions } from './gateway-access.js';
import type { InvokeOutcome } from './lambda-runtime.js';
import { dataMap, rawPathParameters, toProxyEvent } from './proxy-event.js';
import { gatewayResponse, MAX_REQUEST_BYTES, toHttpResponse, type HttpResponse } from './proxy-result.js';
import { readBody } from './read-body.js';
import { TokenBucket, type ThrottleLimits } from './token-bucket.js';

export { HEALTH_PATH };

/** How long a body may take to arrive: far below Node's 300 s, so a trickling client cannot hold a connection. */
export const DEFAULT_BODY_TIMEOUT_MS = 20_000;

/** How long stopping waits for requests in flight before it closes their connections. */
export const DEFAULT_DRAIN_MS = 10_000;

export interface GatewayOptions {
  port: number;
  host: string;
  stage: string;
  invoke: (event: unknown, requestId: string) => Promise<InvokeOutcome>;
  /** Past this the gateway answers 504; the invocation itself runs on, as on AWS. */
  integrationTimeoutMs: number;
  throttle: ThrottleLimits | null;
  routes?: readonly RouteDefinition[];
  /** Answers HEALTH_PATH (query without `?`, the client's proof header), so a caller can check whose stack this is. */
  health: (query: string, auth: string | undefined) => Promise<HttpResponse>;
  /** Answers a POST to HEALTH_PATH: the CLI's control of the function's versions, with the client's proof. */
  control?: (query: string, auth: string | undefined, body: Buffer) => Promise<HttpResponse>;
  /** Default DEFAULT_BODY_TIMEOUT_MS: past it a body still arriving is answered 408 and its connection closed. */
  bodyTimeoutMs?: number;
  /** One JSON line per request the gateway answered itself (the function logs the requests it answers). */
  log?: (line: string) => void;
  /** Authorization and CORS as the deployed stack has them; absent = an open API without CORS. */
  access?: AccessOptions;
  /** Told of each answer: its status, the whole latency and the part spent invoking the function (as API Gateway's Latency and IntegrationLatency). */
  onAnswered?: (status: number, latencyMs: number, integrationMs: number | undefined) => void;
}

export interface GatewayStats {
  /** Requests received and not yet answered. */
  inFlight: number;
  requests: number;
  statuses: Record<string, number>;
}

export interface Gateway {
  port: number;
  stats(): GatewayStats;
  /** Refuses new connections, answers the requests in flight (waiting at most `drainMs`), then closes. */
  stop(drainMs?: number): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} on ${host} is already in use; choose another with --port`, options);
    this.name = 'PortInUseError';
  }
}

function send(res: ServerResponse, response: HttpResponse, requestId: string): void {
  // Names come from the function: a map without a prototype keeps `constructor` or `__proto__` as headers.
  const headers = dataMap<string | string[]>();
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
async function invokeWithin(
  options: GatewayOptions,
  event: unknown,
  requestId: string,
): Promise<InvokeOutcome | { kind: 'integrationTimeout' }> {
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

/** The HTTP answer for an invocation's outcome, and whether the function itself answered (and so logged it). */
function fromOutcome(outcome: InvokeOutcome | { kind: 'integrationTimeout' }): {
  response: HttpResponse;
  byFunction: boolean;
} {
  if (outcome.kind === 'integrationTimeout') return { response: gatewayResponse('endpointTimeout'), byFunction: false };
  // A function that runs past its own timeout fails its invocation, which API Gateway answers with 502.
  if (outcome.kind === 'timeout' || outcome.kind === 'error')
    return { response: gatewayResponse('internalServerError'), byFunction: false };
  const checked = toHttpResponse(outcome.payload);
  return checked.ok
    ? { response: checked.response, byFunction: true }
    : { response: gatewayResponse('internalServerError'), byFunction: false };
}

/** How long a connection refused mid-body keeps draining, so the client reads its answer instead of a reset. */
const LINGER_MS = 2_000;

/**
 * Answers, then closes the connection without reading the rest of the body into memory: the socket is
 * half-closed and what still arrives is discarded for a moment, since closing with unread data would make
 * the kernel send a reset that can destroy the answer before the client reads it.
 */
function closeAfter(req: IncomingMessage, res: ServerResponse): void {
  res.shouldKeepAlive = false;
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    req.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

interface Handled {
  response: HttpResponse;
  /** The path after the stage (or the whole path), for the log line. */
  path: string;
  /** The function answered, and logged the request itself. */
  byFunction: boolean;
  /** The OPTIONS method's MOCK integration answered (a preflight): not a gateway response. */
  preflight?: true;
  /** How long the integration took, when the function was invoked. */
  integrationMs?: number;
}

/** The throttled requests after the first are counted over this long, then logged as one line. */
const THROTTLED_LOG_WINDOW_MS = 1000;

/** Starts the gateway on host:port (0 = any free port). */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const bucket = options.throttle ? new TokenBucket(options.throttle) : undefined;
  const routes = options.routes ?? ROUTES;
  const access = options.access ? createAccess(options.access) : undefined;
  const stagePrefix = `/${options.stage}`;
  const stats = { requests: 0, statuses: {} as Record<string, number> };
  let inFlight = 0;
  let port = options.port;

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<Handled | undefined> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const path = pathname.startsWith(`${stagePrefix}/`) ? pathname.slice(stagePrefix.length) : undefined;
    const read = await readBody(req, {
      maxBytes: MAX_REQUEST_BYTES,
      timeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    });
    if (read.kind === 'aborted') return undefined;
    if (read.kind !== 'body') {
      closeAfter(req, res);
      const response = gatewayResponse(read.kind === 'tooLarge' ? 'payloadTooLarge' : 'requestTimeout');
      return { response, path: path ?? pathname, byFunction: false };
    }
    if (pathname === HEALTH_PATH && req.method === 'GET') {
      send(res, await options.health(query, req.headers[AUTH_HEADER] as string | undefined), requestId);
      return undefined;
    }
    if (pathname === HEALTH_PATH && req.method === 'POST' && options.control) {
      send(res, await options.control(query, req.headers[AUTH_HEADER] as string | undefined, read.body), requestId);
      return undefined;
    }
    const match = path === undefined ? undefined : matchResource(path, routes);
    if (!match || !(access ? access.methods(match.methods) : match.methods).includes(req.method as never)) {
      // API Gateway answers an unknown resource or method so, not with 404 or 405.
      return { response: gatewayResponse('missingAuthenticationToken'), path: path ?? pathname, byFunction: false };
    }
    const refused = access && (await access.authorize(req, pathname, query, read.body));
    if (refused) return { response: refused, path: path as string, byFunction: false };
    if (bucket && !bucket.take())
      return { response: gatewayResponse('tooManyRequests'), path: path as string, byFunction: false };
    if (access && req.method === 'OPTIONS')
      return {
        response: access.preflight(req, match.resource),
        path: path as string,
        byFunction: false,
        preflight: true,
      };
    const event = toProxyEvent(
      {
        method: req.method as string,
        path: path as string,
        query,
        rawHeaders: req.rawHeaders,
        body: read.body,
        stage: options.stage,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        requestId,
        requestTimeEpoch: Date.now(),
        protocol: `HTTP/${req.httpVersion}`,
        localPort: port,
      },
      { resource: match.resource, pathParameters: rawPathParameters(match.resource, path as string) },
    );
    const invoked = performance.now();
    const outcome = await invokeWithin(options, event, requestId);
    return { ...fromOutcome(outcome), path: path as string, integrationMs: performance.now() - invoked };
  }

  const logRequest = (req: IncomingMessage, requestId: string, path: string, status: number, started: number) => {
    options.log?.(
      JSON.stringify({
        timestamp: new Date().toISOString(),
        level: status >= 500 ? 'ERROR' : 'INFO',
        message: 'request',
        source: 'gateway',
        requestId,
        method: req.method,
        path,
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      }),
    );
  };

  // A bench past the throttle answers thousands of 429s a second: the first of each second is logged as a
  // request, the rest as one line that counts them, so that the log stays readable and small.
  let throttled: { count: number; timer: NodeJS.Timeout } | undefined;
  const flushThrottled = () => {
    if (!throttled) return;
    clearTimeout(throttled.timer);
    const { count } = throttled;
    throttled = undefined;
    if (count > 0) {
      options.log?.(
        JSON.stringify({
          timestamp: new Date().toISOString(),
          level: 'INFO',
          message: `throttled ${count} more ${count === 1 ? 'request' : 'requests'} (429) after the one logged before`,
          source: 'gateway',
          status: 429,
          count,
        }),
      );
    }
  };
  const logThrottled = (req: IncomingMessage, requestId: string, path: string, started: number) => {
    if (throttled) {
      throttled.count += 1;
      return;
    }
    logRequest(req, requestId, path, 429, started);
    throttled = { count: 0, timer: setTimeout(flushThrottled, THROTTLED_LOG_WINDOW_MS).unref() };
  };

  // Each connection and what it is doing, so that stopping can tell a connection whose request is on its way
  // (answered, then closed) from one idle between requests (closed at once). Node's own server.close() also
  // destroys connections that have not yet sent their first request, whose requests would then be lost.
  const connections = new Map<Socket, { active: number; served: number }>();
  let draining = false;
  let drained: (() => void) | undefined;
  const server = createServer((req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    const connection = connections.get(req.socket);
    if (connection) connection.active += 1;
    inFlight += 1;
    // While stopping, each answer also closes its connection.
    if (draining) res.shouldKeepAlive = false;
    res.on('close', () => {
      inFlight -= 1;
      if (!connection) return;
      connection.active -= 1;
      connection.served += 1;
    });
    handle(req, res, requestId).then(
      (handled) => {
        if (!handled) return;
        // API Gateway's own answers carry the CORS headers of its gateway responses; the function sets its own.
        if (access && !handled.byFunction && !handled.preflight)
          handled.response = access.decorate(req, handled.response);
        send(res, handled.response, requestId);
        stats.requests += 1;
        const status = String(handled.response.statusCode);
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        options.onAnswered?.(handled.response.statusCode, performance.now() - started, handled.integrationMs);
        if (handled.byFunction) return;
        if (handled.response.statusCode === 429) logThrottled(req, requestId, handled.path, started);
        else logRequest(req, requestId, handled.path, handled.response.statusCode, started);
      },
      (error: Error) => {
        options.log?.(
          JSON.stringify({
            timestamp: new Date().toISOString(),
            level: 'ERROR',
            message: `gateway failure: ${error.message}`,
            requestId,
          }),
        );
        if (!res.headersSent) send(res, gatewayResponse('internalServerError'), requestId);
        else res.destroy();
      },
    );
  });
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, served: 0 });
    socket.once('close', () => {
      connections.delete(socket);
      if (draining && connections.size === 0) drained?.();
    });
  });
  // Keep-alive connections from load generators and SDKs outlive Node's 5-second default on AWS too.
  server.keepAliveTimeout = 65_000;
  // A backstop behind readBody's own deadline, for a request whose handler never reads its body.
  server.requestTimeout = (options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS) + 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port, options.host, { cause: error }) : error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  const stop = async (drainMs: number) => {
    draining = true;
    // One turn of the event loop first, so that connections the kernel already accepted are taken rather than reset.
    await new Promise((resolve) => setImmediate(resolve));
    // Stops listening without http.Server's closing of idle connections (see above).
    const closed = new Promise<void>((resolve) => Server.prototype.close.call(server, () => resolve()));
    for (const [socket, connection] of connections) {
      if (connection.active === 0 && connection.served > 0) socket.destroy();
      else if (socket.writable && connection.active > 0) {
        const current = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
        if (current && !current.headersSent) current.shouldKeepAlive = false;
      }
    }
    if (connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        drained = resolve;
        timer = setTimeout(resolve, drainMs);
      });
      clearTimeout(timer);
    }
    server.closeAllConnections();
    for (const socket of connections.keys()) socket.destroy();
    await closed;
    flushThrottled();
  };
  return {
    port,
    stats: () => ({ inFlight, requests: stats.requests, statuses: { ...stats.statuses } }),
    stop: (drainMs = DEFAULT_DRAIN_MS) => (stopping ??= stop(drainMs)),
  };
}
