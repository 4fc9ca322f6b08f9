/* Structure sync: make the destination hold every schema, table and view of
 * the source. Missing tables are DEEP CLONEd (structure and data, as a
 * clone would), missing views are created from the source definition with
 * the catalog rewritten by the tokenizer, in dependency order. With
 * drop_extra the destination's extra views, tables and schemas are dropped
 * (readers first). Column differences of tables on both sides are reported,
 * not changed: that is schema evolution's job. dry_run runs nothing and
 * lists the exact statements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/sql_token.h"
#include "mg_diff.h"

static void action(json_object *actions, const char *kind, const char *type, const char *object, clxs_buf *sql)
{
	json_object *a = json_object_new_object();
	clxs_json_set_str(a, "action", kind);
	clxs_json_set_str(a, "object_type", type);
	clxs_json_set_str(a, "object", object);
	clxs_json_set_str(a, "sql", clxs_buf_str(sql));
	json_object_array_add(actions, a);
	clxs_buf_reset(sql);
}

static bool in_list(json_object *arr, const char *s)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (!strcasecmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	return false;
}

static bool schema_in(json_object *schemas, const char *key)
{
	char s[300];
	snprintf(s, sizeof(s), "%.*s", (int)strcspn(key, "."), key);
	return in_list(schemas, s);
}

/* letters, digits, _ ( ) , < > : and spaces with balanced brackets: a
 * column type read from the catalog, safe to splice (it cannot be quoted). */
static bool type_ok(const char *t)
{
	if (!t || !*t || strlen(t) > 200)
		return false;
	int depth = 0;
	for (const char *p = t; *p; p++) {
		if (*p == '(' || *p == '<')
			depth++;
		else if (*p == ')' || *p == '>')
			depth--;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			   strchr("_, :", *p)))
			return false;
		if (depth < 0)
			return false;
	}
	return depth == 0;
}

/* CREATE FUNCTION statements of the missing functions, in dependency order,
 * from information_schema.routines and .parameters of the source. */
static clxs_code functions(clxs_mg_ctx *c, const char *src, const char *dst, json_object *g, json_object *missing,
			   json_object *actions, clxs_buf *b, clxs_error *err)
{
	clxs_ws_result r = {0}, p = {0};
	clxs_code rc = mg_sql(c, &r, err, "SELECT routine_schema, routine_name, full_data_type FROM %I.%K.%K", src,
			      "information_schema", "routines");
	if (!rc)
		rc = mg_sql(c, &p, err,
			    "SELECT specific_schema, specific_name, parameter_name, full_data_type FROM %I.%K.%K"
			    " ORDER BY specific_schema, specific_name, ordinal_position", src, "information_schema",
			    "parameters");
	json_object *order = rc ? NULL : clxs_mg_topo_order(g, missing, NULL), *objs = json_object_object_get(g, "objects");
	for (size_t i = 0; !rc && i < json_object_array_length(order); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(order, i));
		json_object *f = json_object_object_get(objs, k);
		const char *s = clxs_json_str(f, "schema", ""), *n = clxs_json_str(f, "name", ""), *ret = NULL;
		char fq[900];
		snprintf(fq, sizeof(fq), "%s.%s.%s", dst, s, n);
		for (size_t j = 0; j < r.nrows; j++)
			if (!strcmp(mg_cell(&r, j, "routine_schema"), s) && !strcmp(mg_cell(&r, j, "routine_name"), n))
				ret = mg_cell(&r, j, "full_data_type");
		bool ok = type_ok(ret);
		size_t mark = b->len;
		if (!(rc = clxs_sql_appendf(b, err, "CREATE FUNCTION IF NOT EXISTS %Q(", dst, s, n))) {
			int np = 0;
			for (size_t j = 0; !rc && j < p.nrows; j++) {
				const char *ps = mg_cell(&p, j, "specific_schema"), *pn = mg_cell(&p, j, "specific_name");
				const char *ty = mg_cell(&p, j, "full_data_type");
				if (!ps || !pn || strcmp(ps, s) != 0 || strcmp(pn, n) != 0)
					continue;
				ok = ok && type_ok(ty);
				if (ok)
					rc = clxs_sql_appendf(b, err, np++ ? ", %I %K" : "%I %K", mg_cell(&p, j, "parameter_name"), ty);
			}
		}
		if (!rc && !ok) {
			/* A type this tool cannot vouch for: said, not guessed. */
			clxs_buf_truncate(b, mark);
			json_object *a = json_object_new_object();
			clxs_json_set_str(a, "action", "create_function");
			clxs_json_set_str(a, "object_type", "FUNCTION");
			clxs_json_set_str(a, "object", fq);
			clxs_json_set_str(a, "status", "skipped");
			clxs_json_set_str(a, "reason", "a parameter or return type could not be read safely; use clxs clone");
			json_object_array_add(actions, a);
			continue;
		}
		char *body = NULL;
		if (!rc)
			rc = clxs_sql_rewrite_catalog(clxs_json_str(f, "definition", ""), src, dst, &body, err);
		if (!rc && !(rc = clxs_sql_appendf(b, err, ") RETURNS %K RETURN ", ret))) {
			clxs_buf_puts(b, body);
			action(actions, "create_function", "FUNCTION", fq, b);
		}
		free(body);
	}
	json_object_put(order);
	clxs_ws_result_free(&r);
	clxs_ws_result_free(&p);
	return rc;
}

