/* Where the engine works: the embedded lakehouse in this process (the
 * default), the lakehouse over HTTP, or a Databricks workspace. Either way
 * the engine gets one workspace client; only how it is built differs. */
#ifndef CLXS_TARGET_H
#define CLXS_TARGET_H

#include <json-c/json.h>

#include "clxs/error.h"

struct clxs_ws_client;
struct clxs_lh_service;

typedef struct {
	struct clxs_ws_client *ws;
	struct clxs_lh_service *lakehouse; /* in-process lakehouse, or NULL */
	char warehouse_id[128];
	char description[4400];             /* "embedded lakehouse at DIR", "https://host" */
} clxs_target;

/* spec (may be NULL): {"host", "token", "profile", "warehouse_id",
 * "lakehouse_dir", "max_retries", "max_rps", "max_parallel_queries"}.
 * With no host and no profile the embedded lakehouse in lakehouse_dir
 * (default STATE/lakehouse) is opened in-process. A host or profile goes
 * through the Databricks configuration rules (env vars, ~/.databrickscfg). */
clxs_code clxs_target_open(json_object *spec, clxs_target *t, clxs_error *err);
void clxs_target_close(clxs_target *t);

#endif
