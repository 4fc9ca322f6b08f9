/* Discovery: the source catalog's objects and governance from its
 * information_schema, one query per view, assembled into the model the
 * planner takes. Own grants only: inherited privileges are the parent's and
 * are cloned there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/workspace.h"

typedef struct {
	clxs_ws_client *ws;
	const char *wh, *cat;
	json_object *model, *warnings;
	json_object *index; /* "kind:schema.name" -> object in the model */
	int queries;
} disc;

/* Run `SELECT <cols> FROM `cat`.information_schema.<view> [WHERE ...]`.
 * Returns false (with a warning) when the view cannot be read. */
static bool query(disc *d, const char *view, const char *cols, const char *where, clxs_ws_result *res,
		  clxs_error *err)
{
	clxs_buf b;
	clxs_buf_init(&b);
	/* cols and where are literals from this file; the catalog is quoted and
	 * the catalog filter is a bound parameter. */
	clxs_code rc = clxs_sql_appendf(&b, err, "SELECT %K FROM %I.%K.%K", cols, d->cat,
					"information_schema", view);
	if (rc == CLXS_OK && where)
		rc = clxs_sql_appendf(&b, err, " WHERE %K", where);
	if (rc != CLXS_OK) {
		clxs_buf_free(&b);
		return false;
	}
	clxs_ws_param p = {"cat", d->cat, "STRING"};
	clxs_error e;
	memset(res, 0, sizeof(*res));
	rc = clxs_ws_sql(d->ws, d->wh, NULL, NULL, clxs_buf_str(&b), where ? &p : NULL, where ? 1 : 0,
			 NULL, res, &e);
	clxs_buf_free(&b);
	d->queries++;
	if (rc != CLXS_OK) {
		char msg[700];
		snprintf(msg, sizeof(msg), "information_schema.%s could not be read (%s); its objects are not cloned",
			 view, e.message);
		json_object_array_add(d->warnings, json_object_new_string(msg));
		clxs_ws_result_free(res);
		return false;
	}
	return true;
}

static bool is_info_schema(const char *schema)
{
	return schema && !strcasecmp(schema, "information_schema");
}

static const char *cell(clxs_ws_result *r, size_t row, const char *col)
{
	int c = clxs_ws_result_col(r, col);
	return c < 0 ? NULL : clxs_ws_result_cell(r, row, (size_t)c);
}

/* As cell, with "" for NULL, for text that is always formatted. */
static const char *cellz(clxs_ws_result *r, size_t row, const char *col)
{
	const char *v = cell(r, row, col);
	return v ? v : "";
}

static void set_str(json_object *o, const char *key, const char *v)
{
	if (v)
		clxs_json_set_str(o, key, v);
}

static json_object *lookup(disc *d, const char *kind, const char *schema, const char *name)
{
	char key[800];
	snprintf(key, sizeof(key), "%s:%s.%s", kind, schema ? schema : "", name ? name : "");
	for (char *p = key; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return json_object_object_get(d->index, key);
}

static void remember(disc *d, const char *kind, const char *schema, const char *name, json_object *o)
{
	char key[800];
	snprintf(key, sizeof(key), "%s:%s.%s", kind, schema ? schema : "", name ? name : "");
	for (char *p = key; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	json_object_object_add(d->index, key, json_object_get(o));
}

static json_object *child(json_object *o, const char *key, json_type type)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		v = type == json_type_array ? json_object_new_array() : json_object_new_object();
		json_object_object_add(o, key, v);
	}
	return v;
}

static void add_grant(json_object *obj, const char *principal, const char *privilege)
{
	json_object *grants = child(obj, "grants", json_type_array);
	for (size_t i = 0; i < json_object_array_length(grants); i++) {
		json_object *g = json_object_array_get_idx(grants, i);
		if (!strcmp(clxs_json_str(g, "principal", ""), principal)) {
			json_object_array_add(child(g, "privileges", json_type_array),
					      json_object_new_string(privilege));
			return;
		}
	}
	json_object *g = json_object_new_object();
	clxs_json_set_str(g, "principal", principal);
	json_object *privs = json_object_new_array();
	json_object_array_add(privs, json_object_new_string(privilege));
	json_object_object_add(g, "privileges", privs);
	json_object_array_add(grants, g);
}

/* Own grants only: inherited_from NONE (or absent on older workspaces). */
static bool own_grant(clxs_ws_result *r, size_t i)
{
	const char *inh = cell(r, i, "inherited_from");
	return !inh || !strcasecmp(inh, "NONE");
}