/* Keys of one kind in a dependency graph that the other graph lacks,
 * excluded schemas left out. */
static json_object *kind_missing(json_object *req, json_object *g, json_object *other, const char *kind)
{
	json_object *out = json_object_new_array(), *objs = json_object_object_get(g, "objects"),
		    *oobjs = json_object_object_get(other, "objects"), *keys = mg_sorted_keys(objs);
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		json_object *o = json_object_object_get(objs, k);
		if (!strcmp(clxs_json_str(o, "kind", ""), kind) && !mg_excluded(req, clxs_json_str(o, "schema", NULL)) &&
		    !json_object_object_get(oobjs, k))
			mg_push(out, k);
	}
	json_object_put(keys);
	return out;
}

/* The row filters and column masks of the source's tables `keys` ("s.t"),
 * set on the same tables of dst: a DEEP CLONE copies data, not security,
 * and a copy without its row filter would expose the rows it hides.
 * Functions of the source catalog are named in dst. Each statement goes to
 * add(ud, "s.t", sql). */
clxs_code mg_security_statements(clxs_mg_ctx *c, const char *src, const char *dst, json_object *keys,
				 void (*add)(void *ud, const char *key, clxs_buf *sql), void *ud, clxs_error *err)
{
	if (json_object_array_length(keys) == 0)
		return CLXS_OK;
	clxs_ws_result f = {0}, m = {0};
	clxs_code rc = mg_sql(c, &f, err,
			      "SELECT schema_name, table_name, filter_catalog, filter_schema, filter_name, filter_col_usage"
			      " FROM %I.%K.%K", src, "information_schema", "row_filters");
	if (!rc)
		rc = mg_sql(c, &m, err,
			    "SELECT schema_name, table_name, column_name, mask_catalog, mask_schema, mask_name, mask_col_usage"
			    " FROM %I.%K.%K", src, "information_schema", "column_masks");
	clxs_buf b;
	clxs_buf_init(&b);
	char k[600];
	for (int pass = 0; !rc && pass < 2; pass++) {
		clxs_ws_result *r = pass ? &m : &f;
		for (size_t i = 0; !rc && i < r->nrows; i++) {
			const char *s = mg_cell(r, i, "schema_name"), *t = mg_cell(r, i, "table_name");
			bool want = false;
			mg_key(k, sizeof(k), s, t);
			for (size_t j = 0; j < json_object_array_length(keys); j++)
				want |= !strcasecmp(json_object_get_string(json_object_array_get_idx(keys, j)), k);
			if (!want)
				continue;
			const char *fc = mg_cell(r, i, pass ? "mask_catalog" : "filter_catalog");
			const char *fs = mg_cell(r, i, pass ? "mask_schema" : "filter_schema");
			const char *fn = mg_cell(r, i, pass ? "mask_name" : "filter_name");
			const char *cols = mg_cell(r, i, pass ? "mask_col_usage" : "filter_col_usage");
			if (fc && !strcasecmp(fc, src))
				fc = dst;
			clxs_buf_reset(&b);
			if (pass == 0)
				rc = clxs_sql_appendf(&b, err, "ALTER TABLE %Q SET ROW FILTER %Q ON (", dst, s, t, fc, fs, fn);
			else
				rc = clxs_sql_appendf(&b, err, "ALTER TABLE %Q ALTER COLUMN %I SET MASK %Q", dst, s, t,
						      mg_cell(r, i, "column_name"), fc, fs, fn);
			if (!rc && pass == 1 && cols && *cols)
				rc = clxs_sql_appendf(&b, err, " USING COLUMNS (");
			int n = 0;
			for (const char *p = cols ? cols : ""; !rc && *p;) {
				size_t l = strcspn(p, ",");
				char col[300];
				snprintf(col, sizeof(col), "%.*s", (int)l, p);
				char *q = col + strspn(col, " ");
				if (*q)
					rc = clxs_sql_appendf(&b, err, n++ ? ", %I" : "%I", q);
				p += l + (p[l] == ',');
			}
			if (!rc && (pass == 0 || (cols && *cols)))
				clxs_buf_puts(&b, ")");
			if (!rc)
				add(ud, k, &b);
		}
	}
	clxs_buf_free(&b);
	clxs_ws_result_free(&f);
	clxs_ws_result_free(&m);
	return rc;
}

