/* Column profiling: profile-table, profile-results and the catalog-wide
 * profile. Whatever is profiled is a query q (a table, a sample of one, or
 * the caller's SQL). Two statements do all the work:
 *
 *   1. SELECT * FROM (q) LIMIT 0        -- the columns and their types
 *   2. WITH q AS (...) SELECT ... UNION ALL SELECT ...
 *
 * Statement 2 computes every statistic server-side in one go: per column
 * count, nulls, distinct values, min/max/avg (numbers), lengths (strings);
 * the top-N values of string columns; and numeric histograms, whose
 * bucket is computed against the column's min/max from a second CTE. Every
 * branch yields the same ten string columns (kind, column index, v1..v8),
 * so the warehouse returns one small result and no row of q leaves it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "an_internal.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/sql_token.h"
#include "clxs/util.h"

/* Length of sql without a trailing ';' (and what follows it: only
 * whitespace and comments are allowed there). */
static clxs_code query_span(const char *sql, size_t *len, clxs_error *err)
{
	clxs_sql_tokens t;
	clxs_error e;
	if (clxs_sql_tokenize(sql, strlen(sql), &t, &e) != CLXS_OK)
		return clxs_fail(err, CLXS_EVALIDATION, "sql", "sql cannot be parsed: %s", e.message);
	clxs_code rc = CLXS_OK;
	int depth = 0;
	bool first = true, ended = false;
	*len = strlen(sql);
	for (size_t i = 0; i < t.n && rc == CLXS_OK; i++) {
		clxs_sql_token *k = &t.tok[i];
		if (k->kind == CLXS_TOK_EOF || k->kind == CLXS_TOK_WHITESPACE || k->kind == CLXS_TOK_COMMENT)
			continue;
		if (ended) {
			rc = clxs_fail(err, CLXS_EVALIDATION, "sql", "sql must be a single statement");
			break;
		}
		if (first) {
			first = false;
			if (k->kind != CLXS_TOK_IDENT ||
			    (strcasecmp(k->value, "SELECT") && strcasecmp(k->value, "WITH") &&
			     strcasecmp(k->value, "VALUES") && strcasecmp(k->value, "FROM")))
				rc = clxs_fail(err, CLXS_EVALIDATION, "sql", "sql must be a query (SELECT, WITH, VALUES or FROM)");
			continue;
		}
		if (k->kind == CLXS_TOK_PUNCT && sql[k->start] == '(')
			depth++;
		else if (k->kind == CLXS_TOK_PUNCT && sql[k->start] == ')' && --depth < 0)
			rc = clxs_fail(err, CLXS_EVALIDATION, "sql", "sql has an unbalanced ')'");
		else if (k->kind == CLXS_TOK_PUNCT && sql[k->start] == ';') {
			ended = true;
			*len = k->start;
		}
	}
	if (rc == CLXS_OK && first)
		rc = clxs_fail(err, CLXS_EVALIDATION, "sql", "sql is empty");
	if (rc == CLXS_OK && depth != 0)
		rc = clxs_fail(err, CLXS_EVALIDATION, "sql", "sql has an unbalanced '('");
	clxs_sql_tokens_free(&t);
	return rc;
}

clxs_code clxs_an_check_query(const char *sql, clxs_error *err)
{
	size_t n;
	return query_span(sql, &n, err);
}

typedef enum { K_NUM, K_STR, K_OTHER } kind;

static kind kind_of(const char *type)
{
	static const char *const nums[] = {"LONG", "INT", "SHORT", "BYTE", "DOUBLE", "FLOAT", "DECIMAL",
					   "BIGINT", "INTEGER", "SMALLINT", "TINYINT"};
	for (size_t i = 0; type && i < sizeof(nums) / sizeof(nums[0]); i++)
		if (!strncasecmp(type, nums[i], strlen(nums[i])))
			return K_NUM;
	if (type && (!strncasecmp(type, "STRING", 6) || !strncasecmp(type, "VARCHAR", 7) || !strncasecmp(type, "CHAR", 4)))
		return K_STR;
	return K_OTHER;
}

/* Append the profiled query q: the caller's SQL (validated by
 * query_span as one query, so it is copied as written: it is the query
 * being profiled) or a table with an optional sample limit. */
