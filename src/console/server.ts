/**
 * The console's server, on loopback only: the page and its assets, Swagger UI's files from swagger-ui-dist,
 * the OpenAPI document, and `/api/*`, which sends the contract's operations to the stack through the product
 * API's client (which signs them: the page never holds a credential). Every request passes the guard first.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchResource } from '../contract/index.js';
import { AppError, UsageError } from '../errors.js';
import { DEFAULT_SINCE } from '../stack/metric-since.js';
import type { ProductApi } from '../http/api-client.js';
import type { OpenApiDocument } from '../openapi/document.js';
import { checkSource, cookieName, readCookie, sameSecret, SECURITY_HEADERS, tokenCookie } from './guard.js';
import { handleExport, handleImport, type TransferSettings } from './transfer.js';

export interface ConsoleOptions {
  /** The client the page's API calls go through. */
  api: ProductApi;
  /** Imports: their own client, concurrency and rate, as `import` has them. */
  transfer: Omit<TransferSettings, 'signal'>;
  /** The document, its server the console's `/api`. */
  document: OpenApiDocument;
  /** The metrics report of the stack over `since` (as `--since` reads it); absent = the console has none. */
  metrics?: (since: string) => Promise<unknown>;
  /** 0 = any free port. */
  port?: number;
  /** Default a new random one. */
  token?: string;
  /** Where the built page is; default build/web in the package. */
  webDir?: string;
}

export interface ConsoleServer {
  /** http://127.0.0.1:PORT/?token=…, the one URL that opens the console. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
/** The page's files, by URL path. */
const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/api.html': 'api.html',
  '/console.js': 'console.js',
  '/console.css': 'console.css',
  '/api.js': 'api.js',
};
/** The files of swagger-ui-dist that the API page loads. */
const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);
const MAX_BODY_BYTES = 1024 * 1024;

function swaggerDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** Starts the console on 127.0.0.1. */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const webDir = options.webDir ?? join(PACKAGE_ROOT, 'build', 'web');
  const swagger = swaggerDir();
  const stopping = new AbortController();
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const source = checkSource(req, port);
    if (!source.ok) return refuse(res, source.status, source.reason);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const given = url.searchParams.get('token');
    if (given !== null && req.method === 'GET') {
      if (!sameSecret(given, token))
        return refuse(res, 401, "refused: that token is not this console's; open the URL products-cli console printed");
      // The token leaves the address bar (and the history) at once; the cookie carries it from now on.
      url.searchParams.delete('token');
      res.writeHead(303, { 'set-cookie': tokenCookie(port, token), location: `${url.pathname}${url.search}` });
      return void res.end();
    }
    if (!sameSecret(readCookie(req.headers.cookie, cookieName(port)), token)) {
      return refuse(
        res,
        401,
        'refused: open the console through the URL products-cli console printed (it holds the token)',
      );
    }
    const path = url.pathname;
    if (path.startsWith('/api/')) return proxy(req, res, url, options.api);
    if (path === '/openapi.json' && req.method === 'GET') return sendJson(res, 200, options.document);
    if (path === '/console/import' && req.method === 'POST')
      return handleImport(req, res, url, { ...options.transfer, signal: stopping.signal });
    if (path === '/console/export' && req.method === 'GET') return handleExport(res, url, options.api);
    if (path === '/console/metrics' && req.method === 'GET') return sendMetrics(res, url, options.metrics);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, `${req.method} is not allowed here`);
    const page = PAGES[path];
    if (page) return sendFile(res, join(webDir, page));
    const file = path.startsWith('/swagger/') ? path.slice('/swagger/'.length) : undefined;
    if (file && SWAGGER_FILES.has(file)) return sendFile(res, join(swagger, file));
    return refuse(res, 404, `nothing at ${path}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) refuse(res, 502, `the console could not reach the API: ${(error as Error).message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    async stop() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `/api/<path>`: an operation of the contract, sent through the client with its body, query and If-Match; anything else is refused. */
async function proxy(req: IncomingMessage, res: ServerResponse, url: URL, api: ProductApi): Promise<void> {
  const path = url.pathname.slice('/api'.length);
  const route = matchResource(path);
  const method = (req.method ?? 'GET').toUpperCase();
  if (!route) return sendJson(res, 404, { message: `no operation of the product API at ${path}` });
  if (!(route.methods as readonly string[]).includes(method))
    return sendJson(res, 405, { message: `${method} ${route.resource} is not an operation of the product API` });
  const body = await readBody(req);
  if (body === undefined) return sendJson(res, 413, { message: `the body is larger than ${MAX_BODY_BYTES} bytes` });
  const headers: Record<string, string> = {};
  const ifMatch = req.headers['if-match'];
  if (typeof ifMatch === 'string') headers['if-match'] = ifMatch;
  const answer = await api.request(method, path, {
    query: Object.fromEntries(url.searchParams),
    body: body === '' ? undefined : body,
    headers,
  });
  const passed: Record<string, string> = {};
  for (const name of ['content-type', 'etag', 'retry-after']) {
    const value = answer.headers[name];
    if (typeof value === 'string') passed[name] = value;
  }
  res.writeHead(answer.status, passed);
  res.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
}

/** `/console/metrics?since=1h`: the report as JSON; 400 for a period `--since` would refuse, 503 when it cannot be read now. */
async function sendMetrics(res: ServerResponse, url: URL, metrics: ConsoleOptions['metrics']): Promise<void> {
  if (!metrics) return sendJson(res, 404, { message: 'this console reads no metrics' });
  try {
    return sendJson(res, 200, await metrics(url.searchParams.get('since') ?? DEFAULT_SINCE));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return sendJson(res, error instanceof UsageError ? 400 : 503, { message: error.message });
  }
}

/** The body as text; undefined when it is larger than MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function sendFile(res: ServerResponse, file: string): Promise<void> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    return refuse(res, 500, `${file} is missing: run npm run build`);
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': content.length,
  });
  res.end(content);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${reason}\n`);
}
