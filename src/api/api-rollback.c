/* Rollback endpoints: the rollback points clones record (LMDB, and the
 * audit catalog's rollback_logs table), and undoing a clone with one of
 * them. POST /api/rollback runs synchronously, as the reference describes
 * it (no job id); the work is one RESTORE or DROP per changed object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/audit.h"
#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/sql.h"
#include "clxs/workspace.h"

static int collect(const char *key, json_object *val, void *ud)
{
	(void)key;
	json_object_array_add(ud, json_object_get(val));
	return 0;
}

/* A local (LMDB) record in the shape of a rollback_logs entry. */
static json_object *local_entry(json_object *rec)
{
	json_object *o = json_object_new_object();
	const char *id = clxs_json_str(rec, "rollback_id", "");
	char file[300];
	clxs_audit_log_file_name(id, file, sizeof(file));
	clxs_json_set_str(o, "rollback_id", id);
	clxs_json_set_str(o, "log_file", file);
	clxs_json_set_str(o, "source_catalog", clxs_json_str(rec, "source_catalog", ""));
	clxs_json_set_str(o, "destination_catalog", clxs_json_str(rec, "destination_catalog", ""));
	json_object *tv = json_object_new_object();
	json_object *versions = json_object_object_get(json_object_object_get(rec, "before"), "versions");
	if (versions) {
		json_object_object_foreach(versions, k, v)
			json_object_object_add(tv, k, json_object_new_int64(atoll(json_object_get_string(v))));
	}
	json_object_object_add(o, "table_versions", tv);
	clxs_json_set_str(o, "restore_mode", clxs_json_bool(rec, "catalog_existed", true) ? "RESTORE" : "DROP_CATALOG");
	clxs_json_set_str(o, "timestamp", clxs_json_str(rec, "created_at", ""));
	clxs_json_set_str(o, "source", "local");
	return o;
}

static int cmp_ts(const void *a, const void *b)
{
	return -strcmp(clxs_json_str(*(json_object *const *)a, "timestamp", ""),
		       clxs_json_str(*(json_object *const *)b, "timestamp", ""));
}

void clxs_api_rollback_logs(clxs_req *req, clxs_resp *resp)
{
	clxs_audit_loc loc;
	clxs_audit_loc_from_config(req->ctx->config, &loc);
	json_object *out = NULL;
	clxs_error err;
	clxs_error_clear(&err);
	clxs_target t;
	char note[700] = "";
	/* The audit table first ... */
	if (clxs_api_target_open(req, &t, &err) == CLXS_OK) {
		if (clxs_audit_rollback_logs(t.ws, t.warehouse_id, &loc, &out, &err) != CLXS_OK)
			snprintf(note, sizeof(note), "%.600s", err.message);
		clxs_target_close(&t);
	} else {
		snprintf(note, sizeof(note), "%.600s", err.message);
	}
	if (!out)
		out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(out); i++)
		clxs_json_set_str(json_object_array_get_idx(out, i), "source", "audit");
	/* ... then the local records it does not hold (its table unavailable,
	 * or a point recorded while the audit write failed). */
	json_object *local = json_object_new_array();
	clxs_txn *txn;
	if (clxs_txn_begin(req->ctx->store, false, &txn, &err) == CLXS_OK) {
		clxs_txn_scan(txn, CLXS_DB_KV, "rollback/", false, collect, local, &err);
		clxs_txn_abort(txn);
	}
	for (size_t i = 0; i < json_object_array_length(local); i++) {
		json_object *rec = json_object_array_get_idx(local, i);
		const char *id = clxs_json_str(rec, "rollback_id", "");
		bool seen = false;
		for (size_t k = 0; !seen && k < json_object_array_length(out); k++)
			seen = !strcmp(clxs_json_str(json_object_array_get_idx(out, k), "rollback_id", ""), id);
		if (!seen)
			json_object_array_add(out, local_entry(rec));
	}
	json_object_put(local);
	json_object_array_sort(out, cmp_ts);
	if (note[0])
		clxs_warn("rollback logs: audit table unavailable, local records only: %s", note);
	clxs_resp_json(resp, 200, out);
}

