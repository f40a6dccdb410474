/** How the API client moves one request and its answer: the seam between retries and sockets. */

export interface TransportRequest {
  method: string;
  /** Path and query, stage included. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Longest wait for the answer's headers, and for each chunk of its body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One origin's connections. Failures are errors with a `code` (ECONNREFUSED, HEADERS_TIMEOUT, …). */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
}

/** A network failure with a code, as the transports report them. */
export function networkError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}
