/* The extra keys of GET /api/catalogs/{catalog}/{schema}/{table}/info that
 * the Explorer's table drawer shows beside the reference's fields: grants,
 * tags, constraints and history.
 *
 * Each piece is read on its own and fails on its own: a workspace without
 * a view (or without a SQL warehouse, or where the caller may not read the
 * grants) gives that key an empty list and a note in "unavailable"
 * ({"field", "message"}), never an error for the whole response.
 *
 * Every statement is built with clxs_sql_appendf: names are quoted
 * identifiers (%I/%Q) and compared values are escaped literals (%L), so
 * names with backticks, quotes, spaces, semicolons and dots work. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/api_tableinfo.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/workspace.h"

#define HISTORY_MAX 20
/* An interactive drawer must not hold a worker for long. */
#define STATEMENT_TIMEOUT_MS 30000

typedef struct {
	clxs_target *t;
	const char *cat, *schema, *table;
	json_object *unavailable;
} info_ctx;

static void note(info_ctx *x, const char *field, const char *message)
{
	json_object *n = json_object_new_object();
	clxs_json_set_str(n, "field", field);
	clxs_json_set_str(n, "message", message);
	json_object_array_add(x->unavailable, n);
}

/* Run the statement in b (already built; a build failure is in err) and
 * keep its rows in *r. */
static clxs_code run(info_ctx *x, clxs_buf *b, clxs_code built, clxs_ws_result *r, clxs_error *err)
{
	if (built)
		return built;
	if (clxs_buf_failed(b))
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory building a statement");
	if (!x->t->warehouse_id[0])
		return clxs_fail(err, CLXS_EUNAVAILABLE, "warehouse_id", "no SQL warehouse is configured");
	clxs_ws_sql_opts o = {0};
	o.timeout_ms = STATEMENT_TIMEOUT_MS;
	o.no_statement_retry = true;
	return clxs_ws_sql(x->t->ws, x->t->warehouse_id, NULL, NULL, clxs_buf_str(b), NULL, 0, &o, r, err);
}

/* "SELECT <cols> FROM `cat`.`information_schema`.`view` WHERE <cat_col> =
 * 'cat' AND <schema_col> = 'schema' [AND <table_col> = 'table'] [AND
 * <extra_col> = 'extra_val'] [<order>]". cols, the column names and order
 * come from our source; every value is a literal. */
typedef struct {
	const char *cols, *view, *cat_col, *schema_col, *table_col, *extra_col, *extra_val, *order;
} isq;

static clxs_code infoschema_query(info_ctx *x, const isq *q, clxs_ws_result *r, clxs_error *err)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_appendf(&b, err, "SELECT %K FROM %Q WHERE %I = %L AND %I = %L", q->cols, x->cat,
					"information_schema", q->view, q->cat_col, x->cat, q->schema_col,
					x->schema);
	if (!rc && q->table_col)
		rc = clxs_sql_appendf(&b, err, " AND %I = %L", q->table_col, x->table);
	if (!rc && q->extra_col)
		rc = clxs_sql_appendf(&b, err, " AND %I = %L", q->extra_col, q->extra_val);
	if (!rc && q->order)
		rc = clxs_sql_appendf(&b, err, " ORDER BY %K", q->order);
	rc = run(x, &b, rc, r, err);
	clxs_buf_free(&b);
	return rc;
}

static const char *cell(const clxs_ws_result *r, size_t row, const char *col)
{
	int c = clxs_ws_result_col(r, col);
	return c < 0 ? NULL : clxs_ws_result_cell(r, row, (size_t)c);
}

/* ---- grants ----------------------------------------------------------------------------- */

static int by_principal(const void *a, const void *b)
{
	return strcmp(clxs_json_str(*(json_object *const *)a, "principal", ""),
		      clxs_json_str(*(json_object *const *)b, "principal", ""));
}

static int by_string(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a),
		      json_object_get_string(*(json_object *const *)b));
}

/* The permissions API: only when the full name can be parsed back, i.e.
 * no part holds a dot. *out gets the privilege_assignments. */
