/* Sample rows of a table, and the same sample from source and destination
 * side by side with the differences: rows are read in one deterministic
 * order (order_by, default the first column) so row i of one side is
 * compared with row i of the other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mg_internal.h"

/* Map "no such table" to 404 naming the request field. */
static clxs_code not_found(clxs_code rc, clxs_error *err, const char *field)
{
	if (rc && (strstr(err->detail, "NOT_FOUND") || strstr(err->message, "NOT_FOUND") ||
		   strstr(err->message, "does not exist"))) {
		char msg[sizeof(err->message)];
		snprintf(msg, sizeof(msg), "%s", err->message);
		return clxs_fail(err, CLXS_ENOTFOUND, field, "%s", msg);
	}
	return rc;
}

static json_object *rows_of(const clxs_ws_result *r)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < r->nrows; i++)
		json_object_array_add(a, mg_row_object(r, i));
	return a;
}

static json_object *columns_of(const clxs_ws_result *r)
{
	json_object *a = json_object_new_array();
	for (size_t j = 0; j < r->ncols; j++)
		mg_push(a, r->col_names[j]);
	return a;
}

clxs_code clxs_mg_sample(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "catalog", ""), *s = clxs_json_str(req, "schema_name", ""),
		   *t = clxs_json_str(req, "table_name", "");
	clxs_ws_result r = {0};
	clxs_code rc = mg_sql(c, &r, err, "SELECT * FROM %Q LIMIT %lld", cat, s, t,
			      (long long)clxs_json_int(req, "limit", 10));
	if ((rc = not_found(rc, err, "table_name"))) {
		clxs_ws_result_free(&r);
		return rc;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	clxs_json_set_str(o, "schema", s);
	clxs_json_set_str(o, "table", t);
	json_object_object_add(o, "columns", columns_of(&r));
	json_object_object_add(o, "rows", rows_of(&r));
	clxs_json_set_int(o, "row_count", (int64_t)r.nrows);
	clxs_ws_result_free(&r);
	*out = o;
	return CLXS_OK;
}

/* The table's column names in order (information_schema.columns). */
static clxs_code table_columns(clxs_mg_ctx *c, const char *cat, const char *s, const char *t, const char *field,
			       json_object **cols, clxs_error *err)
{
	clxs_ws_result r = {0};
	clxs_ws_param p[2] = {{"s", s, "STRING"}, {"t", t, "STRING"}};
	clxs_code rc = mg_sqlp(c, &r, p, 2, err,
			       "SELECT column_name FROM %I.%K.%K WHERE table_schema = :s AND table_name = :t"
			       " ORDER BY ordinal_position", cat, "information_schema", "columns");
	if ((rc = not_found(rc, err, field))) {
		clxs_ws_result_free(&r);
		return rc;
	}
	if (r.nrows == 0) {
		clxs_ws_result_free(&r);
		return clxs_fail(err, CLXS_ENOTFOUND, field, "table %s.%s.%s does not exist", cat, s, t);
	}
	*cols = json_object_new_array();
	for (size_t i = 0; i < r.nrows; i++)
		mg_push(*cols, clxs_ws_result_cell(&r, i, 0));
	clxs_ws_result_free(&r);
	return CLXS_OK;
}

static bool has(json_object *arr, const char *s)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (!strcasecmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	return false;
}

