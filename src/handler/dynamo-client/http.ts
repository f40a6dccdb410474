/** One HTTP exchange over a keep-alive connection, bounded by a connection timeout and a whole-request timeout. */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

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

export type HttpAgents = { http: HttpAgent; https: HttpsAgent };

export function createAgents(): HttpAgents {
  // The SDK's defaults: keep-alive, up to 50 sockets per host.
  return { http: new HttpAgent({ keepAlive: true, maxSockets: 50 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 50 }) };
}

/** A timeout as the SDK names it, so that its retry strategy treats it as transient. */
function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

/** POSTs `body` to `url` with `headers`; rejects on a network error or a timeout, resolves with any status. */
export function postOnce(agents: HttpAgents, url: URL, headers: Record<string, string>, body: string, timeouts: HttpTimeouts): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const req = send({ agent: secure ? agents.https : agents.http, hostname: url.hostname, port: url.port || undefined, path: url.pathname, method: 'POST', headers });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(requestTimer);
      clearTimeout(connectTimer);
      req.destroy();
      reject(error);
    };
    const requestTimer = setTimeout(() => fail(timeoutError(`DynamoDB did not answer within ${timeouts.requestMs} ms`)), timeouts.requestMs);
    let connectTimer: NodeJS.Timeout | undefined;
    req.on('socket', (socket) => {
      // A reused keep-alive socket is already connected; a new one must connect in time.
      if (!(socket as { connecting?: boolean }).connecting) return;
      connectTimer = setTimeout(() => fail(timeoutError(`no connection to DynamoDB within ${timeouts.connectMs} ms`)), timeouts.connectMs);
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
