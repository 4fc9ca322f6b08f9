/* Handlers and body schemas of the Analysis and Deep Profiling sections
 * (src/api/api-analysis.c), included from clxs/api.h. */
#ifndef CLXS_API_ANALYSIS_H
#define CLXS_API_ANALYSIS_H

#define CLXS_AN_ROUTE(name) \
	void clxs_api_an_##name(clxs_req *req, clxs_resp *resp); \
	const char *clxs_api_an_schema_##name(void);
CLXS_AN_ROUTE(diff)
CLXS_AN_ROUTE(compare)
CLXS_AN_ROUTE(validate)
CLXS_AN_ROUTE(schema_drift)
CLXS_AN_ROUTE(diff_detail)
CLXS_AN_ROUTE(stats)
CLXS_AN_ROUTE(search)
CLXS_AN_ROUTE(profile)
CLXS_AN_ROUTE(estimate)
CLXS_AN_ROUTE(storage_metrics)
CLXS_AN_ROUTE(export)
CLXS_AN_ROUTE(permissions_audit)
CLXS_AN_ROUTE(stale_scan)
CLXS_AN_ROUTE(profile_table)
CLXS_AN_ROUTE(profile_results)
#undef CLXS_AN_ROUTE
void clxs_api_an_size_history(clxs_req *req, clxs_resp *resp);

#endif