static clxs_code grants_rest(info_ctx *x, json_object **out, clxs_error *err)
{
	if (strchr(x->cat, '.') || strchr(x->schema, '.') || strchr(x->table, '.'))
		return clxs_fail(err, CLXS_EINVAL, NULL, "a name holds a dot");
	clxs_buf full, path;
	clxs_buf_init(&full);
	clxs_buf_init(&path);
	clxs_buf_appendf(&full, "%s.%s.%s", x->cat, x->schema, x->table);
	char *esc = clxs_buf_failed(&full) ? NULL : curl_easy_escape(NULL, clxs_buf_str(&full), 0);
	clxs_buf_appendf(&path, "/api/2.1/unity-catalog/permissions/table/%s", esc ? esc : "");
	curl_free(esc);
	json_object *resp = NULL;
	clxs_code rc = !esc || clxs_buf_failed(&path)
			       ? clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory")
			       : clxs_ws_call(x->t->ws, "GET", clxs_buf_str(&path), NULL, NULL, &resp, err);
	clxs_buf_free(&full);
	clxs_buf_free(&path);
	if (rc)
		return rc;
	json_object *pa = json_object_object_get(resp, "privilege_assignments");
	json_object *arr = json_object_new_array();
	for (size_t i = 0; pa && i < json_object_array_length(pa); i++) {
		json_object *a = json_object_array_get_idx(pa, i), *privs = json_object_new_array();
		json_object *src = json_object_object_get(a, "privileges");
		for (size_t k = 0; src && k < json_object_array_length(src); k++) {
			json_object *p = json_object_array_get_idx(src, k);
			/* The permissions API answers strings; some versions objects. */
			const char *s = json_object_is_type(p, json_type_string) ? json_object_get_string(p)
										 : clxs_json_str(p, "privilege", NULL);
			if (s)
				json_object_array_add(privs, json_object_new_string(s));
		}
		json_object *g = json_object_new_object();
		clxs_json_set_str(g, "principal", clxs_json_str(a, "principal", ""));
		json_object_object_add(g, "privileges", privs);
		json_object_array_add(arr, g);
	}
	json_object_put(resp);
	*out = arr;
	return CLXS_OK;
}

/* information_schema.table_privileges, the table's own grants only. */
static clxs_code grants_sql(info_ctx *x, json_object **out, clxs_error *err)
{
	clxs_ws_result r = {0};
	static const isq q = {.cols = "grantee, privilege_type", .view = "table_privileges",
			      .cat_col = "table_catalog", .schema_col = "table_schema",
			      .table_col = "table_name", .extra_col = "inherited_from", .extra_val = "NONE",
			      .order = "grantee, privilege_type"};
	clxs_code rc = infoschema_query(x, &q, &r, err);
	if (!rc) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < r.nrows; i++) {
			const char *who = cell(&r, i, "grantee"), *priv = cell(&r, i, "privilege_type");
			if (!who || !priv)
				continue;
			json_object *g = NULL;
			for (size_t k = 0; k < json_object_array_length(arr) && !g; k++)
				if (!strcmp(clxs_json_str(json_object_array_get_idx(arr, k), "principal", ""), who))
					g = json_object_array_get_idx(arr, k);
			if (!g) {
				g = json_object_new_object();
				clxs_json_set_str(g, "principal", who);
				json_object_object_add(g, "privileges", json_object_new_array());
				json_object_array_add(arr, g);
			}
			json_object_array_add(json_object_object_get(g, "privileges"), json_object_new_string(priv));
		}
		*out = arr;
	}
	clxs_ws_result_free(&r);
	return rc;
}

/* Privileges as the permissions API spells them ("ALL PRIVILEGES" ->
 * "ALL_PRIVILEGES"), sorted, principals sorted: both sources then agree. */
static void grants_normalise(json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *privs = json_object_object_get(json_object_array_get_idx(arr, i), "privileges");
		for (size_t k = 0; k < json_object_array_length(privs); k++) {
			char buf[128];
			snprintf(buf, sizeof(buf), "%s", json_object_get_string(json_object_array_get_idx(privs, k)));
			for (char *p = buf; *p; p++)
				if (*p == ' ')
					*p = '_';
			json_object_array_put_idx(privs, k, json_object_new_string(buf));
		}
		json_object_array_sort(privs, by_string);
	}
	json_object_array_sort(arr, by_principal);
}

