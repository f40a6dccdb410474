/** The stack's health and control answer: who it is, proved with its secret, and its statistics for the CLI. */
import { checkClientProof, NONCE_PATTERN, stackProof } from './stack-proof.js';
import type { HttpResponse } from './proxy-result.js';
import type { MetricSeries, MetricsWindow } from '../stack/metric-series.js';
import type { AuthSettings } from '../contract/auth.js';

/** What a stack calls itself at its health path. */
export const STACK_SERVICE_NAME = 'products-cli-local';

/** Where the stack answers who it is; a dot cannot start a stage name, so it never shadows the API. */
export const HEALTH_PATH = '/.products-cli/health';

/** The header carrying the CLI's proof of the secret (`<timeMs>.<hmac>`). */
export const AUTH_HEADER = 'x-products-cli-auth';

export interface StackStats {
  uptimeSeconds: number;
  /** Requests received and not yet answered. */
  inFlight: number;
  /** Requests the gateway answered, and how many of each status. */
  requests: number;
  statuses: Record<string, number>;
  /** Execution environments alive, and cold starts so far. */
  environments: { active: number; coldStarts: number };
  /** Items in the table; absent when the engine could not be asked. */
  items?: number;
  /** Bytes on disk in the data directory; absent for an in-memory or external engine. */
  dataBytes?: number;
  dataDir?: string;
}

/** The settings a stack runs with, as it reports them, so that a new setup can tell what it would change. */
export interface StackSettings {
  /** Null when the stage is not throttled. */
  throttle: { rateLimit: number; burstLimit: number } | null;
  auth: AuthSettings;
  corsOrigins: string[];
  integrationTimeoutMs: number;
  functionTimeoutMs: number;
  /** The most execution environments at once. */
  concurrency: number;
  /** The external engine it uses; absent for the embedded one. */
  dynamodbEndpoint?: string;
}

/** What a proved health answer says. */
export interface HealthAnswer {
  service: string;
  pid: number;
  port: number;
  stage: string;
  url: string;
  startedAt: string;
  proof: string;
  settings?: StackSettings;
  stats?: StackStats;
  /** The series over the window asked for with `metrics=START,END,PERIOD` (ms, ms, seconds). */
  metrics?: MetricSeries[];
}

export interface HealthSource {
  secret: string;
  pid: number;
  port: () => number;
  stage: string;
  url: () => string;
  startedAt: string;
  settings: StackSettings;
  stats: () => Promise<StackStats>;
  metrics?: (window: MetricsWindow) => MetricSeries[];
}

/** The `metrics` query parameter of a window. */
export function metricsQuery(window: MetricsWindow): string {
  return `${window.start},${window.end},${window.periodSeconds}`;
}

/** The window of a `metrics` query parameter; undefined unless it is three whole numbers with a period of 60 s or more. */
export function readMetricsQuery(text: string | null): MetricsWindow | undefined {
  const parts = (text ?? '').split(',').map(Number);
  const [start, end, periodSeconds] = parts as [number, number, number];
  if (parts.length !== 3 || !parts.every(Number.isSafeInteger) || periodSeconds < 60 || end <= start) return undefined;
  // At most 10,080 periods (a week of minutes), so that a request cannot make the stack walk forever.
  if ((end - start) / (periodSeconds * 1000) > 10_080) return undefined;
  return { start, end, periodSeconds };
}

function json(statusCode: number, body: unknown): HttpResponse {
  return {
    statusCode,
    headers: [
      ['Content-Type', 'application/json'],
      ['Cache-Control', 'no-store'],
    ],
    body: Buffer.from(JSON.stringify(body)),
  };
}

/**
 * Answers a health request. Without a nonce it only names the service; with `?nonce=` it proves the secret
 * for that nonce; with a valid client proof as well it adds the statistics. It never tells the engine's port.
 */
