/**
 * A proxy in front of a DynamoDB engine that loses answers the way a network or a failing front end does: the
 * chosen requests reach the engine and are applied, then the client gets a 500 InternalServerError (or no
 * answer before its timeout) instead of the engine's answer.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LossyDynamo {
  url: URL;
  /** Loses the answers of the next `count` requests for `operation` (UpdateItem, say): `500` or `stall` (ms). */
  lose(operation: string, count: number, how?: { stallMs: number } | 500): void;
  /** The operations the engine received, in order. */
  received: string[];
  stop(): Promise<void>;
}

export async function startLossyDynamo(engineEndpoint: string): Promise<LossyDynamo> {
  const engine = new URL(engineEndpoint);
  const losses: { operation: string; how: { stallMs: number } | 500 }[] = [];
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      received.push(operation);
      const loss = losses.findIndex((entry) => entry.operation === operation);
      const how = loss === -1 ? undefined : losses.splice(loss, 1)[0]?.how;
      const forward = request(
        { host: engine.hostname, port: engine.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            if (how === 500) {
              res
                .writeHead(500, { 'content-type': 'application/x-amz-json-1.0' })
                .end(
                  '{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}',
                );
            } else if (how) {
              setTimeout(() => res.destroy(), how.stallMs).unref();
            } else {
              res.writeHead(answer.statusCode ?? 500, answer.headers).end(Buffer.concat(body));
            }
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    lose(operation, count, how = 500) {
      for (let index = 0; index < count; index++) losses.push({ operation, how });
    },
    received,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