static json_object *grants(info_ctx *x)
{
	json_object *out = NULL;
	clxs_error rest_err = {0}, sql_err = {0};
	/* The permissions API needs no warehouse; the view is the way for
	 * names the API cannot address, or when the API is refused. */
	if (grants_rest(x, &out, &rest_err) && grants_sql(x, &out, &sql_err)) {
		note(x, "grants", sql_err.message[0] ? sql_err.message : rest_err.message);
		return json_object_new_array();
	}
	grants_normalise(out);
	return out;
}

/* ---- tags ------------------------------------------------------------------------------- */

static clxs_code tags_of(info_ctx *x, const char *view, bool columns, json_object *arr, clxs_error *err)
{
	clxs_ws_result r = {0};
	isq q = {.cols = columns ? "column_name, tag_name, tag_value" : "tag_name, tag_value",
		 .view = view, .cat_col = "catalog_name", .schema_col = "schema_name",
		 .table_col = "table_name", .order = columns ? "column_name, tag_name" : "tag_name"};
	clxs_code rc = infoschema_query(x, &q, &r, err);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "tag_name", cell(&r, i, "tag_name"));
		clxs_json_set_str(o, "tag_value", cell(&r, i, "tag_value"));
		clxs_json_set_str(o, "column_name", columns ? cell(&r, i, "column_name") : NULL);
		json_object_array_add(arr, o);
	}
	clxs_ws_result_free(&r);
	return rc;
}

static json_object *tags(info_ctx *x)
{
	json_object *arr = json_object_new_array();
	clxs_error err = {0};
	if (tags_of(x, "table_tags", false, arr, &err))
		note(x, "tags", err.message);
	if (tags_of(x, "column_tags", true, arr, &err))
		note(x, "tags", err.message);
	return arr;
}

/* ---- constraints -------------------------------------------------------------------------- */

static json_object *find_named(json_object *arr, const char *name)
{
	for (size_t i = 0; name && i < json_object_array_length(arr); i++)
		if (!strcmp(clxs_json_str(json_object_array_get_idx(arr, i), "name", ""), name))
			return json_object_array_get_idx(arr, i);
	return NULL;
}

static void add_string(json_object *o, const char *key, const char *s)
{
	json_object *a = json_object_object_get(o, key);
	if (!a) {
		a = json_object_new_array();
		json_object_object_add(o, key, a);
	}
	json_object_array_add(a, json_object_new_string(s));
}

/* (`a`, `b`) from an array of column names. */
static clxs_code column_list(clxs_buf *b, json_object *cols, clxs_error *err)
{
	clxs_code rc = clxs_sql_appendf(b, err, "(");
	for (size_t i = 0; !rc && i < json_object_array_length(cols); i++)
		rc = clxs_sql_appendf(b, err, i ? ", %I" : "%I",
				      json_object_get_string(json_object_array_get_idx(cols, i)));
	return rc ? rc : clxs_sql_appendf(b, err, ")");
}

/* "PRIMARY KEY (`id`)", "FOREIGN KEY (`c`) REFERENCES `x`.`y`.`z` (`id`)",
 * "CHECK (expr)": the constraint as it would be declared. */
static void set_definition(json_object *c)
{
	const char *type = clxs_json_str(c, "type", "");
	json_object *cols = json_object_object_get(c, "columns");
	json_object *ref = json_object_object_get(c, "references");
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_error err = {0};
	clxs_code rc = CLXS_OK;
	if (!strcmp(type, "CHECK")) {
		const char *e = clxs_json_str(c, "expression", NULL);
		if (e)
			clxs_buf_appendf(&b, "CHECK (%s)", e);
	} else if (cols) {
		/* The keyword from our own table, never the server's text. */
		static const char *const kinds[] = {"PRIMARY KEY", "FOREIGN KEY", "UNIQUE"};
		const char *kw = NULL;
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcmp(type, kinds[i]))
				kw = kinds[i];
		rc = kw ? clxs_sql_appendf(&b, &err, "%K ", kw) : CLXS_EINVAL;
		if (!rc)
			rc = column_list(&b, cols, &err);
		if (!rc && ref)
			rc = clxs_sql_appendf(&b, &err, " REFERENCES %Q ", clxs_json_str(ref, "catalog", NULL),
					      clxs_json_str(ref, "schema", NULL), clxs_json_str(ref, "table", NULL));
		if (!rc && ref && json_object_object_get(ref, "columns"))
			rc = column_list(&b, json_object_object_get(ref, "columns"), &err);
	}
	clxs_json_set_str(c, "definition", !rc && !clxs_buf_failed(&b) && b.len ? clxs_buf_str(&b) : NULL);
	clxs_buf_free(&b);
}

