import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';

function post(
  url: string,
  body: Buffer,
  contentType: string,
): Promise<{ status: number; type: string | undefined; json: { detail?: string; title?: string; status?: number } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': body.length }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'],
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// The bundled handler behind the gateway: the rule is the handler's, so the API on AWS answers the same.
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, throttle: null });
});
afterAll(async () => {
  await stack?.stop();
});

describe('JSON bodies that are not UTF-8', () => {
  it('refuses invalid UTF-8 with a 400 problem, and stores nothing', async () => {
    const body = Buffer.concat([
      Buffer.from('{"id":"bad-utf8","title":"caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('","price":1}'),
    ]);

    const reply = await post(`${stack.url}/product`, body, 'application/json');
    const stored = await fetch(`${stack.url}/product/bad-utf8`);

    expect(reply.status).toBe(400);
    expect(reply.type).toBe('application/problem+json');
    expect(reply.json.detail).toMatch(/UTF-8/);
    expect(stored.status).toBe(404);
  });

  it.each(['utf-16', 'iso-8859-1', '"UTF-16LE"'])('answers 415 for charset=%s', async (charset) => {
    const reply = await post(
      `${stack.url}/product`,
      Buffer.from('{"title":"IPhone","price":1}', 'utf8'),
      `application/json; charset=${charset}`,
    );

    expect(reply.status).toBe(415);
    expect(reply.json.detail).toMatch(/charset/);
  });

  it.each(['utf-8', 'UTF-8', '"utf-8"'])('accepts charset=%s', async (charset) => {
    const reply = await post(
      `${stack.url}/product`,
      Buffer.from('{"title":"Café","price":1}', 'utf8'),
      `application/json; charset=${charset}`,
    );

    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ title: 'Café' });
  });
});
