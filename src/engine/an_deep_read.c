/* What the deep diff needs beyond clxs_clone_discover's model: table
 * properties (information_schema has no view of them; the Unity Catalog
 * tables listing carries them, one paginated call per schema) and the
 * files of every volume (the Files API directory listing, walked
 * recursively; names are used as single path components, URL-encoded by
 * clxs_ws_volume_path, never pasted into a path). A listing that fails
 * marks its class unreadable in model["read_errors"] so the diff reports
 * it instead of comparing half a catalog. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "an_internal.h"
#include "clxs/json.h"
#include "clxs/ws_files.h"

#define MAX_DEPTH 64

static void read_error(json_object *model, const char *cls, const char *msg)
{
	json_object *re = json_object_object_get(model, "read_errors");
	if (!re) {
		re = json_object_new_object();
		json_object_object_add(model, "read_errors", re);
	}
	if (!json_object_object_get(re, cls))
		clxs_json_set_str(re, cls, msg);
}

static clxs_code read_properties(clxs_ws_client *ws, json_object *model, json_object *opts, clxs_error *err)
{
	const char *cat = clxs_json_str(json_object_object_get(model, "catalog"), "name", "");
	json_object *schemas = json_object_object_get(model, "schemas"), *tables = json_object_object_get(model, "tables");
	for (size_t i = 0; schemas && i < json_object_array_length(schemas); i++) {
		const char *sch = clxs_json_str(json_object_array_get_idx(schemas, i), "name", NULL);
		if (clxs_an_schema_skipped(opts, sch))
			continue;
		const char *q[] = {"catalog_name", cat, "schema_name", sch, "omit_columns", "true", NULL};
		json_object *list = NULL;
		clxs_code rc = clxs_ws_list(ws, "/api/2.1/unity-catalog/tables", q, "tables", 0, &list, err);
		if (rc != CLXS_OK)
			return rc;
		for (size_t j = 0; j < json_object_array_length(list); j++) {
			json_object *ut = json_object_array_get_idx(list, j), *props = json_object_object_get(ut, "properties");
			for (size_t k = 0; tables && k < json_object_array_length(tables); k++) {
				json_object *t = json_object_array_get_idx(tables, k);
				if (!strcasecmp(clxs_json_str(t, "schema", ""), sch) &&
				    !strcasecmp(clxs_json_str(t, "name", ""), clxs_json_str(ut, "name", ""))) {
					json_object_object_add(t, "properties",
							       props ? json_object_get(props) : json_object_new_object());
					break;
				}
			}
		}
		json_object_put(list);
	}
	return CLXS_OK;
}

typedef struct {
	clxs_ws_client *ws;
	const char *cat, *schema, *volume;
	json_object *files;
} walk_ctx;

static void add_file(walk_ctx *w, const char *rel, json_object *size)
{
	json_object *f = json_object_new_object();
	char vol[600];
	snprintf(vol, sizeof(vol), "%s.%s", w->schema, w->volume);
	clxs_json_set_str(f, "volume", vol);
	clxs_json_set_str(f, "path", rel);
	json_object_object_add(f, "size", size);
	json_object_array_add(w->files, f);
}

/* dir is "" for the root, else "a/b/". Directories are entries too (size
 * null), so an empty directory the clone lost is reported. */