/* The shared body of sample/compare and preview. */
static clxs_code side_by_side(clxs_mg_ctx *c, const char *src, const char *dst, const char *dst_field,
			      const char *s, const char *t, const char *table_field, const char *order_by,
			      int64_t limit, json_object *o, clxs_error *err)
{
	json_object *scols = NULL, *dcols = NULL;
	clxs_code rc = table_columns(c, src, s, t, table_field, &scols, err);
	if (!rc && (rc = table_columns(c, dst, s, t, dst_field, &dcols, err)) == CLXS_ENOTFOUND) {
		char msg[sizeof(err->message)];
		snprintf(msg, sizeof(msg), "%s", err->message);
		rc = clxs_fail(err, CLXS_ENOTFOUND, dst_field, "in the destination: %s", msg);
	}
	if (rc)
		goto out;
	if (order_by && (!has(scols, order_by) || !has(dcols, order_by))) {
		rc = clxs_fail(err, CLXS_EVALIDATION, "order_by", "column '%s' is not in both tables", order_by);
		goto out;
	}
	const char *ob = order_by ? order_by : json_object_get_string(json_object_array_get_idx(scols, 0));
	clxs_ws_result a = {0}, b = {0};
	rc = mg_sql(c, &a, err, "SELECT * FROM %Q ORDER BY %I LIMIT %lld", src, s, t, ob, (long long)limit);
	if (!rc && has(dcols, ob))
		rc = mg_sql(c, &b, err, "SELECT * FROM %Q ORDER BY %I LIMIT %lld", dst, s, t, ob, (long long)limit);
	else if (!rc)
		rc = mg_sql(c, &b, err, "SELECT * FROM %Q LIMIT %lld", dst, s, t, (long long)limit);
	if (!rc) {
		json_object *srows = rows_of(&a), *drows = rows_of(&b), *diffs = json_object_new_array();
		json_object *common = json_object_new_array(), *sonly = json_object_new_array(),
			    *donly = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(scols); i++) {
			const char *n = json_object_get_string(json_object_array_get_idx(scols, i));
			mg_push(has(dcols, n) ? common : sonly, n);
		}
		for (size_t i = 0; i < json_object_array_length(dcols); i++) {
			const char *n = json_object_get_string(json_object_array_get_idx(dcols, i));
			if (!has(scols, n))
				mg_push(donly, n);
		}
		size_t n = a.nrows > b.nrows ? a.nrows : b.nrows;
		size_t rows_differ = 0;
		for (size_t i = 0; i < n; i++) {
			json_object *ra = json_object_array_get_idx(srows, i), *rb = json_object_array_get_idx(drows, i);
			bool differ = false;
			for (size_t k = 0; k < json_object_array_length(common); k++) {
				const char *col = json_object_get_string(json_object_array_get_idx(common, k));
				json_object *va = ra ? json_object_object_get(ra, col) : NULL;
				json_object *vb = rb ? json_object_object_get(rb, col) : NULL;
				const char *ta = va ? json_object_get_string(va) : NULL, *tb = vb ? json_object_get_string(vb) : NULL;
				bool same = ra && rb && ((!ta && !tb) || (ta && tb && !strcmp(ta, tb)));
				if (same)
					continue;
				differ = true;
				json_object *d = json_object_new_object();
				clxs_json_set_int(d, "row", (int64_t)i);
				clxs_json_set_str(d, "column", col);
				json_object_object_add(d, "source", json_object_get(va));
				json_object_object_add(d, "destination", json_object_get(vb));
				if (!ra || !rb)
					clxs_json_set_str(d, "note", !ra ? "row only in destination" : "row only in source");
				json_object_array_add(diffs, d);
				if (!ra || !rb)
					break; /* one entry per missing row */
			}
			rows_differ += differ;
		}
		clxs_json_set_str(o, "order_by", ob);
		clxs_json_set_int(o, "limit", limit);
		json_object_object_add(o, "columns", common);
		json_object_object_add(o, "source_only_columns", sonly);
		json_object_object_add(o, "dest_only_columns", donly);
		json_object_object_add(o, "source_rows", srows);
		json_object_object_add(o, "dest_rows", drows);
		clxs_json_set_int(o, "source_row_count", (int64_t)a.nrows);
		clxs_json_set_int(o, "dest_row_count", (int64_t)b.nrows);
		clxs_json_set_int(o, "rows_differing", (int64_t)rows_differ);
		json_object_object_add(o, "differences", diffs);
		clxs_json_set_bool(o, "match", rows_differ == 0 && json_object_array_length(sonly) == 0 &&
						       json_object_array_length(donly) == 0);
	}
	clxs_ws_result_free(&a);
	clxs_ws_result_free(&b);
out:
	json_object_put(scols);
	json_object_put(dcols);
	return rc;
}

clxs_code clxs_mg_sample_compare(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	json_object *o = json_object_new_object();
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	const char *s = clxs_json_str(req, "schema_name", ""), *t = clxs_json_str(req, "table_name", "");
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "destination_catalog", dst);
	clxs_json_set_str(o, "schema", s);
	clxs_json_set_str(o, "table", t);
	clxs_code rc = side_by_side(c, src, dst, "destination_catalog", s, t, "table_name",
				    clxs_json_str(req, "order_by", NULL), clxs_json_int(req, "limit", 5), o, err);
	if (rc)
		json_object_put(o);
	else
		*out = o;
	return rc;
}

clxs_code clxs_mg_preview(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	json_object *o = json_object_new_object();
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "dest_catalog", "");
	const char *s = clxs_json_str(req, "schema", ""), *t = clxs_json_str(req, "table", "");
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "dest_catalog", dst);
	clxs_json_set_str(o, "schema", s);
	clxs_json_set_str(o, "table", t);
	clxs_code rc = side_by_side(c, src, dst, "dest_catalog", s, t, "table", NULL, clxs_json_int(req, "limit", 50), o,
				    err);
	if (rc)
		json_object_put(o);
	else
		*out = o;
	return rc;
}