export function createHealthAnswer(
  source: HealthSource,
): (query: string, authHeader: string | undefined) => Promise<HttpResponse> {
  const seen = new Map<string, number>();
  return async (query, authHeader) => {
    const params = new URLSearchParams(query);
    const nonce = params.get('nonce');
    if (nonce === null) return json(200, { service: STACK_SERVICE_NAME });
    if (!NONCE_PATTERN.test(nonce)) return json(400, { message: 'nonce must be 16 to 128 lower-case hex digits' });
    const port = source.port();
    const answer: HealthAnswer = {
      service: STACK_SERVICE_NAME,
      pid: source.pid,
      port,
      stage: source.stage,
      url: source.url(),
      startedAt: source.startedAt,
      settings: source.settings,
      proof: stackProof(source.secret, nonce, source.pid, port),
    };
    if (checkClientProof(source.secret, nonce, authHeader, Date.now(), seen)) {
      answer.stats = await source.stats();
      const window = readMetricsQuery(params.get('metrics'));
      if (window && source.metrics) answer.metrics = source.metrics(window);
    }
    return json(200, answer);
  };
}

/** What the CLI asks a running stack to do with its versions. */
export type ControlRequest =
  | { action: 'deploy'; zip: string }
  | { action: 'rollback'; to?: string }
  | { action: 'versions' }
  | { action: 'canary'; zip: string; weight: number }
  | { action: 'figures' }
  | { action: 'end-canary'; promote: boolean };

/** What the stack's versions offer the control answer. */
export interface ControlSource {
  secret: string;
  versions: {
    deploy(zip: string): Promise<{ version: string; replacedVersion: string; moved: boolean }>;
    rollback(to?: string): { version: string; replacedVersion: string; moved: boolean };
    list(): Array<{ version: string; codeSha256: string; publishedAt: string }>;
    live(): string;
    startCanary(zip: string, weight: number): Promise<{ version: string; stable: string }>;
    figures(): Record<string, { invocations: number; errors: number }>;
    endCanary(promote: boolean): { version: string; replacedVersion: string; moved: boolean };
    canary(): { version: string; weight: number } | undefined;
  };
}

/**
 * Answers a control request (POST to the health path with `?nonce=` and the client's proof): deploys a bundle
 * from a path on this machine, rolls back, or lists the versions. Anything without a valid proof gets 403.
 */
export function createControlAnswer(
  source: ControlSource,
): (query: string, authHeader: string | undefined, body: Buffer) => Promise<HttpResponse> {
  const seen = new Map<string, number>();
  return async (query, authHeader, body) => {
    const nonce = new URLSearchParams(query).get('nonce') ?? '';
    if (!NONCE_PATTERN.test(nonce) || !checkClientProof(source.secret, nonce, authHeader, Date.now(), seen))
      return json(403, { message: 'no valid proof of the stack secret' });
    let request: ControlRequest;
    try {
      request = JSON.parse(body.toString('utf8')) as ControlRequest;
    } catch {
      return json(400, { message: 'the body must be JSON' });
    }
    try {
      const listed = () => {
        const canary = source.versions.canary();
        return { live: source.versions.live(), versions: source.versions.list(), ...(canary ? { canary } : {}) };
      };
      if (request.action === 'deploy' && typeof request.zip === 'string')
        return json(200, { ...(await source.versions.deploy(request.zip)), ...listed() });
      if (request.action === 'rollback')
        return json(200, {
          ...source.versions.rollback(request.to === undefined ? undefined : String(request.to)),
          ...listed(),
        });
      if (request.action === 'versions') return json(200, listed());
      const { versions } = source;
      if (request.action === 'canary' && typeof request.zip === 'string' && request.weight > 0 && request.weight < 1) {
        return json(200, await versions.startCanary(request.zip, request.weight));
      }
      if (request.action === 'figures') return json(200, { figures: versions.figures(), ...listed() });
      if (request.action === 'end-canary')
        return json(200, { ...versions.endCanary(Boolean(request.promote)), ...listed() });
      return json(400, {
        message: 'action must be deploy (with zip), rollback, versions, canary (zip, weight), figures or end-canary',
      });
    } catch (error) {
      return json(409, { message: (error as Error).message, exitCode: (error as { exitCode?: number }).exitCode });
    }
  };
}
