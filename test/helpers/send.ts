/** One HTTP request with node:http, so that repeated headers, any Host and raw bodies go out exactly as given. */
import { request } from 'node:http';

export interface RawRequest {
  /** Default GET. */
  method?: string;
  /** Replaces the URL's path and query, sent as given (not normalised). */
  path?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

export interface RawReply {
  status: number;
  /** As node:http parsed them: lower-case names, repeated ones joined or listed. */
  headers: Record<string, string | string[] | undefined>;
  /** The bytes received. */
  body: Buffer;
  /** The body as UTF-8. */
  text: string;
}

/** Sends one request to `url` on a connection of its own and resolves with the whole answer. */
export function send(url: string, options: RawRequest = {}): Promise<RawReply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