static void read_objects(disc *d, clxs_error *err)
{
	clxs_ws_result r;
	json_object *m = d->model;
	json_object *cat = child(m, "catalog", json_type_object);
	clxs_json_set_str(cat, "name", d->cat);
	if (query(d, "catalogs", "catalog_name, catalog_owner, comment", "catalog_name = :cat", &r, err)) {
		if (r.nrows > 0) {
			set_str(cat, "owner", cell(&r, 0, "catalog_owner"));
			set_str(cat, "comment", cell(&r, 0, "comment"));
		}
		clxs_ws_result_free(&r);
	}
	remember(d, "catalog", NULL, NULL, cat);
	json_object *schemas = child(m, "schemas", json_type_array);
	if (query(d, "schemata", "schema_name, schema_owner, comment", "catalog_name = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *s = json_object_new_object();
			set_str(s, "name", cell(&r, i, "schema_name"));
			set_str(s, "owner", cell(&r, i, "schema_owner"));
			set_str(s, "comment", cell(&r, i, "comment"));
			json_object_array_add(schemas, s);
			remember(d, "schema", NULL, cell(&r, i, "schema_name"), s);
		}
		clxs_ws_result_free(&r);
	}
	json_object *tables = child(m, "tables", json_type_array);
	json_object *views = child(m, "views", json_type_array);
	if (query(d, "tables", "table_schema, table_name, table_type, data_source_format, table_owner, comment",
		  "table_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			if (is_info_schema(cell(&r, i, "table_schema")))
				continue;
			json_object *t = json_object_new_object();
			const char *type = cell(&r, i, "table_type");
			set_str(t, "schema", cell(&r, i, "table_schema"));
			set_str(t, "name", cell(&r, i, "table_name"));
			set_str(t, "table_type", type);
			set_str(t, "data_source_format", cell(&r, i, "data_source_format"));
			set_str(t, "owner", cell(&r, i, "table_owner"));
			set_str(t, "comment", cell(&r, i, "comment"));
			bool is_view = type && (!strcasecmp(type, "VIEW") || !strcasecmp(type, "MATERIALIZED_VIEW"));
			json_object_array_add(is_view ? views : tables, t);
			remember(d, is_view ? "view" : "table", cell(&r, i, "table_schema"),
				 cell(&r, i, "table_name"), t);
			if (is_view) /* views share the table namespace for grants and tags */
				remember(d, "table", cell(&r, i, "table_schema"), cell(&r, i, "table_name"), t);
		}
		clxs_ws_result_free(&r);
	}
	if (query(d, "views", "table_schema, table_name, view_definition", "table_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *v = lookup(d, "view", cell(&r, i, "table_schema"), cell(&r, i, "table_name"));
			if (v)
				set_str(v, "definition", cell(&r, i, "view_definition"));
		}
		clxs_ws_result_free(&r);
	}
	if (query(d, "columns", "table_schema, table_name, column_name, ordinal_position, full_data_type, "
		  "is_nullable, comment", "table_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *t = lookup(d, "table", cell(&r, i, "table_schema"), cell(&r, i, "table_name"));
			if (!t)
				continue;
			json_object *c = json_object_new_object();
			set_str(c, "name", cell(&r, i, "column_name"));
			set_str(c, "type_text", cell(&r, i, "full_data_type"));
			const char *nul = cell(&r, i, "is_nullable");
			clxs_json_set_bool(c, "nullable", !nul || !strcasecmp(nul, "YES"));
			set_str(c, "comment", cell(&r, i, "comment"));
			json_object_array_add(child(t, "columns", json_type_array), c);
		}
		clxs_ws_result_free(&r);
	}
	json_object *functions = child(m, "functions", json_type_array);
	if (query(d, "routines", "specific_schema, specific_name, routine_body, routine_definition, "
		  "full_data_type, routine_owner, comment", "specific_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *f = json_object_new_object();
			set_str(f, "schema", cell(&r, i, "specific_schema"));
			set_str(f, "name", cell(&r, i, "specific_name"));
			set_str(f, "body", cell(&r, i, "routine_definition"));
			set_str(f, "return_type", cell(&r, i, "full_data_type"));
			set_str(f, "owner", cell(&r, i, "routine_owner"));
			set_str(f, "comment", cell(&r, i, "comment"));
			set_str(f, "routine_body", cell(&r, i, "routine_body"));
			json_object_object_add(f, "parameters", json_object_new_array());
			json_object_array_add(functions, f);
			remember(d, "function", cell(&r, i, "specific_schema"), cell(&r, i, "specific_name"), f);
		}
		clxs_ws_result_free(&r);
	}
	if (query(d, "parameters", "specific_schema, specific_name, parameter_name, ordinal_position, full_data_type",
		  "specific_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *f = lookup(d, "function", cell(&r, i, "specific_schema"), cell(&r, i, "specific_name"));
			if (!f)
				continue;
			json_object *p = json_object_new_object();
			set_str(p, "name", cell(&r, i, "parameter_name"));
			set_str(p, "type_text", cell(&r, i, "full_data_type"));
			/* rows may come in any order: place by ordinal_position */
			json_object *params = child(f, "parameters", json_type_array);
			const char *ord = cell(&r, i, "ordinal_position");
			size_t pos = ord ? (size_t)strtoul(ord, NULL, 10) : json_object_array_length(params) + 1;
			pos = pos > 0 ? pos - 1 : 0; /* 1-based */
			json_object_array_put_idx(params, pos, p);
		}
		clxs_ws_result_free(&r);
	}
	json_object *volumes = child(m, "volumes", json_type_array);
	if (query(d, "volumes", "volume_schema, volume_name, volume_type, volume_owner, comment, storage_location",
		  "volume_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *v = json_object_new_object();
			set_str(v, "schema", cell(&r, i, "volume_schema"));
			set_str(v, "name", cell(&r, i, "volume_name"));
			set_str(v, "volume_type", cell(&r, i, "volume_type"));
			set_str(v, "owner", cell(&r, i, "volume_owner"));
			set_str(v, "comment", cell(&r, i, "comment"));
			set_str(v, "storage_location", cell(&r, i, "storage_location"));
			json_object_array_add(volumes, v);
			remember(d, "volume", cell(&r, i, "volume_schema"), cell(&r, i, "volume_name"), v);
		}
		clxs_ws_result_free(&r);
	}
}