/* "rollback_<id>.json" or the bare id -> id; false when it is neither. */
static bool parse_log_file(const char *s, char *id, size_t len)
{
	size_t n = strlen(s);
	if (!strncmp(s, "rollback_", 9)) {
		s += 9;
		n -= 9;
	}
	if (n > 5 && !strcmp(s + n - 5, ".json"))
		n -= 5;
	if (n == 0 || n >= len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	snprintf(id, len, "%.*s", (int)n, s);
	return true;
}

void clxs_api_rollback_run(clxs_req *req, clxs_resp *resp)
{
	json_object *body = req->body;
	json_object_object_foreach(body, key, val) {
		if (strcmp(key, "log_file") && strcmp(key, "warehouse_id") && strcmp(key, "drop_catalog")) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, key, "unknown field '%.100s'", key);
			return;
		}
		if (!strcmp(key, "drop_catalog") ? !json_object_is_type(val, json_type_boolean)
						  : !json_object_is_type(val, json_type_string)) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, key, "%s has the wrong type", key);
			return;
		}
	}
	const char *log_file = clxs_json_str(body, "log_file", NULL);
	char id[65];
	if (!log_file || !*log_file) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "log_file", "log_file is required");
		return;
	}
	if (!parse_log_file(log_file, id, sizeof(id))) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "log_file",
			       "log_file must be a rollback log name (rollback_<id>.json) or a rollback id");
		return;
	}
	bool drop_catalog = clxs_json_bool(body, "drop_catalog", false);
	clxs_audit_loc loc;
	clxs_audit_loc_from_config(req->ctx->config, &loc);
	clxs_error err;
	clxs_error_clear(&err);
	clxs_target t;
	if (clxs_api_target_open(req, &t, &err) != CLXS_OK) {
		clxs_resp_error(resp, &err);
		return;
	}
	char skey[128];
	snprintf(skey, sizeof(skey), "rollback/%s", id);
	json_object *rec = clxs_store_get(req->ctx->store, CLXS_DB_KV, skey, NULL);
	if (!rec && clxs_audit_rollback_record(t.ws, t.warehouse_id, &loc, id, &rec, &err) != CLXS_OK) {
		if (err.code == CLXS_ENOTFOUND)
			clxs_fail(&err, CLXS_ENOTFOUND, "log_file", "no rollback log '%s'", log_file);
		clxs_resp_error(resp, &err);
		clxs_target_close(&t);
		return;
	}
	json_object *report = NULL;
	clxs_code rc;
	if (drop_catalog) {
		/* Asked for explicitly: the whole destination goes. */
		clxs_buf b;
		clxs_buf_init(&b);
		report = json_object_new_object();
		json_object *actions = json_object_new_array(), *a = json_object_new_object();
		rc = clxs_sql_appendf(&b, &err, "DROP CATALOG IF EXISTS %I CASCADE",
				      clxs_json_str(rec, "destination_catalog", ""));
		clxs_ws_result r = {0};
		if (rc == CLXS_OK)
			rc = clxs_ws_sql(t.ws, t.warehouse_id, NULL, NULL, clxs_buf_str(&b), NULL, 0, NULL, &r, &err);
		clxs_ws_result_free(&r);
		clxs_json_set_str(a, "action", "drop destination catalog (drop_catalog)");
		clxs_json_set_str(a, "sql", clxs_buf_str(&b));
		clxs_json_set_str(a, "status", rc == CLXS_OK ? "done" : "failed");
		if (rc != CLXS_OK)
			clxs_json_set_str(a, "error", err.message);
		json_object_array_add(actions, a);
		clxs_json_set_str(report, "rollback_id", id);
		clxs_json_set_str(report, "destination_catalog", clxs_json_str(rec, "destination_catalog", ""));
		clxs_json_set_int(report, "actions_failed", rc == CLXS_OK ? 0 : 1);
		json_object_object_add(report, "actions", actions);
		clxs_buf_free(&b);
		rc = CLXS_OK;
	} else {
		rc = clxs_rollback_run(t.ws, t.warehouse_id, rec, &report, &err);
	}
	if (rc != CLXS_OK) {
		json_object_put(report);
		clxs_resp_error(resp, &err);
	} else {
		bool ok = clxs_json_int(report, "actions_failed", 0) == 0;
		clxs_json_set_str(report, "status", ok ? "completed" : "failed");
		clxs_json_set_str(report, "log_file", log_file);
		clxs_json_set_bool(report, "drop_catalog", drop_catalog);
		clxs_error aerr;
		clxs_error_clear(&aerr);
		if (clxs_audit_mark_rolled_back(t.ws, t.warehouse_id, &loc, id, report, &aerr) != CLXS_OK)
			clxs_json_set_str(report, "audit_warning", aerr.message);
		clxs_resp_json(resp, 200, report);
	}
	json_object_put(rec);
	clxs_target_close(&t);
}

const char clxs_rollback_body_schema[] =
	"{\"type\":\"object\",\"required\":[\"log_file\"],\"additionalProperties\":false,\"properties\":{"
	"\"log_file\":{\"type\":\"string\",\"description\":\"Rollback log file name (rollback_<id>.json) or rollback id\"},"
	"\"warehouse_id\":{\"type\":\"string\",\"description\":\"SQL warehouse ID\"},"
	"\"drop_catalog\":{\"type\":\"boolean\",\"default\":false,\"description\":\"Drop entire destination catalog\"}}}";