typedef struct {
	json_object *actions;
	const char *dst;
} sec_ud;

static void add_security(void *ud, const char *key, clxs_buf *sql)
{
	sec_ud *u = ud;
	char fq[900];
	snprintf(fq, sizeof(fq), "%s.%s", u->dst, key);
	action(u->actions, "set_security", "TABLE", fq, sql);
}

/* The statements of a sync, in order. */
static clxs_code plan(clxs_mg_ctx *c, json_object *req, json_object *cmp, json_object *actions, clxs_error *err)
{
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	clxs_buf b;
	clxs_buf_init(&b);
	char fq[900];
	json_object *gs = NULL, *gd = NULL;
	clxs_code rc = clxs_mg_dep_graph(c, src, &gs, err);
	if (!rc && clxs_json_bool(cmp, "destination_exists", true))
		rc = clxs_mg_dep_graph(c, dst, &gd, err);
	if (rc)
		goto out;
	if (!gd) {
		gd = json_object_new_object();
		json_object_object_add(gd, "objects", json_object_new_object());
		json_object_object_add(gd, "edges", json_object_new_array());
		if (!(rc = clxs_sql_appendf(&b, err, "CREATE CATALOG IF NOT EXISTS %I", dst)))
			action(actions, "create_catalog", "CATALOG", dst, &b);
	}
	json_object *mf = kind_missing(req, gs, gd, "FUNCTION"), *ef = kind_missing(req, gd, gs, "FUNCTION");
	json_object_object_add(cmp, "missing_functions", mf);
	json_object_object_add(cmp, "extra_functions", ef);
	json_object *ms = json_object_object_get(cmp, "missing_schemas");
	for (size_t i = 0; !rc && i < json_object_array_length(ms); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(ms, i));
		snprintf(fq, sizeof(fq), "%s.%s", dst, s);
		if (!(rc = clxs_sql_appendf(&b, err, "CREATE SCHEMA IF NOT EXISTS %Q", dst, s, NULL)))
			action(actions, "create_schema", "SCHEMA", fq, &b);
	}
	json_object *mt = json_object_object_get(cmp, "missing_tables"), *srct = json_object_object_get(cmp, "source");
	for (size_t i = 0; !rc && i < json_object_array_length(mt); i++) {
		json_object *t = json_object_object_get(srct, json_object_get_string(json_object_array_get_idx(mt, i)));
		const char *s = clxs_json_str(t, "schema", ""), *n = clxs_json_str(t, "name", "");
		snprintf(fq, sizeof(fq), "%s.%s.%s", dst, s, n);
		if (!(rc = clxs_sql_appendf(&b, err, "CREATE TABLE IF NOT EXISTS %Q DEEP CLONE %Q", dst, s, n, src, s, n)))
			action(actions, "create_table", "TABLE", fq, &b);
	}
	/* Functions before the views that call them. */
	if (!rc && json_object_array_length(mf) > 0)
		rc = functions(c, src, dst, gs, mf, actions, &b, err);
	json_object *mv = json_object_object_get(cmp, "missing_views");
	json_object *order = rc ? NULL : clxs_mg_topo_order(gs, mv, NULL), *objs = json_object_object_get(gs, "objects");
	for (size_t i = 0; !rc && i < json_object_array_length(order); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(order, i));
		json_object *v = json_object_object_get(objs, k);
		const char *s = clxs_json_str(v, "schema", ""), *n = clxs_json_str(v, "name", "");
		char *def = NULL;
		/* Three-part names of the source catalog now name the destination. */
		rc = clxs_sql_rewrite_catalog(clxs_json_str(v, "definition", ""), src, dst, &def, err);
		if (!rc && !(rc = clxs_sql_appendf(&b, err, "CREATE VIEW IF NOT EXISTS %Q AS ", dst, s, n))) {
			clxs_buf_puts(&b, def);
			snprintf(fq, sizeof(fq), "%s.%s.%s", dst, s, n);
			action(actions, "create_view", "VIEW", fq, &b);
		}
		free(def);
	}
	json_object_put(order);
	/* Row filters and masks of the created tables, after their functions. */
	if (!rc) {
		sec_ud u = {actions, dst};
		rc = mg_security_statements(c, src, dst, mt, add_security, &u, err);
	}
	if (rc || !clxs_json_bool(req, "drop_extra", false))
		goto out;
	/* Drops: readers before what they read; the contents of a dropped
	 * schema go with it (CASCADE) rather than one by one. */
	json_object *es = json_object_object_get(cmp, "extra_schemas"), *ev = json_object_object_get(cmp, "extra_views");
	json_object *et = json_object_object_get(cmp, "extra_tables");
	order = clxs_mg_topo_order(gd, ev, NULL);
	for (size_t i = json_object_array_length(order); !rc && i-- > 0;) {
		const char *k = json_object_get_string(json_object_array_get_idx(order, i));
		if (schema_in(es, k))
			continue;
		char s[300];
		snprintf(s, sizeof(s), "%.*s", (int)strcspn(k, "."), k);
		snprintf(fq, sizeof(fq), "%s.%s", dst, k);
		if (!(rc = clxs_sql_appendf(&b, err, "DROP VIEW IF EXISTS %Q", dst, s, k + strlen(s) + 1)))
			action(actions, "drop_view", "VIEW", fq, &b);
	}
	json_object_put(order);
	for (size_t i = 0; !rc && i < json_object_array_length(ef); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(ef, i));
		json_object *f = json_object_object_get(json_object_object_get(gd, "objects"), k);
		if (schema_in(es, k))
			continue;
		snprintf(fq, sizeof(fq), "%s.%s", dst, k);
		if (!(rc = clxs_sql_appendf(&b, err, "DROP FUNCTION IF EXISTS %Q", dst, clxs_json_str(f, "schema", ""),
					    clxs_json_str(f, "name", ""))))
			action(actions, "drop_function", "FUNCTION", fq, &b);
	}
	json_object *dstt = json_object_object_get(cmp, "destination");
	for (size_t i = 0; !rc && i < json_object_array_length(et); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(et, i));
		json_object *t = json_object_object_get(dstt, k);
		if (schema_in(es, k))
			continue;
		snprintf(fq, sizeof(fq), "%s.%s", dst, k);
		if (!(rc = clxs_sql_appendf(&b, err, "DROP TABLE IF EXISTS %Q", dst, clxs_json_str(t, "schema", ""),
					    clxs_json_str(t, "name", ""))))
			action(actions, "drop_table", "TABLE", fq, &b);
	}
	for (size_t i = 0; !rc && i < json_object_array_length(es); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(es, i));
		snprintf(fq, sizeof(fq), "%s.%s", dst, s);
		if (!(rc = clxs_sql_appendf(&b, err, "DROP SCHEMA IF EXISTS %Q CASCADE", dst, s, NULL)))
			action(actions, "drop_schema", "SCHEMA", fq, &b);
	}
