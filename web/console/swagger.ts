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
  // Plain answers: the highlighter's colours fall short of WCAG AA contrast.
  syntaxHighlight: { activated: false },
});

// Swagger UI leaves some of its selects without a name; give each one, for screen readers.
const NAMES: [string, string][] = [
  ['#servers', 'Server'],
  ['.examples-select-element', 'Example'],
  ['.content-type', 'Media type'],
];
new MutationObserver(() => {
  for (const [selector, name] of NAMES) {
    for (const select of document.querySelectorAll<HTMLSelectElement>(`select${selector}:not([aria-label])`))
      select.setAttribute('aria-label', name);
  }
  for (const select of document.querySelectorAll<HTMLSelectElement>('select:not([aria-label]):not([id])'))
    select.setAttribute('aria-label', 'Choice');
}).observe(document.body, { childList: true, subtree: true });