static clxs_code append_source(clxs_buf *b, const char *fqn, const char *sql, long long limit, clxs_error *err)
{
	if (sql) {
		size_t n;
		clxs_code rc = query_span(sql, &n, err);
		if (rc == CLXS_OK && clxs_buf_append(b, sql, n) != 0)
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return rc;
	}
	/* The whole name must be consumed: %s would stop at a space (or a
	 * part would be cut at 255 bytes) and profile another table. */
	char cat[256], sch[256], tbl[256];
	int end = -1;
	if (sscanf(fqn, "%255[^.].%255[^.].%255[^.]%n", cat, sch, tbl, &end) != 3 || end < 0 || fqn[end] != '\0')
		return clxs_fail(err, CLXS_EVALIDATION, "table_fqn", "table_fqn must be catalog.schema.table");
	clxs_code rc = clxs_sql_appendf(b, err, "SELECT * FROM %Q", cat, sch, tbl);
	if (rc == CLXS_OK && limit > 0)
		rc = clxs_sql_appendf(b, err, " LIMIT %lld", limit);
	return rc;
}

#define S(...) do { if (rc == CLXS_OK) rc = clxs_sql_appendf(b, err, __VA_ARGS__); } while (0)

static bool want_hist(kind k, int bins)
{
	return bins > 0 && k == K_NUM;
}

/* Statement 2 (see the top of the file). */
static clxs_code build_stats(clxs_buf *b, const char *src, clxs_ws_result *probe, int top_n, int bins,
			     clxs_error *err)
{
	clxs_code rc = CLXS_OK;
	char lo[32], hi[32];
	S("WITH q AS (");
	if (rc == CLXS_OK && clxs_buf_puts(b, src) != 0)
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	S(")");
	bool first = true;
	for (size_t i = 0; i < probe->ncols; i++) {
		if (!want_hist(kind_of(probe->col_types[i]), bins))
			continue;
		snprintf(lo, sizeof(lo), "lo%zu", i);
		snprintf(hi, sizeof(hi), "hi%zu", i);
		S(first ? ", b AS (SELECT " : ", ");
		S("CAST(min(%I) AS DOUBLE) AS %I, CAST(max(%I) AS DOUBLE) AS %I", probe->col_names[i], lo,
		  probe->col_names[i], hi);
		first = false;
	}
	if (!first)
		S(" FROM q)");
	S(" ");
	for (size_t i = 0; i < probe->ncols; i++) {
		const char *c = probe->col_names[i];
		kind k = kind_of(probe->col_types[i]);
		S(i ? " UNION ALL SELECT " : "SELECT ");
		S("'agg' AS k, CAST(%zu AS STRING) AS c, CAST(count(*) AS STRING) AS v1, CAST(count(%I) AS STRING) AS v2, "
		  "CAST(count(DISTINCT %I) AS STRING) AS v3, CAST(min(%I) AS STRING) AS v4, CAST(max(%I) AS STRING) AS v5, ",
		  i, c, c, c, c);
		if (k == K_NUM)
			S("CAST(avg(%I) AS STRING) AS v6, ", c);
		else
			S("CAST(NULL AS STRING) AS v6, ");
		if (k == K_STR)
			S("CAST(min(length(%I)) AS STRING) AS v7, CAST(max(length(%I)) AS STRING) AS v8, "
			  "CAST(avg(length(%I)) AS STRING) AS v9 FROM q", c, c, c);
		else
			S("CAST(NULL AS STRING) AS v7, CAST(NULL AS STRING) AS v8, CAST(NULL AS STRING) AS v9 FROM q");
	}
	for (size_t i = 0; i < probe->ncols; i++) {
		const char *c = probe->col_names[i];
		kind k = kind_of(probe->col_types[i]);
		if (k == K_STR && top_n > 0) {
			char alias[32];
			snprintf(alias, sizeof(alias), "t%zu", i);
			S(" UNION ALL SELECT * FROM (SELECT 'top' AS k, CAST(%zu AS STRING) AS c, CAST(%I AS STRING) AS v1, "
			  "CAST(count(*) AS STRING) AS v2, CAST(NULL AS STRING) AS v3, CAST(NULL AS STRING) AS v4, "
			  "CAST(NULL AS STRING) AS v5, CAST(NULL AS STRING) AS v6, CAST(NULL AS STRING) AS v7, "
			  "CAST(NULL AS STRING) AS v8, CAST(NULL AS STRING) AS v9 FROM q WHERE %I IS NOT NULL GROUP BY %I "
			  "ORDER BY count(*) DESC, %I LIMIT %d) AS %I", i, c, c, c, c, top_n, alias);
		}
		if (want_hist(k, bins)) {
			char alias[32];
			snprintf(lo, sizeof(lo), "lo%zu", i);
			snprintf(hi, sizeof(hi), "hi%zu", i);
			snprintf(alias, sizeof(alias), "h%zu", i);
			/* bucket 1..bins; the maximum falls in the last bucket */
			S(" UNION ALL SELECT 'hist' AS k, CAST(%zu AS STRING) AS c, CAST(bucket AS STRING) AS v1, "
			  "CAST(count(*) AS STRING) AS v2, CAST(NULL AS STRING) AS v3, CAST(NULL AS STRING) AS v4, "
			  "CAST(NULL AS STRING) AS v5, CAST(NULL AS STRING) AS v6, CAST(NULL AS STRING) AS v7, "
			  "CAST(NULL AS STRING) AS v8, CAST(NULL AS STRING) AS v9 FROM (SELECT CASE WHEN b.%I = b.%I THEN 1 "
			  "ELSE least(CAST(floor((CAST(%I AS DOUBLE) - b.%I) * %d / (b.%I - b.%I)) AS BIGINT) + 1, %d) END "
			  "AS bucket FROM q CROSS JOIN b WHERE %I IS NOT NULL) AS %I GROUP BY bucket",
			  i, hi, lo, c, lo, bins, hi, lo, bins, c, alias);
		}
	}
	return rc;
}