static clxs_code walk(walk_ctx *w, const char *dir, int depth, clxs_error *err)
{
	if (depth > MAX_DEPTH)
		return clxs_fail(err, CLXS_EINVAL, NULL, "directory '%.200s' is nested too deep", dir);
	clxs_buf lp;
	clxs_buf_init(&lp);
	json_object *entries = NULL;
	static const char *const q[] = {"page_size", "1000", NULL};
	clxs_code rc = clxs_ws_volume_path(&lp, "directories", w->cat, w->schema, w->volume, dir, err);
	if (rc == CLXS_OK)
		rc = clxs_ws_list(w->ws, clxs_buf_str(&lp), q, "contents", 0, &entries, err);
	clxs_buf_free(&lp);
	for (size_t i = 0; rc == CLXS_OK && i < json_object_array_length(entries); i++) {
		json_object *ent = json_object_array_get_idx(entries, i);
		char name[1024], rel[8192];
		snprintf(name, sizeof(name), "%s", clxs_json_str(ent, "name", ""));
		size_t n = strlen(name);
		if (n && name[n - 1] == '/')
			name[--n] = '\0';
		bool isdir = clxs_json_bool(ent, "is_directory", false);
		int len = snprintf(rel, sizeof(rel), "%s%s%s", dir, name, isdir ? "/" : "");
		if (!n || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") || len < 0 ||
		    (size_t)len >= sizeof(rel)) {
			rc = clxs_fail(err, CLXS_EINVAL, NULL, "the listing named an invalid entry '%.200s'", name);
			break;
		}
		if (isdir) {
			add_file(w, rel, NULL);
			rc = walk(w, rel, depth + 1, err);
		} else {
			json_object *sz = json_object_object_get(ent, "file_size");
			add_file(w, rel, sz ? json_object_get(sz) : NULL);
		}
	}
	json_object_put(entries);
	return rc;
}

static clxs_code read_files(clxs_ws_client *ws, json_object *model, json_object *opts, clxs_error *err)
{
	const char *cat = clxs_json_str(json_object_object_get(model, "catalog"), "name", "");
	json_object *vols = json_object_object_get(model, "volumes"), *files = json_object_new_array();
	json_object_object_add(model, "volume_files", files);
	for (size_t i = 0; vols && i < json_object_array_length(vols); i++) {
		json_object *v = json_object_array_get_idx(vols, i);
		if (clxs_an_schema_skipped(opts, clxs_json_str(v, "schema", NULL)))
			continue;
		walk_ctx w = {ws, cat, clxs_json_str(v, "schema", ""), clxs_json_str(v, "name", ""), files};
		clxs_code rc = walk(&w, "", 0, err);
		if (rc != CLXS_OK)
			return rc;
	}
	return CLXS_OK;
}

void clxs_an_deep_read(clxs_ws_client *ws, json_object *model, json_object *opts)
{
	clxs_error e;
	char msg[sizeof(e.message) + 64];
	clxs_error_clear(&e);
	if (!clxs_an_class_skipped(opts, "properties") && read_properties(ws, model, opts, &e) != CLXS_OK) {
		snprintf(msg, sizeof(msg), "reading %s's table properties: %s",
			 clxs_json_str(json_object_object_get(model, "catalog"), "name", ""), e.message);
		read_error(model, "properties", msg);
	}
	clxs_error_clear(&e);
	if (!clxs_an_class_skipped(opts, "volume_files") && read_files(ws, model, opts, &e) != CLXS_OK) {
		snprintf(msg, sizeof(msg), "listing %s's volume files: %s",
			 clxs_json_str(json_object_object_get(model, "catalog"), "name", ""), e.message);
		read_error(model, "volume_files", msg);
	}
	/* Discovery's warnings (an information_schema view it could not read)
	 * leave classes incomplete: say which. */
	json_object *warn = json_object_object_get(model, "warnings");
	static const struct {
		const char *view, *cls;
	} views[] = {{"information_schema.routines", "functions"}, {"information_schema.volumes", "volumes"},
		     {"_privileges", "grants"}, {"_tags", "tags"}, {"information_schema.views", "view_definitions"},
		     {"row_filters", "row_filters"}, {"column_masks", "column_masks"}, {"constraint", "constraints"},
		     {"key_column_usage", "constraints"}};
	for (size_t i = 0; warn && i < json_object_array_length(warn); i++) {
		const char *w = json_object_get_string(json_object_array_get_idx(warn, i));
		for (size_t k = 0; w && k < sizeof(views) / sizeof(views[0]); k++)
			if (strstr(w, views[k].view))
				read_error(model, views[k].cls, w);
	}
}
