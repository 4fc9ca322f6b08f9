/* Clone snapshots: a named record of every table's current version (and
 * size) in a catalog, kept as one row of <audit>.clone_snapshots, so a
 * later clone can be made "as of" that fork point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/util.h"
#include "mg_audit.h"

static const char cols[] = "snapshot_id, name, source_catalog, description, captured_at, created_by,"
			   " table_count, total_bytes";

clxs_code clxs_mg_snapshot_create(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *src = clxs_json_str(req, "source_catalog", "");
	json_object *all = NULL;
	clxs_code rc = mg_catalog_tables(c, src, NULL, req, "source_catalog", &all, err);
	if (rc)
		return rc;
	json_object *keys = mg_sorted_keys(all), *list = json_object_new_array();
	int64_t total = 0;
	for (size_t i = 0; !rc && i < json_object_array_length(keys); i++) {
		json_object *t = json_object_object_get(all, json_object_get_string(json_object_array_get_idx(keys, i)));
		if (!strcasecmp(clxs_json_str(t, "table_type", ""), "VIEW"))
			continue;
		const char *s = clxs_json_str(t, "schema", ""), *n = clxs_json_str(t, "name", "");
		int64_t v = -1, size = 0;
		clxs_ws_result r = {0};
		if ((rc = mg_table_version(c, src, s, n, &v, err)))
			break;
		if (mg_sql(c, &r, NULL, "DESCRIBE DETAIL %Q", src, s, n) == CLXS_OK && mg_cell(&r, 0, "sizeInBytes"))
			size = atoll(mg_cell(&r, 0, "sizeInBytes"));
		clxs_ws_result_free(&r);
		json_object *e = json_object_new_object();
		clxs_json_set_str(e, "schema", s);
		clxs_json_set_str(e, "table", n);
		clxs_json_set_int(e, "version", v);
		clxs_json_set_int(e, "size_bytes", size);
		json_object_array_add(list, e);
		total += size;
	}
	json_object_put(keys);
	json_object_put(all);
	char id[37], now[32];
	char *me = NULL;
	if (!rc && clxs_uuid4(id))
		rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "cannot generate a snapshot id");
	if (!rc)
		rc = mg_audit_ensure(c, "clone_snapshots", err);
	if (rc) {
		json_object_put(list);
		return rc;
	}
	clxs_iso8601(clxs_now_ms(), now);
	clxs_ws_current_user(c->ws, &me, NULL);
	const char *cat, *sch;
	mg_audit_location(c, &cat, &sch);
	char cnt[32], tot[32];
	snprintf(cnt, sizeof(cnt), "%zu", json_object_array_length(list));
	snprintf(tot, sizeof(tot), "%lld", (long long)total);
	/* Every value is a bound parameter. */
	clxs_ws_param p[] = {{"id", id, "STRING"},
			     {"name", clxs_json_str(req, "name", ""), "STRING"},
			     {"src", src, "STRING"},
			     {"descr", clxs_json_str(req, "description", NULL), "STRING"},
			     {"at", now, "STRING"},
			     {"by", me ? me : "", "STRING"},
			     {"cnt", cnt, "BIGINT"},
			     {"tot", tot, "BIGINT"},
			     {"tables", json_object_to_json_string_ext(list, JSON_C_TO_STRING_PLAIN), "STRING"}};
	clxs_ws_result r = {0};
	rc = mg_sqlp(c, &r, p, sizeof(p) / sizeof(p[0]), err,
		     "INSERT INTO %Q VALUES (:id, :name, :src, :descr, :at, :by, :cnt, :tot, :tables)", cat, sch,
		     "clone_snapshots");
	clxs_ws_result_free(&r);
	if (rc) {
		free(me);
		json_object_put(list);
		return rc;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "snapshot_id", id);
	clxs_json_set_str(o, "name", clxs_json_str(req, "name", ""));
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "description", clxs_json_str(req, "description", NULL));
	clxs_json_set_str(o, "captured_at", now);
	clxs_json_set_str(o, "created_by", me);
	clxs_json_set_int(o, "table_count", (int64_t)json_object_array_length(list));
	clxs_json_set_int(o, "total_bytes", total);
	json_object_object_add(o, "tables", list);
	free(me);
	*out = o;
	return CLXS_OK;
}

clxs_code clxs_mg_snapshot_list(clxs_mg_ctx *c, const char *source_catalog, json_object **out, clxs_error *err)
{
	const char *cat, *sch;
	mg_audit_location(c, &cat, &sch);
	clxs_ws_result r = {0};
	clxs_ws_param p = {"src", source_catalog, "STRING"};
	clxs_code rc = mg_sqlp(c, &r, &p, source_catalog ? 1 : 0, err, "SELECT %K FROM %Q%K ORDER BY captured_at DESC",
			       cols, cat, sch, "clone_snapshots",
			       source_catalog ? " WHERE source_catalog = :src" : "");
	/* No snapshot taken yet: an empty list, not an error. */
	if (rc && mg_audit_missing(err))
		rc = CLXS_OK;
	if (!rc) {
		*out = json_object_new_array();
		for (size_t i = 0; i < r.nrows; i++)
			json_object_array_add(*out, mg_row_object(&r, i));
	}
	clxs_ws_result_free(&r);
	return rc;
}

clxs_code clxs_mg_snapshot_get(clxs_mg_ctx *c, const char *id, json_object **out, clxs_error *err)
{
	const char *cat, *sch;
	mg_audit_location(c, &cat, &sch);
	clxs_ws_result r = {0};
	clxs_ws_param p = {"id", id, "STRING"};
	clxs_code rc = mg_sqlp(c, &r, &p, 1, err, "SELECT %K, tables_json FROM %Q WHERE snapshot_id = :id", cols, cat,
			       sch, "clone_snapshots");
	if ((rc && mg_audit_missing(err)) || (!rc && r.nrows == 0))
		rc = clxs_fail(err, CLXS_ENOTFOUND, "snapshot_id", "snapshot '%s' not found", id);
	if (!rc) {
		json_object *o = mg_row_object(&r, 0);
		json_object *t = json_tokener_parse(clxs_json_str(o, "tables_json", "[]"));
		json_object_object_del(o, "tables_json");
		json_object_object_add(o, "tables", t ? t : json_object_new_array());
		*out = o;
	}
	clxs_ws_result_free(&r);
	return rc;
}

clxs_code clxs_mg_snapshot_delete(clxs_mg_ctx *c, const char *id, json_object **out, clxs_error *err)
{
	const char *cat, *sch;
	mg_audit_location(c, &cat, &sch);
	clxs_ws_result r = {0};
	clxs_ws_param p = {"id", id, "STRING"};
	clxs_code rc = mg_sqlp(c, &r, &p, 1, err, "DELETE FROM %Q WHERE snapshot_id = :id", cat, sch, "clone_snapshots");
	clxs_ws_result_free(&r);
	/* Idempotent: a missing table holds no such snapshot either. */
	if (rc && mg_audit_missing(err))
		rc = CLXS_OK;
	if (!rc) {
		*out = json_object_new_object();
		clxs_json_set_str(*out, "snapshot_id", id);
		clxs_json_set_bool(*out, "deleted", true);
	}
	return rc;
}
