// The API page: Swagger UI from swagger-ui-dist, served by the console; try-it-out sends to the console's /api,
// which signs and forwards to the stack.
declare const SwaggerUIBundle: (options: Record<string, unknown>) => unknown;

SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger',
  tryItOutEnabled: true,
  deepLinking: false,
  // No request leaves the machine: no validator badge from swagger.io.
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
});
