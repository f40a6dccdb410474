import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.js';
import { writeTestFunctionZip } from './test-function.js';

interface RawReply {
  status: number;
  head: string;
  body: string;
  /** Bytes of the request body written before the answer's first byte arrived. */
  sentBeforeAnswer: number;
  /** The server closed the connection. */
  closed: boolean;
}

/** Writes `head` as given, then the body chunks returned by `nextChunk` until the server answers. */
function raw(
  port: number,
  head: string,
  nextChunk?: () => Buffer | undefined,
  options: { waitCloseMs?: number } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let sent = 0;
    let sentBeforeAnswer = -1;
    let closed = false;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      socket.destroy();
      resolve({
        status: Number(text.slice(9, 12)),
        head: text.slice(0, end),
        body: text.slice(end + 4),
        sentBeforeAnswer,
        closed,
      });
    };
    socket.on('error', (error: NodeJS.ErrnoException) => (received.length > 0 ? finish() : reject(error)));
    socket.on('data', (chunk: Buffer) => {
      if (sentBeforeAnswer === -1) sentBeforeAnswer = sent;
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (end !== -1 && length !== undefined && received.length >= end + 4 + Number(length)) {
        // The whole answer is in; see whether the server closes the connection.
        setTimeout(finish, options.waitCloseMs ?? 3000);
      }
    });
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.write(head);
    const pump = () => {
      while (nextChunk && sentBeforeAnswer === -1 && !socket.destroyed) {
        const chunk = nextChunk();
        if (!chunk) return;
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

let zip: string;
let stack: LocalStack;
const logs: string[] = [];
beforeAll(async () => {
  zip = await writeTestFunctionZip();
  stack = await startLocalStack({
    port: 0,
    handlerZip: zip,
    throttle: null,
    bodyTimeoutMs: 800,
    log: (line) => logs.push(line),
  });
});
afterAll(async () => {
  await stack?.stop();
});

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];

describe('names a client chooses are data', () => {
  it.each(PROTOTYPE_NAMES)(
    'a header and a query parameter named %s reach the function as plain entries',
    async (name) => {
      const reply = await raw(
        stack.port,
        `GET /prod/product?${name}=1&${name}=2 HTTP/1.1\r\nHost: x\r\n${name}: v\r\nConnection: close\r\n\r\n`,
      );

      expect(reply.status).toBe(200);
      const { event } = JSON.parse(reply.body);
      expect(Object.getOwnPropertyDescriptor(event.headers, name)?.value).toBe('v');
      expect(Object.getOwnPropertyDescriptor(event.multiValueHeaders, name)?.value).toEqual(['v']);
      expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, name)?.value).toBe('2');
      expect(Object.getOwnPropertyDescriptor(event.multiValueQueryStringParameters, name)?.value).toEqual(['1', '2']);
    },
  );

  it.each(PROTOTYPE_NAMES)('a path parameter %s is the id', async (name) => {
    const reply = await raw(stack.port, `GET /prod/product/${name} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

    // The test function answers unknown ids with the event it got.
    expect(reply.status).toBe(200);
    expect(Object.getOwnPropertyDescriptor(JSON.parse(reply.body).event.pathParameters, 'id')?.value).toBe(name);
  });

  it('passes response headers the function names constructor, toString or __proto__', async () => {
    const reply = await raw(
      stack.port,
      'GET /prod/product/proto-headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );

    expect(reply.status).toBe(200);
    expect(reply.head).toMatch(/\r\nconstructor: c\r\n/);
    expect(reply.head).toMatch(/\r\ntoString: t\r\n/);
    expect(reply.head).toMatch(/\r\n__proto__: p\r\n/);
  });
});

describe('bodies past 10 MB', () => {
  const MB = 1024 * 1024;

  it('are answered 413 from the Content-Length, before any of the body is sent, and the connection is closed', async () => {
    let chunks = 12;
    const reply = await raw(
      stack.port,
      `POST /prod/product HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${12 * MB}\r\n\r\n`,
      () => (chunks-- > 0 ? Buffer.alloc(MB, 0x20) : undefined),
    );

    expect(reply.status).toBe(413);
    expect(reply.body).toBe('HTTP content length exceeded 10485760 bytes.');
    expect(reply.sentBeforeAnswer).toBeLessThan(12 * MB);
    expect(reply.closed).toBe(true);
  });

  it('streamed without a length, are cut off at the limit: the answer comes while the client is still sending', async () => {
    // An endless chunked body; the server must stop it, or this test never ends.
    const chunk = Buffer.concat([Buffer.from(`${MB.toString(16)}\r\n`), Buffer.alloc(MB, 0x20), Buffer.from('\r\n')]);
    const reply = await raw(
      stack.port,
      'POST /prod/product HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      () => chunk,
    );

    expect(reply.status).toBe(413);
    // The limit, plus what socket buffers between the two ends hold.
    expect(reply.sentBeforeAnswer).toBeGreaterThan(10 * MB);
    expect(reply.sentBeforeAnswer).toBeLessThan(40 * MB);
    expect(reply.closed).toBe(true);
  });
});

describe('a body that trickles', () => {
  it('is answered 408 once the body deadline passes, and its connection closed', async () => {
    const started = Date.now();
    const reply = await raw(
      stack.port,
      'POST /prod/product HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ti',
    );

    expect(reply.status).toBe(408);
    expect(reply.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
