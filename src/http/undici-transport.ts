/** The default transport: an undici connection pool per origin, for clients that send many requests. */
import type { Dispatcher } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';
import { loadUndici } from './undici.js';

export interface UndiciTransportOptions {
  connections: number;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Use this dispatcher instead of a pool of the transport's own (it is then not closed). */
  dispatcher?: Dispatcher;
}

/** A transport over an undici Pool to `origin`, created on first use. */
export function undiciTransport(origin: string, options: UndiciTransportOptions): Transport {
  let pool: Dispatcher | undefined;
  const dispatcher = (): Dispatcher => {
    if (options.dispatcher) return options.dispatcher;
    if (!pool) {
      const { Pool } = loadUndici();
      pool = new Pool(origin, {
        connections: options.connections,
        connectTimeout: options.connectTimeoutMs,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        keepAliveTimeout: 4_000,
      });
    }
    return pool;
  };
  return {
    async send(request: TransportRequest): Promise<TransportResponse> {
      const answer = await loadUndici().request.call(dispatcher(), {
        method: request.method as Dispatcher.HttpMethod,
        path: request.path,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
    },
    async close() {
      const open = pool;
      pool = undefined;
      await open?.close();
    },
  };
}