/* A privileges or tags view: which columns name the object. */
typedef struct {
	const char *view, *kind, *cols, *where, *schema_col, *name_col, *column_col;
	bool tags;
} gov_view;

static const gov_view gov_views[] = {
	{"catalog_privileges", "catalog", "grantee, privilege_type, inherited_from", "catalog_name = :cat",
	 NULL, NULL, NULL, false},
	{"schema_privileges", "schema", "grantee, schema_name, privilege_type, inherited_from",
	 "catalog_name = :cat", NULL, "schema_name", NULL, false},
	{"table_privileges", "table", "grantee, table_schema, table_name, privilege_type, inherited_from",
	 "table_catalog = :cat", "table_schema", "table_name", NULL, false},
	{"routine_privileges", "function", "grantee, specific_schema, specific_name, privilege_type, inherited_from",
	 "specific_catalog = :cat", "specific_schema", "specific_name", NULL, false},
	{"volume_privileges", "volume", "grantee, volume_schema, volume_name, privilege_type, inherited_from",
	 "volume_catalog = :cat", "volume_schema", "volume_name", NULL, false},
	{"catalog_tags", "catalog", "tag_name, tag_value", "catalog_name = :cat", NULL, NULL, NULL, true},
	{"schema_tags", "schema", "schema_name, tag_name, tag_value", "catalog_name = :cat", NULL,
	 "schema_name", NULL, true},
	{"table_tags", "table", "schema_name, table_name, tag_name, tag_value", "catalog_name = :cat",
	 "schema_name", "table_name", NULL, true},
	{"column_tags", "table", "schema_name, table_name, column_name, tag_name, tag_value",
	 "catalog_name = :cat", "schema_name", "table_name", "column_name", true},
	{"volume_tags", "volume", "schema_name, volume_name, tag_name, tag_value", "catalog_name = :cat",
	 "schema_name", "volume_name", NULL, true},
};

static json_object *find_column(json_object *t, const char *name)
{
	json_object *cols = json_object_object_get(t, "columns");
	for (size_t i = 0; cols && i < json_object_array_length(cols); i++) {
		json_object *c = json_object_array_get_idx(cols, i);
		if (!strcasecmp(clxs_json_str(c, "name", ""), name))
			return c;
	}
	return NULL;
}

