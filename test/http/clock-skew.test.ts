// A machine whose clock is off: the execute-api signature is refused as expired, and the client signs again on
// the server's time, as the AWS SDK does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductApi } from '../../src/http/api-client.js';
import { signingFor } from '../../src/http/request-auth.js';

const AHEAD_MS = 60 * 60_000;
const dates: string[] = [];
let server: Server;
let url: string;

/** X-Amz-Date (20260101T000000Z) as milliseconds. */
function amzDate(text: string): number {
  return Date.parse(text.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
}

beforeAll(async () => {
  // API Gateway's answer to a signature more than 5 minutes off its own clock, with its Date header.
  server = createServer((req, res) => {
    const now = Date.now() + AHEAD_MS;
    const stamp = String(req.headers['x-amz-date'] ?? '');
    dates.push(stamp);
    res.setHeader('date', new Date(now).toUTCString());
    res.setHeader('content-type', 'application/json');
    if (Math.abs(amzDate(stamp) - now) > 5 * 60_000) {
      res.writeHead(403).end(
        JSON.stringify({
          message: `Signature expired: ${stamp} is now earlier than ${new Date(now - 5 * 60_000).toISOString()}`,
        }),
      );
      return;
    }
    res.writeHead(201).end(JSON.stringify({ id: 'p1', title: 'IPhone', price: 900, version: 1 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('clock skew', () => {
  it('reads the Date of a "Signature expired" answer and signs again once, with the offset', async () => {
    const signing = signingFor({
      mode: 'iam',
      privateReads: false,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIASKEWTEST', secretAccessKey: 'skew-secret' },
    });
    const api = new ProductApi({ baseUrl: url, retries: 0, ...(signing ? { signing } : {}) });
    const created = await api.create({ id: 'p1', title: 'IPhone', price: 900 });
    expect(created).toMatchObject({ id: 'p1' });
    expect(dates).toHaveLength(2);
    expect(amzDate(dates[1] as string) - amzDate(dates[0] as string)).toBeGreaterThan(AHEAD_MS - 60_000);
    await api.close();
  });
});
