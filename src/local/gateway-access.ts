/**
 * Who may call the local API and what browsers see, as the deployed stack enforces it: AWS_IAM (SigV4) or
 * an API key on the protected methods, OPTIONS preflights when CORS is configured, and the CORS headers of
 * the gateway's own answers. The gateway calls it at three points; without options it is not used at all.
 */
import type { IncomingMessage } from 'node:http';
import { isProtected, type AuthSettings } from '../contract/auth.js';
import { preflightResponse, requestOrigin, withGatewayCors } from './gateway-cors.js';
import type { HttpResponse } from './proxy-result.js';
import type { LocalCredentials } from './verify-sigv4.js';

export interface AccessOptions {
  auth: AuthSettings;
  /** SigV4 keys the stack accepts (auth mode iam). */
  credentials?: readonly LocalCredentials[];
  /** The API key (auth mode api-key). */
  apiKey?: string;
  /** The region signatures must be scoped to. */
  region: string;
  /** Allowed browser origins; empty = no CORS. */
  corsOrigins: readonly string[];
}

export interface Access {
  /** The methods a resource answers: its routes', plus OPTIONS when CORS is on. */
  methods(routeMethods: readonly string[]): readonly string[];
  /** A 403 answer when the request lacks what its method needs, or undefined to let it through. */
  authorize(req: IncomingMessage, path: string, query: string, body: Buffer): Promise<HttpResponse | undefined>;
  /** The answer to an OPTIONS request (a preflight), as the MOCK integration gives it. */
  preflight(req: IncomingMessage, resource: string): HttpResponse;
  /** One of the gateway's own answers with the CORS headers of its gateway responses. */
  decorate(req: IncomingMessage, response: HttpResponse): HttpResponse;
}

function forbidden(message: string, errorType: string): HttpResponse {
  return {
    statusCode: 403,
    headers: [
      ['Content-Type', 'application/json'],
      ['x-amzn-ErrorType', errorType],
    ],
    body: Buffer.from(JSON.stringify({ message }), 'utf8'),
  };
}

/** The access rules of one stack. */
export function createAccess(options: AccessOptions): Access {
  const cors = options.corsOrigins.length > 0;
  return {
    methods: (routeMethods) => (cors ? [...routeMethods, 'OPTIONS'] : routeMethods),

    async authorize(req, path, query, body) {
      const method = req.method ?? 'GET';
      if (!isProtected(options.auth, method)) return undefined;
      if (options.auth.mode === 'api-key') {
        return req.headers['x-api-key'] === options.apiKey ? undefined : forbidden('Forbidden', 'ForbiddenException');
      }
      // Loaded only for a stack that verifies signatures: the signer is the heaviest part of the gateway.
      const { verifySigV4 } = await import('./verify-sigv4.js');
      const verdict = await verifySigV4(
        { method, path, query, rawHeaders: req.rawHeaders, body },
        options.credentials ?? [],
        options.region,
      );
      if (verdict.ok) return undefined;
      return forbidden(verdict.message, verdict.errorType);
    },

    preflight: (req, resource) => preflightResponse(options.corsOrigins, requestOrigin(req.rawHeaders), resource),

    decorate: (req, response) =>
      cors ? withGatewayCors(response, options.corsOrigins, requestOrigin(req.rawHeaders)) : response,
  };
}
