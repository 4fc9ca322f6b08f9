// ReDoc over the route table's OpenAPI document (a file, not an inline
// script, for the page's Content-Security-Policy).
(function () {
  'use strict';
  if (!window.Redoc || typeof window.Redoc.init !== 'function') {
    document.getElementById('assets-missing').hidden = false;
    return;
  }
  window.Redoc.init('/api/openapi.json', { hideDownloadButton: false }, document.getElementById('redoc'));
})();