out:
	json_object_put(gs);
	json_object_put(gd);
	clxs_buf_free(&b);
	return rc;
}

static json_object *listed(json_object *cmp, const char *key, const char *type, const char *cat)
{
	json_object *out = json_object_new_array(), *src = json_object_object_get(cmp, key);
	for (size_t i = 0; i < json_object_array_length(src); i++) {
		char fq[900];
		json_object *o = json_object_new_object();
		snprintf(fq, sizeof(fq), "%s.%s", cat, json_object_get_string(json_object_array_get_idx(src, i)));
		clxs_json_set_str(o, "object_type", type);
		clxs_json_set_str(o, "object", fq);
		json_object_array_add(out, o);
	}
	return out;
}

static void append_all(json_object *dst, json_object *src)
{
	for (size_t i = 0; i < json_object_array_length(src); i++)
		json_object_array_add(dst, json_object_get(json_object_array_get_idx(src, i)));
	json_object_put(src);
}

clxs_code clxs_mg_sync(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	bool dry = clxs_json_bool(req, "dry_run", false), drop = clxs_json_bool(req, "drop_extra", false);
	if (!strcasecmp(src, dst))
		return clxs_fail(err, CLXS_EVALIDATION, "destination_catalog", "source and destination are the same catalog");
	json_object *cmp = NULL;
	clxs_code rc = mg_compare(c, req, src, dst, true, &cmp, err);
	if (rc)
		return rc;
	json_object *actions = json_object_new_array();
	if ((rc = plan(c, req, cmp, actions, err))) {
		json_object_put(actions);
		json_object_put(cmp);
		return rc;
	}
	mg_log(c, "info", "sync %s -> %s: %zu statements%s", src, dst, json_object_array_length(actions),
	       dry ? " (dry run)" : "");
	int64_t done = 0, failed = 0;
	for (size_t i = 0; i < json_object_array_length(actions); i++) {
		json_object *a = json_object_array_get_idx(actions, i);
		if (clxs_json_str(a, "status", NULL))
			continue; /* decided while planning (skipped) */
		if (dry) {
			clxs_json_set_str(a, "status", "would_run");
			continue;
		}
		if ((rc = mg_gate(c))) {
			json_object_put(actions);
			json_object_put(cmp);
			return clxs_fail(err, rc, NULL, "sync stopped");
		}
		clxs_error e;
		if (mg_exec(c, clxs_json_str(a, "sql", ""), &e) == CLXS_OK) {
			clxs_json_set_str(a, "status", "done");
			done++;
		} else {
			clxs_json_set_str(a, "status", "failed");
			clxs_json_set_str(a, "error", e.message);
			mg_log(c, "error", "%s %s: %s", clxs_json_str(a, "action", ""), clxs_json_str(a, "object", ""),
			       e.message);
			failed++;
		}
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "destination_catalog", dst);
	clxs_json_set_bool(o, "dry_run", dry);
	clxs_json_set_bool(o, "drop_extra", drop);
	json_object *missing = listed(cmp, "missing_schemas", "SCHEMA", dst);
	append_all(missing, listed(cmp, "missing_tables", "TABLE", dst));
	append_all(missing, listed(cmp, "missing_functions", "FUNCTION", dst));
	append_all(missing, listed(cmp, "missing_views", "VIEW", dst));
	json_object *extra = listed(cmp, "extra_schemas", "SCHEMA", dst);
	append_all(extra, listed(cmp, "extra_tables", "TABLE", dst));
	append_all(extra, listed(cmp, "extra_functions", "FUNCTION", dst));
	append_all(extra, listed(cmp, "extra_views", "VIEW", dst));
	json_object_object_add(o, "missing_in_destination", missing);
	json_object_object_add(o, "extra_in_destination", extra);
	if (!drop && json_object_array_length(extra) > 0)
		clxs_json_set_str(o, "extra_note", "kept: drop_extra is false");
	json_object_object_add(o, "schema_differences", json_object_get(json_object_object_get(cmp, "changed_tables")));
	json_object_object_add(o, "actions", actions);
	json_object *sum = json_object_new_object();
	clxs_json_set_int(sum, "planned", (int64_t)json_object_array_length(actions));
	clxs_json_set_int(sum, "executed", done);
	clxs_json_set_int(sum, "failed", failed);
	json_object_object_add(o, "summary", sum);
	json_object_put(cmp);
	*out = o;
	return CLXS_OK;
}
