/* nginx substitutions for the WebSocket daemon, the API docs pages and the
 * rate limit (see clxs/serve_web.h). Kept apart from cmd-serve.c so the
 * lookup rules for the npm assets live in one small place. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "clxs/serve_web.h"

static int has_assets(const char *dir)
{
	char p[4200];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/swagger-ui-dist/swagger-ui-bundle.js", dir);
	if (stat(p, &sb) != 0)
		return 0;
	snprintf(p, sizeof(p), "%s/redoc/bundles/redoc.standalone.js", dir);
	return stat(p, &sb) == 0;
}

void clxs_serve_web_paths(const char *datadir, const char *run_dir, long rate_limit, long rate_burst,
			  char *ev_socket, char *vendor, char *apidocs, char *rate, char *burst)
{
	snprintf(ev_socket, 4300, "%s/events.sock", run_dir);
	snprintf(apidocs, 4300, "%s/www/api-docs", datadir);
	const char *env = getenv("CLXS_VENDOR_DIR");
	char cand[4096];
	if (env && *env) {
		snprintf(vendor, 4096, "%s", env);
	} else {
		snprintf(vendor, 4096, "%s/vendor", datadir);
		snprintf(cand, sizeof(cand), "%s/node_modules", datadir);
		if (!has_assets(vendor) && has_assets(cand))
			snprintf(vendor, 4096, "%s", cand);
	}
	snprintf(rate, 24, "%ld", rate_limit > 0 ? rate_limit : 1);
	snprintf(burst, 24, "%ld", rate_burst > 0 ? rate_burst : 1); /* nginx refuses burst=0 */
}