static void read_governance(disc *d, clxs_error *err)
{
	for (size_t v = 0; v < sizeof(gov_views) / sizeof(gov_views[0]); v++) {
		const gov_view *g = &gov_views[v];
		clxs_ws_result r;
		if (!query(d, g->view, g->cols, g->where, &r, err))
			continue;
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *obj = lookup(d, g->kind, g->schema_col ? cell(&r, i, g->schema_col) : NULL,
						  g->name_col ? cell(&r, i, g->name_col) : NULL);
			if (!obj)
				continue;
			if (g->column_col && !(obj = find_column(obj, cell(&r, i, g->column_col) ? cell(&r, i, g->column_col) : "")))
				continue;
			if (g->tags) {
				const char *k = cell(&r, i, "tag_name"), *val = cell(&r, i, "tag_value");
				if (k)
					clxs_json_set_str(child(obj, "tags", json_type_object), k, val ? val : "");
			} else if (own_grant(&r, i) && cell(&r, i, "grantee") && cell(&r, i, "privilege_type")) {
				add_grant(obj, cell(&r, i, "grantee"), cell(&r, i, "privilege_type"));
			}
		}
		clxs_ws_result_free(&r);
	}
}

static json_object *split_list(const char *s)
{
	json_object *arr = json_object_new_array();
	while (s && *s) {
		while (*s == ' ' || *s == ',')
			s++;
		size_t n = strcspn(s, ",");
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n)
			json_object_array_add(arr, json_object_new_string_len(s, (int)n));
		s += strcspn(s, ",");
	}
	return arr;
}

static void read_security(disc *d, clxs_error *err)
{
	clxs_ws_result r;
	char fq[800];
	if (query(d, "row_filters", "schema_name, table_name, filter_catalog, filter_schema, filter_name, filter_col_usage",
		  "catalog_name = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *t = lookup(d, "table", cell(&r, i, "schema_name"), cell(&r, i, "table_name"));
			if (!t)
				continue;
			json_object *f = json_object_new_object();
			snprintf(fq, sizeof(fq), "%s.%s.%s", cellz(&r, i, "filter_catalog"), cellz(&r, i, "filter_schema"),
				 cellz(&r, i, "filter_name"));
			clxs_json_set_str(f, "function", fq);
			json_object_object_add(f, "columns", split_list(cell(&r, i, "filter_col_usage")));
			json_object_object_add(t, "row_filter", f);
		}
		clxs_ws_result_free(&r);
	}
	if (query(d, "column_masks", "schema_name, table_name, column_name, mask_catalog, mask_schema, mask_name, "
		  "mask_col_usage", "catalog_name = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *t = lookup(d, "table", cell(&r, i, "schema_name"), cell(&r, i, "table_name"));
			json_object *c = t ? find_column(t, cell(&r, i, "column_name") ? cell(&r, i, "column_name") : "") : NULL;
			if (!c)
				continue;
			json_object *mk = json_object_new_object();
			snprintf(fq, sizeof(fq), "%s.%s.%s", cellz(&r, i, "mask_catalog"), cellz(&r, i, "mask_schema"),
				 cellz(&r, i, "mask_name"));
			clxs_json_set_str(mk, "function", fq);
			json_object_object_add(mk, "using_columns", split_list(cell(&r, i, "mask_col_usage")));
			json_object_object_add(c, "mask", mk);
		}
		clxs_ws_result_free(&r);
	}
	/* Constraints: kinds, then their columns, then FK targets and CHECK text. */
	if (query(d, "table_constraints", "constraint_name, table_schema, table_name, constraint_type",
		  "table_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *t = lookup(d, "table", cell(&r, i, "table_schema"), cell(&r, i, "table_name"));
			if (!t)
				continue;
			json_object *c = json_object_new_object();
			set_str(c, "name", cell(&r, i, "constraint_name"));
			set_str(c, "type", cell(&r, i, "constraint_type"));
			json_object_object_add(c, "columns", json_object_new_array());
			json_object_array_add(child(t, "constraints", json_type_array), c);
			remember(d, "constraint", cell(&r, i, "table_schema"), cell(&r, i, "constraint_name"), c);
		}
		clxs_ws_result_free(&r);
	}
	if (query(d, "key_column_usage", "constraint_schema, constraint_name, column_name, ordinal_position",
		  "constraint_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *c = lookup(d, "constraint", cell(&r, i, "constraint_schema"), cell(&r, i, "constraint_name"));
			const char *ord = cell(&r, i, "ordinal_position");
			if (c && cell(&r, i, "column_name"))
				json_object_array_put_idx(json_object_object_get(c, "columns"),
							  ord ? (size_t)strtoul(ord, NULL, 10) - (strtoul(ord, NULL, 10) > 0) : 0,
							  json_object_new_string(cell(&r, i, "column_name")));
		}
		clxs_ws_result_free(&r);
	}
	if (query(d, "referential_constraints", "constraint_schema, constraint_name, unique_constraint_catalog, "
		  "unique_constraint_schema, unique_constraint_name", "constraint_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *c = lookup(d, "constraint", cell(&r, i, "constraint_schema"), cell(&r, i, "constraint_name"));
			if (c)
				set_str(c, "ref_constraint", cell(&r, i, "unique_constraint_name"));
		}
		clxs_ws_result_free(&r);
	}
	if (query(d, "check_constraints", "constraint_schema, constraint_name, check_clause",
		  "constraint_catalog = :cat", &r, err)) {
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *c = lookup(d, "constraint", cell(&r, i, "constraint_schema"), cell(&r, i, "constraint_name"));
			if (c)
				set_str(c, "expression", cell(&r, i, "check_clause"));
		}
		clxs_ws_result_free(&r);
	}
}