/* Doubles print with 10 significant digits: the warehouse's doubles
 * (and the lakehouse's DECIMAL arithmetic) carry binary noise beyond. */
static json_object *dbl_obj(double d)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.10g", d);
	if (!strpbrk(buf, ".eEn"))
		strcat(buf, ".0");
	return json_object_new_double_s(d, buf);
}

static json_object *num_or_str(const char *v, bool num)
{
	if (!v)
		return NULL;
	if (num) {
		char *end;
		double d = strtod(v, &end);
		if (end != v && !*end) {
			if (d == floor(d) && fabs(d) < 9e15 && !strpbrk(v, ".eE"))
				return json_object_new_int64((int64_t)d);
			return dbl_obj(d);
		}
	}
	return json_object_new_string(v);
}

static double round_to(double v, double f)
{
	return round(v * f) / f;
}

static json_object *dbl(const char *v, double f)
{
	return v ? dbl_obj(round_to(strtod(v, NULL), f)) : NULL;
}

clxs_code clxs_an_profile_source(clxs_ws_client *ws, const char *wh, const char *fqn, const char *from_sql,
				 long long sample_limit, int top_n, int bins, json_object **out, clxs_error *err)
{
	clxs_buf src, b;
	clxs_buf_init(&src);
	clxs_buf_init(&b);
	clxs_ws_result probe, r;
	memset(&probe, 0, sizeof(probe));
	memset(&r, 0, sizeof(r));
	clxs_code rc = append_source(&src, fqn, from_sql, sample_limit, err);
	if (rc == CLXS_OK)
		rc = clxs_sql_appendf(&b, err, "SELECT * FROM (");
	if (rc == CLXS_OK && clxs_buf_puts(&b, clxs_buf_str(&src)) != 0)
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	if (rc == CLXS_OK)
		rc = clxs_sql_appendf(&b, err, ") AS q LIMIT 0");
	if (rc == CLXS_OK)
		rc = clxs_an_sql(ws, wh, clxs_buf_str(&b), &probe, err);
	if (rc == CLXS_OK && probe.ncols == 0)
		rc = clxs_fail(err, CLXS_EVALIDATION, from_sql ? "sql" : "table_fqn", "nothing to profile: no columns");
	clxs_buf_reset(&b);
	if (rc == CLXS_OK)
		rc = build_stats(&b, clxs_buf_str(&src), &probe, top_n, bins, err);
	if (rc == CLXS_OK)
		rc = clxs_an_sql(ws, wh, clxs_buf_str(&b), &r, err);
	if (rc != CLXS_OK)
		goto out;
	json_object *cols = json_object_new_array();
	int64_t rows = 0;
	for (size_t i = 0; i < probe.ncols; i++) {
		kind k = kind_of(probe.col_types[i]);
		json_object *c = json_object_new_object();
		clxs_json_set_str(c, "column_name", probe.col_names[i]);
		clxs_json_set_str(c, "data_type", probe.col_types[i] ? probe.col_types[i] : "");
		json_object_object_add(c, "histogram", want_hist(k, bins) ? json_object_new_array() : NULL);
		json_object_object_add(c, "top_values", k == K_STR && top_n > 0 ? json_object_new_array() : NULL);
		json_object_array_add(cols, c);
	}
	/* agg rows first (to know row counts and ranges), then the rest */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r.nrows; i++) {
			const char *kd = clxs_ws_result_cell(&r, i, 0), *ci = clxs_ws_result_cell(&r, i, 1);
			size_t idx = ci ? (size_t)strtoul(ci, NULL, 10) : 0;
			json_object *c = json_object_array_get_idx(cols, idx);
			if (!kd || !c)
				continue;
			kind k = kind_of(probe.col_types[idx]);
			const char *v[9];
			for (size_t j = 0; j < 9; j++)
				v[j] = clxs_ws_result_cell(&r, i, j + 2);
			if (pass == 0 && !strcmp(kd, "agg")) {
				rows = v[0] ? strtoll(v[0], NULL, 10) : 0;
				int64_t nonnull = v[1] ? strtoll(v[1], NULL, 10) : 0;
				clxs_json_set_int(c, "null_count", rows - nonnull);
				json_object_object_add(c, "null_pct", dbl_obj(
					rows ? round_to(100.0 * (double)(rows - nonnull) / (double)rows, 100) : 0));
				clxs_json_set_int(c, "distinct_count", v[2] ? strtoll(v[2], NULL, 10) : 0);
				json_object_object_add(c, "min", num_or_str(v[3], k == K_NUM));
				json_object_object_add(c, "max", num_or_str(v[4], k == K_NUM));
				if (k == K_NUM)
					json_object_object_add(c, "avg", dbl(v[5], 10000));
				if (k == K_STR) {
					json_object_object_add(c, "min_length", num_or_str(v[6], true));
					json_object_object_add(c, "max_length", num_or_str(v[7], true));
					json_object_object_add(c, "avg_length", dbl(v[8], 100));
				}
			} else if (pass == 1 && !strcmp(kd, "top")) {
				json_object *t = json_object_new_object();
				int64_t f = v[1] ? strtoll(v[1], NULL, 10) : 0;
				json_object_object_add(t, "value", v[0] ? json_object_new_string(v[0]) : NULL);
				clxs_json_set_int(t, "freq", f);
				json_object_object_add(t, "pct", dbl_obj(rows ? round_to(100.0 * (double)f / (double)rows, 100) : 0));
				json_object_array_add(json_object_object_get(c, "top_values"), t);
			} else if (pass == 1 && !strcmp(kd, "hist")) {
				double mn = clxs_json_double(c, "min", 0), mx = clxs_json_double(c, "max", 0);
				int bucket = v[0] ? atoi(v[0]) : 1;
				double w = (mx - mn) / bins;
				json_object *h = json_object_new_object();
				clxs_json_set_int(h, "bucket", bucket);
				clxs_json_set_int(h, "freq", v[1] ? strtoll(v[1], NULL, 10) : 0);
				json_object_object_add(h, "range_min", dbl_obj(mn + w * (bucket - 1)));
				json_object_object_add(h, "range_max", dbl_obj(mx == mn ? mx : mn + w * bucket));
				json_object_array_add(json_object_object_get(c, "histogram"), h);
			}
		}
	/* histogram rows come grouped, not ordered: sort by bucket */
	for (size_t i = 0; i < json_object_array_length(cols); i++) {
		json_object *h = json_object_object_get(json_object_array_get_idx(cols, i), "histogram");
		size_t n = h ? json_object_array_length(h) : 0;
		for (size_t x = 1; x < n; x++)
			for (size_t y = x; y > 0 && clxs_json_int(json_object_array_get_idx(h, y - 1), "bucket", 0) >
						    clxs_json_int(json_object_array_get_idx(h, y), "bucket", 0); y--) {
				json_object *p = json_object_get(json_object_array_get_idx(h, y - 1));
				json_object_array_put_idx(h, y - 1, json_object_get(json_object_array_get_idx(h, y)));
				json_object_array_put_idx(h, y, p);
			}
	}
	json_object *o = json_object_new_object();
	if (fqn)
		clxs_json_set_str(o, "table_fqn", fqn);
	clxs_json_set_int(o, "row_count", rows);
	char iso[40];
	clxs_iso8601(clxs_now_ms(), iso);
	clxs_json_set_str(o, "profiled_at", iso);
	json_object_object_add(o, "columns", cols);
	*out = o;