/* Columns of the PRIMARY KEY / FOREIGN KEY constraints, in key order. */
static clxs_code key_columns(info_ctx *x, json_object *arr, clxs_error *err)
{
	clxs_ws_result r = {0};
	static const isq q = {.cols = "constraint_name, column_name", .view = "key_column_usage",
			      .cat_col = "table_catalog", .schema_col = "table_schema",
			      .table_col = "table_name", .order = "constraint_name, ordinal_position"};
	clxs_code rc = infoschema_query(x, &q, &r, err);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		json_object *c = find_named(arr, cell(&r, i, "constraint_name"));
		const char *col = cell(&r, i, "column_name");
		if (c && col)
			add_string(c, "columns", col);
	}
	clxs_ws_result_free(&r);
	return rc;
}

/* What each FOREIGN KEY references: constraint_column_usage lists the
 * referenced table's columns under the foreign key's name. */
static clxs_code references(info_ctx *x, json_object *arr, clxs_error *err)
{
	clxs_ws_result r = {0};
	static const isq q = {.cols = "constraint_name, table_catalog, table_schema, table_name, column_name",
			      .view = "constraint_column_usage", .cat_col = "constraint_catalog",
			      .schema_col = "constraint_schema"};
	clxs_code rc = infoschema_query(x, &q, &r, err);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		json_object *c = find_named(arr, cell(&r, i, "constraint_name"));
		const char *col = cell(&r, i, "column_name");
		if (!c || !col || strcmp(clxs_json_str(c, "type", ""), "FOREIGN KEY"))
			continue;
		json_object *ref = json_object_object_get(c, "references");
		if (!ref) {
			ref = json_object_new_object();
			clxs_json_set_str(ref, "catalog", cell(&r, i, "table_catalog"));
			clxs_json_set_str(ref, "schema", cell(&r, i, "table_schema"));
			clxs_json_set_str(ref, "table", cell(&r, i, "table_name"));
			json_object_object_add(c, "references", ref);
		}
		add_string(ref, "columns", col);
	}
	clxs_ws_result_free(&r);
	return rc;
}

/* CHECK clauses. check_constraints carries no table name: keep the rows
 * whose name is one of this table's CHECK constraints. */
static clxs_code check_clauses(info_ctx *x, json_object *arr, clxs_error *err)
{
	clxs_ws_result r = {0};
	static const isq q = {.cols = "constraint_name, check_clause", .view = "check_constraints",
			      .cat_col = "constraint_catalog", .schema_col = "constraint_schema"};
	clxs_code rc = infoschema_query(x, &q, &r, err);
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		json_object *c = find_named(arr, cell(&r, i, "constraint_name"));
		if (c && !strcmp(clxs_json_str(c, "type", ""), "CHECK"))
			clxs_json_set_str(c, "expression", cell(&r, i, "check_clause"));
	}
	clxs_ws_result_free(&r);
	return rc;
}

