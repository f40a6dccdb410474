/**
 * A DynamoDB endpoint over real HTTP whose answers a test scripts: throttling, server errors, or a connection
 * that is accepted and never answered, as a stalled engine or a half-open connection behaves.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  target: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** One scripted answer: a status and a JSON body, or 'stall' to hold the request open forever. */
export type FakeAnswer = { status: number; body: unknown } | 'stall';

export interface FakeDynamo {
  url: URL;
  requests: SeenRequest[];
  stop(): Promise<void>;
}

/** `{"__type":"com.amazonaws.dynamodb.v20120810#Name","message":…}` with the status DynamoDB uses for it. */
export function dynamoError(status: number, name: string, message: string): FakeAnswer {
  return { status, body: { __type: `com.amazonaws.dynamodb.v20120810#${name}`, message } };
}

/** Serves `answers` in order (the last one repeats) and records every request it is sent. */
export async function startFakeDynamo(answers: FakeAnswer[]): Promise<FakeDynamo> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      requests.push({
        target: String(req.headers['x-amz-target'] ?? ''),
        headers: req.headers,
        body: JSON.parse(text || '{}'),
      });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)] as FakeAnswer;
      if (answer === 'stall') return;
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': `req-${requests.length}`,
      });
      res.end(JSON.stringify(answer.body));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    requests,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
