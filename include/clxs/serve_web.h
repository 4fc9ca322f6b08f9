/* What `clxs serve` puts into nginx.conf for the parts the ws helper owns:
 * the WebSocket event daemon's socket, the interactive API docs (/docs,
 * /redoc) and their npm-installed assets, and the API rate limit. */
#ifndef CLXS_SERVE_WEB_H
#define CLXS_SERVE_WEB_H

/* Fill the nginx substitutions (each buffer as sized in cmd-serve.c):
 *   ev_socket[4300]  RUN/events.sock
 *   vendor[4096]     folder holding swagger-ui-dist/ and redoc/bundles/:
 *                    $CLXS_VENDOR_DIR, else DATA/vendor (make install copies
 *                    the assets there), else DATA/node_modules (npm ci in a
 *                    source tree), else DATA/vendor (pages then say the
 *                    assets are missing)
 *   apidocs[4300]    DATA/www/api-docs, the two HTML pages and their script
 *   rate[24], burst[24]  limit_req values (rate >= 1 even when off: the
 *                    template then keys the zone on "" so nothing counts) */
void clxs_serve_web_paths(const char *datadir, const char *run_dir, long rate_limit, long rate_burst,
			  char *ev_socket, char *vendor, char *apidocs, char *rate, char *burst);

#endif
