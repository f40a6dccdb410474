/** A real HTTP server whose answers a test scripts, recording every request it receives. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Answers one request; may also destroy the socket to model an answer lost on the way back. */
export type Responder = (request: SeenRequest, response: ServerResponse, index: number) => void | Promise<void>;

export interface ScriptedServer {
  /** Base URL with a stage: http://127.0.0.1:PORT/prod */
  url: string;
  origin: string;
  requests: SeenRequest[];
  stop(): Promise<void>;
}

/** Starts a server that hands the n-th request to `responders[n]`, or to the last one past the end. */
export async function startScriptedServer(responders: Responder[] | Responder): Promise<ScriptedServer> {
  const list = Array.isArray(responders) ? responders : [responders];
  const requests: SeenRequest[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const seen: SeenRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const index = requests.push(seen) - 1;
    const responder = list[Math.min(index, list.length - 1)] as Responder;
    await responder(seen, response, index);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/prod`,
    origin,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers with a status and a JSON body (problem+json when the body has a title and status). */
export function reply(status: number, body?: unknown, headers: Record<string, string> = {}): Responder {
  return (_request, response) => {
    if (body === undefined) {
      response.writeHead(status, headers).end();
      return;
    }
    const isProblem = typeof body === 'object' && body !== null && 'title' in body && 'status' in body;
    response
      .writeHead(status, { 'content-type': isProblem ? 'application/problem+json' : 'application/json', ...headers })
      .end(JSON.stringify(body));
  };
}

/** Drops the connection without answering: the request arrived, its answer is lost. */
export const dropConnection: Responder = (_request, response) => {
  response.socket?.destroy();
};

/** Never answers. */
export const hang: Responder = () => new Promise<void>(() => undefined);
