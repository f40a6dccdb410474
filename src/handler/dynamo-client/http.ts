/** One HTTP exchange over a keep-alive connection, bounded by a connection timeout and a whole-request timeout. */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Agent as HttpsAgent, request as httpsRequestFn } from 'node:https';

export interface HttpTimeouts {
  /** From the start of the attempt until the connection is open. */
  connectMs: number;
  /** From the start of the attempt until the whole answer has arrived. */
  requestMs: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpAgents {
  http: HttpAgent;
  /** Loaded on the first https call: TLS costs the cold start of a function that never uses it. */
  https?: { agent: HttpsAgent; request: typeof httpsRequestFn };
}

// The SDK's defaults: keep-alive, up to 50 sockets per host.
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 50 };

export function createAgents(): HttpAgents {
  return { http: new HttpAgent(AGENT_OPTIONS) };
}

/** Makes `agents.https` ready for a call to an https endpoint. */
export async function loadHttps(agents: HttpAgents): Promise<void> {
  if (agents.https) return;
  const https = await import('node:https');
  agents.https ??= { agent: new https.Agent(AGENT_OPTIONS), request: https.request };
}

/** A timeout as the SDK names it, so that its retry strategy treats it as transient. */
function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

/** POSTs `body` to `url` with `headers`; rejects on a network error or a timeout, resolves with any status. */
export function postOnce(
  agents: HttpAgents,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeouts: HttpTimeouts,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    if (secure && !agents.https) throw new Error('loadHttps() must run before an https call');
    const send = secure ? (agents.https as NonNullable<HttpAgents['https']>).request : httpRequest;
    const req = send({
      agent: secure ? agents.https?.agent : agents.http,
      hostname: url.hostname,
      port: url.port || undefined,
      path: url.pathname,
      method: 'POST',
      headers,
    });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(requestTimer);
      clearTimeout(connectTimer);
      req.destroy();
      reject(error);
    };
    const requestTimer = setTimeout(
      () => fail(timeoutError(`DynamoDB did not answer within ${timeouts.requestMs} ms`)),
      timeouts.requestMs,
    );
    let connectTimer: NodeJS.Timeout | undefined;
    req.on('socket', (socket) => {
      // A reused keep-alive socket is already connected; a new one must connect in time.
      if (!(socket as { connecting?: boolean }).connecting) return;
      connectTimer = setTimeout(
        () => fail(timeoutError(`no connection to DynamoDB within ${timeouts.connectMs} ms`)),
        timeouts.connectMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('the connection to DynamoDB closed mid-answer')));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(requestTimer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}