out:
	clxs_ws_result_free(&probe);
	clxs_ws_result_free(&r);
	clxs_buf_free(&src);
	clxs_buf_free(&b);
	return rc;
}

/* ---- catalog profile -------------------------------------------------------------------- */

static clxs_code profile_fn(clxs_ws_client *ws, const char *wh, json_object *item, void *ud, clxs_error *err)
{
	(void)ud;
	char fqn[900];
	snprintf(fqn, sizeof(fqn), "%s.%s.%s", clxs_json_str(item, "catalog", ""), clxs_json_str(item, "schema", ""),
		 clxs_json_str(item, "name", ""));
	json_object *p = NULL;
	clxs_code rc = clxs_an_profile_source(ws, wh, fqn, NULL, 0, 0, 0, &p, err);
	if (rc == CLXS_OK) {
		clxs_json_set_int(item, "row_count", clxs_json_int(p, "row_count", 0));
		json_object *cols = json_object_object_get(p, "columns");
		for (size_t i = 0; i < json_object_array_length(cols); i++) {
			json_object *c = json_object_array_get_idx(cols, i);
			json_object_object_del(c, "histogram");
			json_object_object_del(c, "top_values");
		}
		json_object_object_add(item, "columns", json_object_get(cols));
	}
	json_object_put(p);
	return rc;
}

