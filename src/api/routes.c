/* THE route table: dispatch and the OpenAPI document both read it, so a
 * route exists exactly when it is listed here. Keep it grouped by the
 * sections of the API reference. */
#include "clxs/api.h"
#include "clxs/clone.h"

static const clxs_route_param jobs_list_params[] = {
	{"job_type", "query", "string", "Only jobs of this type"},
	{"limit", "query", "integer", "At most this many jobs, newest first (default 100)"},
	{NULL, NULL, NULL, NULL},
};

static const char jobs_submit_schema[] =
	"{\"type\":\"object\",\"required\":[\"job_type\"],\"properties\":{"
	"\"job_type\":{\"type\":\"string\",\"enum\":[\"noop\",\"sleep\"]},"
	"\"params\":{\"type\":\"object\"}}}";

const clxs_route clxs_routes[] = {
	/* Health */
	{"GET", "/api/health", clxs_api_health, 0, "Health",
	 "Returns service health status and runtime environment.", NULL, NULL, NULL},
	/* Docs */
	{"GET", "/api/openapi.json", clxs_api_openapi, CLXS_ROUTE_INTERNAL, "Docs",
	 "The OpenAPI 3 document of this API.", NULL, NULL, NULL},
	/* Clone */
	{"POST", "/api/clone", clxs_api_clone_submit, CLXS_ROUTE_BODY, "Clone",
	 "Submit a clone job to the background queue.", NULL, NULL, clxs_clone_body_schema},
	{"GET", "/api/clone/jobs", clxs_api_clone_jobs, 0, "Clone",
	 "List all clone jobs and their statuses.", NULL, NULL, NULL},
	{"GET", "/api/clone/{job_id}", clxs_api_clone_get, 0, "Clone",
	 "Get status and details for a specific clone job.", NULL, NULL, NULL},
	{"DELETE", "/api/clone/{job_id}", clxs_api_clone_cancel, 0, "Clone",
	 "Cancel a running or queued clone job.", NULL, NULL, NULL},
	/* Jobs: the generic job queue underneath clone and other long work. */
	{"POST", "/api/jobs", clxs_api_jobs_submit, CLXS_ROUTE_BODY, "Jobs",
	 "Queue a background job of a built-in type.", NULL, jobs_submit_schema, NULL},
	{"GET", "/api/jobs", clxs_api_jobs_list, 0, "Jobs",
	 "List jobs, newest first.", jobs_list_params, NULL, NULL},
	{"GET", "/api/jobs/{job_id}", clxs_api_jobs_get, 0, "Jobs",
	 "One job with its progress, result and logs.", NULL, NULL, NULL},
	{"DELETE", "/api/jobs/{job_id}", clxs_api_jobs_cancel, 0, "Jobs",
	 "Cancel a queued or running job.", NULL, NULL, NULL},
	/* -- section: auth, sessions -- */
	/* -- section: config -- */
	/* -- section: catalogs, demo data -- */
	/* -- section: audit, rollback, cache, templates, notifications, monitor -- */
	/* -- section: websocket, multi-clone, docs -- */
	/* -- section: analysis -- */
	/* -- section: management -- */
};

const size_t clxs_nroutes = sizeof(clxs_routes) / sizeof(clxs_routes[0]);
