/* Helpers of the management operations: statements built with the SQL
 * builder, typed rows, the tables and columns of a catalog in two queries,
 * versions and counts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mg_internal.h"

static clxs_code run(clxs_mg_ctx *c, clxs_ws_result *r, const clxs_ws_param *p, size_t np, clxs_error *err,
		     const char *fmt, va_list ap)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_vappendf(&b, err, fmt, ap);
	if (rc == CLXS_OK)
		rc = clxs_ws_sql(c->ws, c->warehouse_id, NULL, NULL, clxs_buf_str(&b), p, np, NULL, r, err);
	clxs_buf_free(&b);
	return rc;
}

clxs_code mg_sql(clxs_mg_ctx *c, clxs_ws_result *r, clxs_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	clxs_code rc = run(c, r, NULL, 0, err, fmt, ap);
	va_end(ap);
	return rc;
}

clxs_code mg_sqlp(clxs_mg_ctx *c, clxs_ws_result *r, const clxs_ws_param *p, size_t np, clxs_error *err,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	clxs_code rc = run(c, r, p, np, err, fmt, ap);
	va_end(ap);
	return rc;
}

clxs_code mg_exec(clxs_mg_ctx *c, const char *sql, clxs_error *err)
{
	clxs_ws_result r = {0};
	clxs_code rc = clxs_ws_sql(c->ws, c->warehouse_id, NULL, NULL, sql, NULL, 0, NULL, &r, err);
	clxs_ws_result_free(&r);
	return rc;
}

const char *mg_cell(const clxs_ws_result *r, size_t row, const char *col)
{
	int i = clxs_ws_result_col(r, col);
	return i < 0 ? NULL : clxs_ws_result_cell(r, row, (size_t)i);
}

static json_object *typed(const char *v, const char *type)
{
	if (!v)
		return NULL;
	char *end;
	if (type && (!strcasecmp(type, "INT") || !strcasecmp(type, "LONG") || !strcasecmp(type, "SHORT") ||
		     !strcasecmp(type, "BYTE") || !strcasecmp(type, "BIGINT"))) {
		long long n = strtoll(v, &end, 10);
		if (*v && !*end)
			return json_object_new_int64(n);
	} else if (type && (!strcasecmp(type, "DOUBLE") || !strcasecmp(type, "FLOAT"))) {
		double d = strtod(v, &end);
		if (*v && !*end)
			return json_object_new_double(d);
	} else if (type && !strcasecmp(type, "BOOLEAN")) {
		return json_object_new_boolean(!strcmp(v, "true"));
	}
	return json_object_new_string(v);
}

json_object *mg_row_object(const clxs_ws_result *r, size_t row)
{
	json_object *o = json_object_new_object();
	for (size_t j = 0; j < r->ncols; j++)
		json_object_object_add(o, r->col_names[j],
				       typed(clxs_ws_result_cell(r, row, j), r->col_types ? r->col_types[j] : NULL));
	return o;
}

bool mg_excluded(json_object *req, const char *schema)
{
	if (!schema || !strcasecmp(schema, "information_schema"))
		return true;
	json_object *ex = json_object_object_get(req, "exclude_schemas");
	for (size_t i = 0; ex && i < json_object_array_length(ex); i++)
		if (!strcasecmp(json_object_get_string(json_object_array_get_idx(ex, i)), schema))
			return true;
	return false;
}

clxs_code mg_catalog_exists(clxs_mg_ctx *c, const char *catalog, bool *exists, clxs_error *err)
{
	clxs_ws_result r = {0};
	clxs_ws_param p = {"cat", catalog, "STRING"};
	clxs_code rc = mg_sqlp(c, &r, &p, 1, err, "SELECT catalog_name FROM %K WHERE catalog_name = :cat",
			       "system.information_schema.catalogs");
	*exists = rc == CLXS_OK && r.nrows > 0;
	clxs_ws_result_free(&r);
	return rc;
}

clxs_code mg_catalog_tables(clxs_mg_ctx *c, const char *catalog, const char *schema, json_object *req,
			    const char *field, json_object **out, clxs_error *err)
{
	*out = NULL;
	bool exists = false;
	clxs_code rc = mg_catalog_exists(c, catalog, &exists, err);
	if (rc)
		return rc;
	if (!exists)
		return clxs_fail(err, CLXS_ENOTFOUND, field, "catalog '%s' does not exist", catalog);
	clxs_ws_result t = {0}, col = {0};
	clxs_ws_param p = {"s", schema, "STRING"};
	const char *where = schema ? " WHERE table_schema = :s" : "";
	rc = mg_sqlp(c, &t, &p, schema ? 1 : 0, err,
		     "SELECT table_schema, table_name, table_type, data_source_format FROM %I.%K.%K%K"
		     " ORDER BY table_schema, table_name", catalog, "information_schema", "tables", where);
	if (!rc)
		rc = mg_sqlp(c, &col, &p, schema ? 1 : 0, err,
			     "SELECT table_schema, table_name, column_name, full_data_type, is_nullable,"
			     " ordinal_position FROM %I.%K.%K%K ORDER BY table_schema, table_name, ordinal_position",
			     catalog, "information_schema", "columns", where);
	json_object *o = json_object_new_object();
	char k[600];
	for (size_t i = 0; !rc && i < t.nrows; i++) {
		const char *s = mg_cell(&t, i, "table_schema"), *n = mg_cell(&t, i, "table_name");
		if (!n || mg_excluded(req, s))
			continue;
		json_object *e = json_object_new_object();
		clxs_json_set_str(e, "schema", s);
		clxs_json_set_str(e, "name", n);
		clxs_json_set_str(e, "table_type", mg_cell(&t, i, "table_type"));
		const char *fmt = mg_cell(&t, i, "data_source_format");
		clxs_json_set_str(e, "format", fmt);
		json_object_object_add(e, "columns", json_object_new_array());
		json_object_object_add(o, mg_key(k, sizeof(k), s, n), e);
	}
	for (size_t i = 0; !rc && i < col.nrows; i++) {
		json_object *e = json_object_object_get(
			o, mg_key(k, sizeof(k), mg_cell(&col, i, "table_schema"), mg_cell(&col, i, "table_name")));
		if (!e)
			continue;
		json_object *cc = json_object_new_object();
		clxs_json_set_str(cc, "name", mg_cell(&col, i, "column_name"));
		const char *ty = mg_cell(&col, i, "full_data_type");
		clxs_json_set_str(cc, "type", ty ? ty : "");
		const char *nl = mg_cell(&col, i, "is_nullable");
		clxs_json_set_bool(cc, "nullable", !nl || !strcasecmp(nl, "YES") || !strcasecmp(nl, "true"));
		const char *pos = mg_cell(&col, i, "ordinal_position");
		clxs_json_set_int(cc, "position", pos ? atoll(pos) : 0);
		json_object_array_add(json_object_object_get(e, "columns"), cc);
	}
	clxs_ws_result_free(&t);
	clxs_ws_result_free(&col);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return CLXS_OK;
}

clxs_code mg_table_version(clxs_mg_ctx *c, const char *cat, const char *schema, const char *name,
			   int64_t *version, clxs_error *err)
{
	clxs_ws_result r = {0};
	*version = -1;
	clxs_code rc = mg_sql(c, &r, err, "DESCRIBE HISTORY %Q LIMIT 1", cat, schema, name);
	const char *v = rc ? NULL : mg_cell(&r, 0, "version");
	if (v)
		*version = atoll(v);
	clxs_ws_result_free(&r);
	return rc;
}

clxs_code mg_row_count(clxs_mg_ctx *c, const char *cat, const char *schema, const char *name, int64_t *n,
		       clxs_error *err)
{
	clxs_ws_result r = {0};
	*n = -1;
	clxs_code rc = mg_sql(c, &r, err, "SELECT count(*) AS n FROM %Q", cat, schema, name);
	const char *v = rc ? NULL : clxs_ws_result_cell(&r, 0, 0);
	if (v)
		*n = atoll(v);
	clxs_ws_result_free(&r);
	return rc;
}

void mg_log(clxs_mg_ctx *c, const char *level, const char *fmt, ...)
{
	if (!c->log)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->log(c->ud, level, msg);
}

clxs_code mg_gate(clxs_mg_ctx *c)
{
	return c->gate ? c->gate(c->ud) : CLXS_OK;
}

const char *mg_key(char *buf, size_t len, const char *schema, const char *name)
{
	snprintf(buf, len, "%s.%s", schema ? schema : "", name ? name : "");
	return buf;
}

int mg_split_fqn(const char *fqn, char parts[3][256])
{
	int n = 0;
	const char *p = fqn;
	while (p && *p) {
		if (n == 3)
			return 0;
		size_t l = strcspn(p, ".");
		if (l == 0 || l >= 256)
			return 0;
		memcpy(parts[n], p, l);
		parts[n][l] = 0;
		n++;
		p += l;
		if (*p == '.') {
			p++;
			if (!*p)
				return 0;
		}
	}
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_object *mg_sorted_keys(json_object *obj)
{
	size_t n = 0;
	json_object_object_foreach(obj, k0, v0)
	{
		(void)k0;
		(void)v0;
		n++;
	}
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	size_t i = 0;
	json_object_object_foreach(obj, k, v)
	{
		(void)v;
		keys[i++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	json_object *a = json_object_new_array();
	for (i = 0; i < n; i++)
		mg_push(a, keys[i]);
	free(keys);
	return a;
}

void mg_push(json_object *arr, const char *s)
{
	json_object_array_add(arr, json_object_new_string(s ? s : ""));
}
