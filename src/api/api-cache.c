/* Cache Management section of the API reference: counters, clear and
 * per-catalog invalidation of the shared metadata cache
 * (src/engine/metacache.c). The counters live in LMDB, so every worker and
 * the runner count into the same numbers. */
#include <string.h>

#include "clxs/api.h"
#include "clxs/json.h"
#include "clxs/metacache.h"
#include "clxs/util.h"

void clxs_api_cache_stats(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	json_object *o = clxs_metacache_stats(req->ctx->store, clxs_now_ms(), &err);
	if (!o) {
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_resp_json(resp, 200, o);
}

void clxs_api_cache_clear(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	size_t n = 0;
	if (clxs_metacache_clear(req->ctx->store, &n, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "cleared");
	clxs_json_set_int(o, "entries_removed", (int64_t)n);
	clxs_resp_json(resp, 200, o);
}

void clxs_api_cache_invalidate(clxs_req *req, clxs_resp *resp)
{
	json_object *cat = NULL;
	if (!json_object_object_get_ex(req->body, "catalog", &cat) || !json_object_is_type(cat, json_type_string) ||
	    json_object_get_string_len(cat) == 0 || json_object_get_string_len(cat) > 255) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "catalog", "catalog is required: a name of 1 to 255 bytes");
		return;
	}
	json_object_object_foreach(req->body, key, val) {
		(void)val;
		if (strcmp(key, "catalog") != 0) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, key, "unknown field '%s'", key);
			return;
		}
	}
	clxs_error err;
	size_t n = 0;
	if (clxs_metacache_invalidate(req->ctx->store, json_object_get_string(cat), &n, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "invalidated");
	clxs_json_set_str(o, "catalog", json_object_get_string(cat));
	clxs_json_set_int(o, "entries_removed", (int64_t)n);
	clxs_resp_json(resp, 200, o);
}

const char clxs_cache_invalidate_schema[] =
	"{\"type\":\"object\",\"required\":[\"catalog\"],\"additionalProperties\":false,\"properties\":{"
	"\"catalog\":{\"type\":\"string\",\"description\":\"Catalog name\"}}}";