clxs_code clxs_an_profile_op(clxs_ws_client *ws, const char *wh, json_object *opts, const clxs_an_env *env,
			     json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(opts, "source_catalog", "");
	json_object *model = NULL;
	clxs_code rc = clxs_an_discover(ws, wh, cat, "source_catalog", &model, err);
	if (rc)
		return rc;
	json_object *items = clxs_an_table_items(model, opts, false);
	json_object_put(model);
	clxs_an_each(ws, wh, items, (int)clxs_json_int(opts, "max_workers", 4), profile_fn, NULL);
	json_object *errors = json_object_new_array();
	int64_t ok = 0;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		static const char *const drop[] = {"catalog", "schema", "name", "model"};
		for (size_t k = 0; k < 4; k++)
			json_object_object_del(it, drop[k]);
		if (json_object_object_get(it, "error")) {
			json_object *e = json_object_new_object();
			clxs_json_set_str(e, "table", clxs_json_str(it, "table", ""));
			clxs_json_set_str(e, "error", clxs_json_str(it, "error", ""));
			json_object_array_add(errors, e);
		} else {
			ok++;
		}
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	clxs_json_set_int(o, "tables_profiled", ok);
	json_object_object_add(o, "tables", items);
	json_object_object_add(o, "errors", errors);
	const char *path = clxs_json_str(opts, "output_path", NULL);
	if (path) {
		char rel[300];
		const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
		rc = clxs_an_write_export(env ? env->state_dir : NULL, path, text, strlen(text), rel, sizeof(rel), err);
		if (rc) {
			json_object_put(o);
			return rc;
		}
		clxs_json_set_str(o, "output_path", rel);
	}
	*out = o;
	return CLXS_OK;
}
