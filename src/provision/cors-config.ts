/**
 * CORS as API Gateway is configured for it, built by pure functions: on each resource an OPTIONS method without
 * authorization, whose MOCK integration answers 200 with the Access-Control-* headers, and the CORS headers on
 * API Gateway's own answers. With several origins the preflight's integration response chooses the request's
 * origin by a mapping template (`$context.responseOverride`), since a header mapping is static.
 */
import { CORS_EXPOSE_HEADERS, preflightHeaders } from '../contract/cors.js';

/** The preflight's integration: API Gateway answers it itself. */
export const PREFLIGHT_INTEGRATION = {
  type: 'MOCK',
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  passthroughBehavior: 'WHEN_NO_MATCH',
} as const;

export interface PreflightConfig {
  /** A preflight carries no credentials, so it can never be authorized. */
  authorizationType: 'NONE';
  apiKeyRequired: false;
  integration: typeof PREFLIGHT_INTEGRATION;
  /** The status of the one method response and integration response. */
  statusCode: '200';
  responseModels: Record<string, string>;
  /** The method response's declared headers. */
  methodResponseParameters: Record<string, boolean>;
  /** The integration response's header mappings (static values in single quotes). */
  integrationResponseParameters: Record<string, string>;
  integrationResponseTemplates: Record<string, string>;
}

/** The VTL that sets Access-Control-Allow-Origin to the request's origin when it is one of `origins`. */
export function originTemplate(origins: readonly string[]): string {
  const test = origins.map((origin) => `$origin == "${origin}"`).join(' || ');
  return [
    `#set($origin = $input.params().header.get("Origin"))`,
    `#if(!$origin) #set($origin = $input.params().header.get("origin")) #end`,
    `#if(${test})`,
    `#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)`,
    `#end`,
  ].join('\n');
}

/** The preflight method of a resource: its integration, method response and integration response. */
export function preflightConfig(origins: readonly string[], resource: string): PreflightConfig {
  const single = origins.length === 1;
  // Every header the preflight may carry, Allow-Origin included even when the template sets it.
  const headers = preflightHeaders(origins, origins[0], resource);
  const names = [
    ...new Set([...Object.keys(headers), 'Access-Control-Allow-Origin', ...(origins[0] === '*' ? [] : ['Vary'])]),
  ];
  const integration: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'Access-Control-Allow-Origin' && !single) continue;
    integration[`method.response.header.${name}`] = `'${value}'`;
  }
  return {
    authorizationType: 'NONE',
    apiKeyRequired: false,
    integration: PREFLIGHT_INTEGRATION,
    statusCode: '200',
    responseModels: { 'application/json': 'Empty' },
    methodResponseParameters: Object.fromEntries(names.map((name) => [`method.response.header.${name}`, false])),
    integrationResponseParameters: integration,
    integrationResponseTemplates: single ? {} : { 'application/json': originTemplate(origins) },
  };
}

/** API Gateway's own answers that carry the CORS headers: DEFAULT_4XX (403, 429, …) and DEFAULT_5XX (502, 504). */
export const CORS_RESPONSE_TYPES = ['DEFAULT_4XX', 'DEFAULT_5XX'] as const;

export type CorsResponseType = (typeof CORS_RESPONSE_TYPES)[number];

/** API Gateway's default body template, kept so the answers stay `{"message": "..."}`. */
export const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

export interface GatewayResponseConfig {
  responseType: CorsResponseType;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
}

/**
 * The response parameters for the origins. A gateway response maps headers from static values or request
 * parameters only: one origin (or `*`) is sent as is, several by echoing the request's Origin.
 */
export function gatewayResponseParameters(origins: readonly string[]): Record<string, string> {
  const parameters: Record<string, string> = {
    'gatewayresponse.header.Access-Control-Allow-Origin':
      origins.length === 1 ? `'${origins[0]}'` : 'method.request.header.Origin',
    'gatewayresponse.header.Access-Control-Expose-Headers': `'${CORS_EXPOSE_HEADERS.join(', ')}'`,
  };
  if (origins[0] !== '*') parameters['gatewayresponse.header.Vary'] = "'Origin'";
  return parameters;
}

/** Each CORS gateway response with its headers and the default body. */
export function gatewayResponseConfigs(origins: readonly string[]): GatewayResponseConfig[] {
  const responseParameters = gatewayResponseParameters(origins);
  return CORS_RESPONSE_TYPES.map((responseType) => ({
    responseType,
    responseParameters,
    responseTemplates: { 'application/json': DEFAULT_TEMPLATE },
  }));
}
