/** Reading a request body with API Gateway's size limit and a deadline, without ever holding more than the limit. */
import type { IncomingMessage } from 'node:http';

export type BodyOutcome =
  | { kind: 'body'; body: Buffer }
  /** Past the limit: by its Content-Length, or once the bytes received pass it. Nothing more is read. */
  | { kind: 'tooLarge' }
  /** The body did not arrive in full before the deadline. */
  | { kind: 'timeout' }
  /** The client went away mid-body: nothing is to be answered or invoked. */
  | { kind: 'aborted' };

export interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** Reads the body of `req`; stops reading at once when it is too large or too slow. */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyOutcome> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) return Promise.resolve({ kind: 'tooLarge' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: BodyOutcome) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      if (outcome.kind !== 'body') req.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) finish({ kind: 'tooLarge' });
      else chunks.push(chunk);
    };
    const onEnd = () =>
      finish({ kind: 'body', body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
    const onClose = () => {
      if (!req.complete) finish({ kind: 'aborted' });
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), limits.timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
  });
}
