/* POST /api/snapshot: a point-in-time metadata snapshot of a catalog
 * (schemas, tables with their columns, views with their definitions,
 * functions) written as JSON into STATE/exports, for before/after
 * comparisons. Files are written by the exports writer of the analysis
 * module (clxs_an_write_export), which confines them to that folder. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clxs/analysis.h"
#include "clxs/util.h"
#include "mg_internal.h"

clxs_code clxs_mg_metadata_snapshot(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "source_catalog", "");
	json_object *tables = NULL, *g = NULL;
	clxs_code rc = mg_catalog_tables(c, cat, NULL, req, "source_catalog", &tables, err);
	if (!rc)
		rc = clxs_mg_dep_graph(c, cat, &g, err);
	if (rc) {
		json_object_put(tables);
		return rc;
	}
	char now[32];
	clxs_iso8601(clxs_now_ms(), now);
	json_object *snap = json_object_new_object(), *tl = json_object_new_array(), *vl = json_object_new_array(),
		    *fl = json_object_new_array(), *schemas = json_object_new_object();
	clxs_json_set_str(snap, "catalog", cat);
	clxs_json_set_str(snap, "captured_at", now);
	json_object *keys = mg_sorted_keys(tables), *objs = json_object_object_get(g, "objects");
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		json_object *t = json_object_object_get(tables, k);
		json_object_object_add(schemas, clxs_json_str(t, "schema", ""), json_object_new_boolean(1));
		if (!strcasecmp(clxs_json_str(t, "table_type", ""), "VIEW")) {
			json_object *v = json_object_new_object();
			clxs_json_set_str(v, "schema", clxs_json_str(t, "schema", ""));
			clxs_json_set_str(v, "name", clxs_json_str(t, "name", ""));
			clxs_json_set_str(v, "definition", clxs_json_str(json_object_object_get(objs, k), "definition", NULL));
			json_object_object_add(v, "columns", json_object_get(json_object_object_get(t, "columns")));
			json_object_array_add(vl, v);
		} else {
			json_object_array_add(tl, json_object_get(t));
		}
	}
	json_object_put(keys);
	keys = mg_sorted_keys(objs);
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		json_object *f = json_object_object_get(objs, json_object_get_string(json_object_array_get_idx(keys, i)));
		if (strcmp(clxs_json_str(f, "kind", ""), "FUNCTION") != 0 || mg_excluded(req, clxs_json_str(f, "schema", NULL)))
			continue;
		json_object_array_add(fl, json_object_get(f));
	}
	json_object_put(keys);
	json_object_object_add(snap, "schemas", mg_sorted_keys(schemas));
	json_object_object_add(snap, "tables", tl);
	json_object_object_add(snap, "views", vl);
	json_object_object_add(snap, "functions", fl);
	json_object_put(schemas);
	json_object_put(tables);
	json_object_put(g);
	/* Default name: the catalog (anything but [A-Za-z0-9_-] replaced) and the time. */
	char name[256], rel[300];
	const char *want = clxs_json_str(req, "output_path", NULL);
	if (want) {
		const char *base = strrchr(want, '/');
		snprintf(name, sizeof(name), "%s", base ? base + 1 : want);
	} else {
		char stamp[32];
		snprintf(stamp, sizeof(stamp), "%.4s%.2s%.2sT%.2s%.2s%.2s", now, now + 5, now + 8, now + 11, now + 14,
			 now + 17);
		snprintf(name, sizeof(name), "%.120s_snapshot_%s.json", cat, stamp);
		for (char *p = name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      strchr("_-.", *p)))
				*p = '_';
		if (name[0] == '.')
			name[0] = '_';
	}
	const char *text = json_object_to_json_string_ext(snap, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = clxs_an_write_export(c->state_dir, name, text, strlen(text), rel, sizeof(rel), err);
	if (!rc) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "output_path", rel);
		clxs_json_set_str(o, "source_catalog", cat);
		clxs_json_set_str(o, "captured_at", now);
		clxs_json_set_int(o, "schemas", (int64_t)json_object_array_length(json_object_object_get(snap, "schemas")));
		clxs_json_set_int(o, "tables", (int64_t)json_object_array_length(tl));
		clxs_json_set_int(o, "views", (int64_t)json_object_array_length(vl));
		clxs_json_set_int(o, "functions", (int64_t)json_object_array_length(fl));
		*out = o;
	}
	json_object_put(snap);
	return rc;
}