static json_object *constraints(info_ctx *x, json_object *properties)
{
	json_object *arr = json_object_new_array();
	clxs_ws_result r = {0};
	clxs_error err = {0};
	bool have_checks = false;
	static const isq q = {.cols = "constraint_name, constraint_type", .view = "table_constraints",
			      .cat_col = "table_catalog", .schema_col = "table_schema",
			      .table_col = "table_name", .order = "constraint_name"};
	if (infoschema_query(x, &q, &r, &err)) {
		note(x, "constraints", err.message);
	} else {
		for (size_t i = 0; i < r.nrows; i++) {
			const char *name = cell(&r, i, "constraint_name"), *type = cell(&r, i, "constraint_type");
			if (!name || !type)
				continue;
			json_object *c = json_object_new_object();
			clxs_json_set_str(c, "name", name);
			clxs_json_set_str(c, "type", type);
			json_object_array_add(arr, c);
			have_checks = have_checks || !strcmp(type, "CHECK");
		}
		/* The details are optional views: without them the
		 * constraints still show, with less said about them. */
		if (json_object_array_length(arr) && key_columns(x, arr, &err))
			note(x, "constraints", err.message);
		if (json_object_array_length(arr) && references(x, arr, &err))
			note(x, "constraints", err.message);
		if (have_checks && check_clauses(x, arr, &err))
			note(x, "constraints", err.message);
	}
	clxs_ws_result_free(&r);
	/* Delta keeps CHECK constraints as table properties
	 * delta.constraints.<name> = <expr>; Databricks' information_schema
	 * does not list them. */
	static const char pfx[] = "delta.constraints.";
	json_object_object_foreach(properties, key, val)
	{
		if (strncmp(key, pfx, sizeof(pfx) - 1) || !key[sizeof(pfx) - 1])
			continue;
		json_object *c = find_named(arr, key + sizeof(pfx) - 1);
		if (!c) {
			c = json_object_new_object();
			clxs_json_set_str(c, "name", key + sizeof(pfx) - 1);
			clxs_json_set_str(c, "type", "CHECK");
			json_object_array_add(arr, c);
		}
		if (!json_object_object_get(c, "expression"))
			clxs_json_set_str(c, "expression", json_object_get_string(val));
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *c = json_object_array_get_idx(arr, i);
		if (!json_object_object_get(c, "columns"))
			json_object_object_add(c, "columns", json_object_new_array());
		set_definition(c);
	}
	return arr;
}

/* ---- history -------------------------------------------------------------------------------- */

static int newest_first(const void *a, const void *b)
{
	int64_t va = clxs_json_int(*(json_object *const *)a, "version", 0);
	int64_t vb = clxs_json_int(*(json_object *const *)b, "version", 0);
	return va < vb ? 1 : va > vb ? -1 : 0;
}

static json_object *history(info_ctx *x, const char *table_type)
{
	json_object *arr = json_object_new_array();
	/* Views keep no history. */
	if (table_type && strstr(table_type, "VIEW"))
		return arr;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_ws_result r = {0};
	clxs_error err = {0};
	clxs_code rc = clxs_sql_appendf(&b, &err, "DESCRIBE HISTORY %Q LIMIT %d", x->cat, x->schema, x->table,
					HISTORY_MAX);
	if ((rc = run(x, &b, rc, &r, &err))) {
		note(x, "history", err.message);
	} else {
		for (size_t i = 0; i < r.nrows; i++) {
			const char *v = cell(&r, i, "version");
			if (!v)
				continue;
			json_object *o = json_object_new_object();
			clxs_json_set_int(o, "version", strtoll(v, NULL, 10));
			clxs_json_set_str(o, "timestamp", cell(&r, i, "timestamp"));
			clxs_json_set_str(o, "operation", cell(&r, i, "operation"));
			clxs_json_set_str(o, "user", cell(&r, i, "userName"));
			json_object_array_add(arr, o);
		}
		/* Newest first, whatever order the warehouse answered in. */
		json_object_array_sort(arr, newest_first);
	}
	clxs_ws_result_free(&r);
	clxs_buf_free(&b);
	return arr;
}

void clxs_api_table_info_extras(clxs_target *t, const char *cat, const char *schema, const char *table,
				json_object *info)
{
	info_ctx x = {t, cat, schema, table, json_object_new_array()};
	json_object_object_add(info, "grants", grants(&x));
	json_object_object_add(info, "tags", tags(&x));
	json_object_object_add(info, "constraints", constraints(&x, json_object_object_get(info, "properties")));
	json_object_object_add(info, "history", history(&x, clxs_json_str(info, "table_type", NULL)));
	json_object_object_add(info, "unavailable", x.unavailable);
}
