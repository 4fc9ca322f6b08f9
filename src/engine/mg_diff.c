/* Structure comparison of two catalogs, shared by sync, monitor and schema
 * evolution: schemas, tables and views present on one side only, and the
 * column changes of tables present on both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mg_diff.h"

static json_object *find_col(json_object *cols, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(cols); i++) {
		json_object *c = json_object_array_get_idx(cols, i);
		if (!strcasecmp(clxs_json_str(c, "name", ""), name))
			return c;
	}
	return NULL;
}

static void change(json_object *out, const char *kind, json_object *sc, json_object *dc)
{
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "change", kind);
	clxs_json_set_str(o, "column", clxs_json_str(sc ? sc : dc, "name", ""));
	clxs_json_set_str(o, "source_type", sc ? clxs_json_str(sc, "type", "") : NULL);
	clxs_json_set_str(o, "dest_type", dc ? clxs_json_str(dc, "type", "") : NULL);
	if (!strcmp(kind, "nullability_changed")) {
		clxs_json_set_bool(o, "source_nullable", clxs_json_bool(sc, "nullable", true));
		clxs_json_set_bool(o, "dest_nullable", clxs_json_bool(dc, "nullable", true));
	}
	json_object_array_add(out, o);
}

json_object *mg_column_changes(json_object *src_table, json_object *dst_table)
{
	json_object *out = json_object_new_array();
	json_object *sc = json_object_object_get(src_table, "columns"), *dc = json_object_object_get(dst_table, "columns");
	for (size_t i = 0; i < json_object_array_length(sc); i++) {
		json_object *s = json_object_array_get_idx(sc, i);
		json_object *d = find_col(dc, clxs_json_str(s, "name", ""));
		if (!d)
			change(out, "added", s, NULL);
		else if (strcasecmp(clxs_json_str(s, "type", ""), clxs_json_str(d, "type", "")) != 0)
			change(out, "type_changed", s, d);
		else if (clxs_json_bool(s, "nullable", true) != clxs_json_bool(d, "nullable", true))
			change(out, "nullability_changed", s, d);
	}
	for (size_t i = 0; i < json_object_array_length(dc); i++) {
		json_object *d = json_object_array_get_idx(dc, i);
		if (!find_col(sc, clxs_json_str(d, "name", "")))
			change(out, "removed", NULL, d);
	}
	return out;
}

static clxs_code schemas(clxs_mg_ctx *c, const char *cat, json_object *req, json_object **out, clxs_error *err)
{
	clxs_ws_result r = {0};
	clxs_code rc = mg_sql(c, &r, err, "SELECT schema_name FROM %I.%K.%K ORDER BY schema_name", cat,
			      "information_schema", "schemata");
	*out = json_object_new_object();
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *s = clxs_ws_result_cell(&r, i, 0);
		if (s && !mg_excluded(req, s))
			json_object_object_add(*out, s, json_object_new_boolean(1));
	}
	clxs_ws_result_free(&r);
	return rc;
}

static bool is_view(json_object *t)
{
	return !strcasecmp(clxs_json_str(t, "table_type", ""), "VIEW");
}

clxs_code mg_compare(clxs_mg_ctx *c, json_object *req, const char *src, const char *dst, bool dst_may_be_missing,
		     json_object **out, clxs_error *err)
{
	*out = NULL;
	json_object *st = NULL, *dt = NULL, *ss = NULL, *ds = NULL;
	bool dst_exists = true;
	clxs_code rc = mg_catalog_tables(c, src, NULL, req, "source_catalog", &st, err);
	if (!rc)
		rc = schemas(c, src, req, &ss, err);
	if (!rc && (rc = mg_catalog_exists(c, dst, &dst_exists, err)) == CLXS_OK) {
		if (!dst_exists && !dst_may_be_missing)
			rc = clxs_fail(err, CLXS_ENOTFOUND, "destination_catalog", "catalog '%s' does not exist", dst);
		else if (dst_exists && !(rc = mg_catalog_tables(c, dst, NULL, req, "destination_catalog", &dt, err)))
			rc = schemas(c, dst, req, &ds, err);
	}
	if (rc) {
		json_object_put(st);
		json_object_put(dt);
		json_object_put(ss);
		json_object_put(ds);
		return rc;
	}
	if (!dt)
		dt = json_object_new_object();
	if (!ds)
		ds = json_object_new_object();
	json_object *o = json_object_new_object();
	json_object *ms = json_object_new_array(), *es = json_object_new_array(), *mt = json_object_new_array(),
		    *et = json_object_new_array(), *mv = json_object_new_array(), *ev = json_object_new_array(),
		    *changed = json_object_new_array();
	json_object *keys = mg_sorted_keys(ss);
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(keys, i));
		if (!json_object_object_get(ds, s))
			mg_push(ms, s);
	}
	json_object_put(keys);
	keys = mg_sorted_keys(ds);
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(keys, i));
		if (!json_object_object_get(ss, s))
			mg_push(es, s);
	}
	json_object_put(keys);
	keys = mg_sorted_keys(st);
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		json_object *s = json_object_object_get(st, k), *d = json_object_object_get(dt, k);
		if (!d) {
			mg_push(is_view(s) ? mv : mt, k);
			continue;
		}
		if (is_view(s) || is_view(d))
			continue;
		json_object *ch = mg_column_changes(s, d);
		if (json_object_array_length(ch) > 0) {
			json_object *e = json_object_new_object();
			clxs_json_set_str(e, "table", k);
			json_object_object_add(e, "changes", ch);
			json_object_array_add(changed, e);
		} else {
			json_object_put(ch);
		}
	}
	json_object_put(keys);
	keys = mg_sorted_keys(dt);
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		json_object *d = json_object_object_get(dt, k);
		if (!json_object_object_get(st, k))
			mg_push(is_view(d) ? ev : et, k);
	}
	json_object_put(keys);
	clxs_json_set_bool(o, "destination_exists", dst_exists);
	json_object_object_add(o, "missing_schemas", ms);
	json_object_object_add(o, "extra_schemas", es);
	json_object_object_add(o, "missing_tables", mt);
	json_object_object_add(o, "extra_tables", et);
	json_object_object_add(o, "missing_views", mv);
	json_object_object_add(o, "extra_views", ev);
	json_object_object_add(o, "changed_tables", changed);
	json_object_object_add(o, "source", st);
	json_object_object_add(o, "destination", dt);
	json_object_put(ss);
	json_object_put(ds);
	*out = o;
	return CLXS_OK;
}
