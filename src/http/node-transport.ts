/**
 * A transport over node:http(s) with a keep-alive agent, for one-shot commands. Node's own HTTP stack is part
 * of the runtime, while undici loads some 25 modules and compiles its WebAssembly HTTP parser on first use, and
 * V8's background optimisation of that parser then holds up the process's exit by some 50 ms. For
 * `products-cli get` that was about twice the wall time of this transport (medians of 15 interleaved runs:
 * 211 ms against 107 ms, with a plain node:http script at 62 ms).
 */
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { networkError, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

export interface NodeTransportOptions {
  connections: number;
  connectTimeoutMs: number;
}

interface HttpModule {
  Agent: new (options: { keepAlive: boolean; maxSockets: number }) => Agent;
  request: (options: RequestOptions, callback?: (response: IncomingMessage) => void) => ClientRequest;
}

/** A transport to `origin` over node:http, or node:https for an https origin (loaded only then). */
export function nodeTransport(origin: string, options: NodeTransportOptions): Transport {
  const url = new URL(origin);
  let client: { http: HttpModule; agent: Agent } | undefined;
  const open = async () => {
    if (!client) {
      const http = (url.protocol === 'https:'
        ? await import('node:https')
        : await import('node:http')) as unknown as HttpModule;
      client = { http, agent: new http.Agent({ keepAlive: true, maxSockets: options.connections }) };
    }
    return client;
  };

  return {
    async send(request: TransportRequest): Promise<TransportResponse> {
      const { http, agent } = await open();
      return new Promise<TransportResponse>((resolve, reject) => {
        let receiving = false;
        const outgoing = http.request({
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: url.port || undefined,
          method: request.method,
          path: request.path,
          headers:
            request.body === undefined
              ? request.headers
              : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          agent,
          signal: request.signal,
        });
        outgoing.on('socket', (socket) => {
          if (!socket.connecting) return;
          const timer = setTimeout(
            () =>
              outgoing.destroy(networkError('CONNECT_TIMEOUT', `no connection within ${options.connectTimeoutMs} ms`)),
            options.connectTimeoutMs,
          );
          socket.once('connect', () => clearTimeout(timer));
          socket.once('close', () => clearTimeout(timer));
        });
        // The socket's idle timeout: no bytes for this long, whether waiting for headers or inside the body.
        outgoing.setTimeout(request.timeoutMs, () => {
          const code = receiving ? 'BODY_TIMEOUT' : 'HEADERS_TIMEOUT';
          outgoing.destroy(networkError(code, `no data within ${request.timeoutMs} ms`));
        });
        outgoing.on('error', reject);
        outgoing.on('response', (response) => {
          receiving = true;
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('aborted', () => reject(networkError('ECONNRESET', 'the connection closed inside the answer')));
          response.on('end', () => {
            if (!response.complete)
              return reject(networkError('ECONNRESET', 'the connection closed inside the answer'));
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
        });
        outgoing.end(request.body);
      });
    },
    async close() {
      client?.agent.destroy();
      client = undefined;
    },
  };
}
