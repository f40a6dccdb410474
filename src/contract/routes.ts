/** The API's resources and their methods, derived from the operation table, and how a path finds its resource. */
import { operation, OPERATIONS, type HttpMethod, type OperationId } from './operations.js';

export interface RouteDefinition {
  /** API Gateway resource path, with `{param}` placeholders. */
  resource: string;
  methods: readonly HttpMethod[];
}

/** Each resource of the operation table with its methods, in the table's order. */
export const ROUTES: readonly RouteDefinition[] = [...new Set(OPERATIONS.map((op) => op.resource))].map((resource) => ({
  resource,
  methods: OPERATIONS.filter((op) => op.resource === resource).map((op) => op.method),
}));

export interface RouteMatch {
  resource: string;
  pathParameters: Record<string, string> | null;
  methods: readonly HttpMethod[];
}

/**
 * Finds the resource that a request path (without stage) belongs to, as API Gateway does: one path segment
 * per `{param}`, percent-decoded. Returns undefined when no resource matches.
 */
export function matchResource(path: string, routes: readonly RouteDefinition[] = ROUTES): RouteMatch | undefined {
  const segments = splitPath(path);
  if (segments === undefined) return undefined;
  for (const route of routes) {
    const pattern = splitPath(route.resource) ?? [];
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] as string;
      const param = /^\{(\w+)\}$/.exec(part);
      if (param) {
        params[param[1] as string] = segment;
        return segment.length > 0;
      }
      return part === segment;
    });
    if (matches) {
      return {
        resource: route.resource,
        pathParameters: Object.keys(params).length > 0 ? params : null,
        methods: route.methods,
      };
    }
  }
  return undefined;
}

function splitPath(path: string): string[] | undefined {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return [];
  try {
    return trimmed.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

/**
 * The method and path of one operation, its resource's `{param}` placeholders filled with `params`, each
 * percent-encoded where a path segment needs it (`:` is allowed as is).
 */
export function operationRequest(
  operationId: OperationId,
  params: Readonly<Record<string, string>> = {},
): { method: HttpMethod; path: string } {
  const { method, resource } = operation(operationId);
  const path = resource.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${operationId} needs the path parameter ${name}`);
    return encodeURIComponent(value).replace(/%3A/gi, ':');
  });
  return { method, path };
}

/** The path of one product. */
export function productPath(id: string): string {
  return operationRequest('getProduct', { id }).path;
}
