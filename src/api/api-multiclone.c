/* POST /api/multi-clone: one clone job per destination. Every destination
 * is validated as a full clone request first, so either all jobs are
 * queued or none is (422 naming destinations[i]). */
#include <stdio.h>
#include <string.h>

#include "clxs/api.h"
#include "clxs/clone.h"
#include "clxs/jobs.h"
#include "clxs/json.h"

const char *clxs_multi_clone_body_schema(void)
{
	return "{\"type\":\"object\",\"required\":[\"source_catalog\",\"destinations\"],\"properties\":{"
	       "\"source_catalog\":{\"type\":\"string\",\"description\":\"Source catalog\"},"
	       "\"destinations\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"catalog\"],"
	       "\"properties\":{\"catalog\":{\"type\":\"string\"}}},\"description\":\"[{\\\"catalog\\\": \\\"clone_1\\\"}, ...]\"},"
	       "\"clone_type\":{\"type\":\"string\",\"enum\":[\"DEEP\",\"SHALLOW\"]}}}";
}

void clxs_api_multi_clone(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	clxs_error_clear(&err);
	json_object *dests = json_object_object_get(req->body, "destinations");
	if (!dests || !json_object_is_type(dests, json_type_array) || json_object_array_length(dests) == 0) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "destinations",
			       "destinations must be a non-empty array of {\"catalog\": name}");
		return;
	}
	size_t n = json_object_array_length(dests);
	if (n > 64) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "destinations", "at most 64 destinations per request");
		return;
	}
	json_object *all = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(dests, i);
		const char *cat = json_object_is_type(d, json_type_object) ? clxs_json_str(d, "catalog", NULL) : NULL;
		char field[64];
		snprintf(field, sizeof(field), "destinations[%zu]", i);
		if (!cat || !*cat) {
			json_object_put(all);
			clxs_resp_fail(resp, CLXS_EVALIDATION, field, "%s must be an object with a non-empty \"catalog\"", field);
			return;
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(clxs_json_str(json_object_array_get_idx(all, k), "destination_catalog", ""), cat)) {
				json_object_put(all);
				clxs_resp_fail(resp, CLXS_EVALIDATION, field, "destination '%s' is listed twice", cat);
				return;
			}
		/* The shared fields, then this destination's own overrides
		 * (any clone field but "catalog"). */
		json_object *body = json_object_new_object();
		json_object_object_foreach(req->body, k, v)
			if (strcmp(k, "destinations") != 0)
				json_object_object_add(body, k, json_object_get(v));
		json_object_object_foreach(d, dk, dv)
			if (strcmp(dk, "catalog") != 0)
				json_object_object_add(body, dk, json_object_get(dv));
		clxs_json_set_str(body, "destination_catalog", cat);
		json_object *opts = clxs_clone_validate(body, req->ctx->config, &err);
		json_object_put(body);
		if (!opts) {
			json_object_put(all);
			char detail[256];
			snprintf(detail, sizeof(detail), "%s%s%.180s", field, err.detail[0] ? "." : "", err.detail);
			clxs_resp_fail(resp, CLXS_EVALIDATION, detail, "%s: %s", field, err.message);
			return;
		}
		json_object_object_del(opts, "warnings");
		json_object_array_add(all, opts);
	}
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *opts = json_object_get(json_object_array_get_idx(all, i));
		const char *dest = clxs_json_str(opts, "destination_catalog", "");
		json_object *row = json_object_new_object();
		clxs_json_set_str(row, "destination", dest);
		char id[CLXS_JOB_ID_LEN + 1];
		if (clxs_api_clone_enqueue(req, opts, id, &err) == CLXS_OK) {
			clxs_json_set_str(row, "job_id", id);
			clxs_json_set_str(row, "status", "queued");
		} else {
			/* Only the queue itself can fail here (LMDB): say so per row. */
			json_object_object_add(row, "job_id", NULL);
			clxs_json_set_str(row, "status", "failed");
			clxs_json_set_str(row, "error", err.message);
		}
		json_object_array_add(out, row);
	}
	json_object_put(all);
	clxs_resp_json(resp, 200, out);
}