clxs_code clxs_clone_discover(struct clxs_ws_client *ws, const char *warehouse_id, const char *catalog,
			      json_object **model, clxs_error *err)
{
	disc d = {ws, warehouse_id, catalog, json_object_new_object(), json_object_new_array(),
		  json_object_new_object(), 0};
	*model = NULL;
	/* The catalog must exist: everything else may legitimately be empty. */
	clxs_ws_result r;
	if (!query(&d, "catalogs", "catalog_name", "catalog_name = :cat", &r, err)) {
		clxs_fail(err, CLXS_EUNAVAILABLE, "source_catalog", "cannot read %s.information_schema: %s", catalog,
			  json_object_get_string(json_object_array_get_idx(d.warnings, 0)));
		goto fail;
	}
	size_t found = r.nrows;
	clxs_ws_result_free(&r);
	if (!found) {
		clxs_fail(err, CLXS_ENOTFOUND, "source_catalog", "catalog '%s' does not exist", catalog);
		goto fail;
	}
	/* Who runs the clone: objects it creates are already theirs, so owner
	 * statements naming them are not needed. */
	char *me = NULL;
	if (clxs_ws_current_user(ws, &me, NULL) == CLXS_OK && me) {
		clxs_json_set_str(d.model, "current_user", me);
		free(me);
	}
	read_objects(&d, err);
	read_governance(&d, err);
	read_security(&d, err);
	/* Resolve FK targets: ref_constraint names the referenced PK. */
	json_object *tables = json_object_object_get(d.model, "tables");
	for (size_t i = 0; tables && i < json_object_array_length(tables); i++) {
		json_object *cons = json_object_object_get(json_object_array_get_idx(tables, i), "constraints");
		for (size_t j = 0; cons && j < json_object_array_length(cons); j++) {
			json_object *c = json_object_array_get_idx(cons, j);
			const char *ref = clxs_json_str(c, "ref_constraint", NULL);
			if (!ref)
				continue;
			for (size_t k = 0; k < json_object_array_length(tables); k++) {
				json_object *t2 = json_object_array_get_idx(tables, k);
				json_object *c2s = json_object_object_get(t2, "constraints");
				for (size_t l = 0; c2s && l < json_object_array_length(c2s); l++) {
					json_object *c2 = json_object_array_get_idx(c2s, l);
					if (strcmp(clxs_json_str(c2, "name", ""), ref) != 0)
						continue;
					char fq[800];
					snprintf(fq, sizeof(fq), "%s.%s.%s", catalog, clxs_json_str(t2, "schema", ""),
						 clxs_json_str(t2, "name", ""));
					clxs_json_set_str(c, "ref_table", fq);
					json_object *cols = json_object_object_get(c2, "columns");
					json_object_object_add(c, "ref_columns", cols ? json_object_get(cols) : json_object_new_array());
				}
			}
		}
	}
	json_object_object_add(d.model, "warnings", d.warnings);
	clxs_json_set_int(d.model, "metadata_queries", d.queries);
	json_object_put(d.index);
	*model = d.model;
	return CLXS_OK;
fail:
	json_object_put(d.model);
	json_object_put(d.warnings);
	json_object_put(d.index);
	return err ? err->code : CLXS_EINTERNAL;
}
