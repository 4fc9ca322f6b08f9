// Swagger UI over the route table's OpenAPI document. A separate file, not
// an inline script, so the page works under a strict Content-Security-Policy.
(function () {
  'use strict';
  if (typeof window.SwaggerUIBundle !== 'function') {
    document.getElementById('assets-missing').hidden = false;
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // The default validator badge calls validator.swagger.io: stay local.
    validatorUrl: null,
  });
})();
