/* INCREMENTAL clones: which tables moved since the last successful clone. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/store.h"
#include "clxs/workspace.h"

static void state_key(json_object *opts, char *buf, size_t len)
{
	snprintf(buf, len, "clone-state/%s/%s", clxs_json_str(opts, "source_catalog", ""),
		 clxs_json_str(opts, "destination_catalog", ""));
}

static bool incremental(json_object *opts)
{
	return !strcmp(clxs_json_str(opts, "load_type", "FULL"), "INCREMENTAL");
}

clxs_code clxs_clone_incremental_prepare(struct clxs_ws_client *ws, const char *wh, struct clxs_store *store,
					 json_object *model, json_object *opts, clxs_error *err)
{
	if (!incremental(opts) || !store)
		return CLXS_OK;
	char key[600];
	state_key(opts, key, sizeof(key));
	json_object *prev = clxs_store_get(store, CLXS_DB_KV, key, NULL);
	json_object_object_add(model, "previous_versions", prev ? prev : json_object_new_object());
	json_object *cur = json_object_new_object();
	json_object_object_add(model, "source_versions", cur);
	json_object *tables = json_object_object_get(model, "tables");
	const char *src = clxs_json_str(opts, "source_catalog", "");
	for (size_t i = 0; tables && i < json_object_array_length(tables); i++) {
		json_object *t = json_object_array_get_idx(tables, i);
		const char *schema = clxs_json_str(t, "schema", ""), *name = clxs_json_str(t, "name", "");
		if (!strcasecmp(clxs_json_str(t, "table_type", ""), "STREAMING_TABLE") ||
		    !clxs_clone_selected(opts, schema, name, "table"))
			continue;
		clxs_buf b;
		clxs_buf_init(&b);
		clxs_ws_result r = {0};
		clxs_code rc = clxs_sql_appendf(&b, err, "DESCRIBE HISTORY %Q LIMIT 1", src, schema, name);
		if (rc == CLXS_OK)
			rc = clxs_ws_sql(ws, wh, NULL, NULL, clxs_buf_str(&b), NULL, 0, NULL, &r, err);
		int col = clxs_ws_result_col(&r, "version");
		const char *v = r.nrows > 0 && col >= 0 ? clxs_ws_result_cell(&r, 0, (size_t)col) : NULL;
		char k[600];
		snprintf(k, sizeof(k), "%s.%s", schema, name);
		/* A table whose version cannot be read is cloned: never skipped blind. */
		if (rc == CLXS_OK && v)
			clxs_json_set_str(cur, k, v);
		clxs_ws_result_free(&r);
		clxs_buf_free(&b);
	}
	return CLXS_OK;
}

void clxs_clone_incremental_record(struct clxs_store *store, json_object *model, json_object *opts,
				   json_object *result)
{
	json_object *cur = json_object_object_get(model, "source_versions");
	if (!store || !cur || !result)
		return;
	char key[600];
	state_key(opts, key, sizeof(key));
	json_object *state = clxs_store_get(store, CLXS_DB_KV, key, NULL);
	if (!state)
		state = json_object_new_object();
	/* Only tables now in sync with the version read before the run. */
	json_object *objs = json_object_object_get(result, "objects");
	for (size_t i = 0; objs && i < json_object_array_length(objs); i++) {
		json_object *o = json_object_array_get_idx(objs, i);
		const char *st = clxs_json_str(o, "status", "");
		if (strcmp(clxs_json_str(o, "object_type", ""), "table") != 0)
			continue;
		const char *name = clxs_json_str(o, "object", "");
		const char *v = clxs_json_str(cur, name, NULL);
		bool in_sync = !strcmp(st, "cloned") ||
			       (!strcmp(st, "skipped") && strstr(clxs_json_str(o, "reason", ""), "unchanged"));
		if (v && in_sync)
			clxs_json_set_str(state, name, v);
		else
			json_object_object_del(state, name);
	}
	clxs_store_put(store, CLXS_DB_KV, key, state, NULL);
	json_object_put(state);
}
