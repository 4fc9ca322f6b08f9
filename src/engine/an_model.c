/* The analysis operations that need nothing but discovered catalog models:
 * object diff, column compare, schema drift, diff-detail, search and the
 * grant risk audit. Pure functions of their inputs, so every rule here is
 * unit-tested without a workspace. Names compare case-insensitively (Unity
 * Catalog names are case-insensitive); output lists are sorted so two runs
 * over the same catalogs print the same thing. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "an_internal.h"
#include "clxs/analysis.h"
#include "clxs/json.h"

static bool list_has(json_object *list, const char *s)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++)
		if (!strcasecmp(json_object_get_string(json_object_array_get_idx(list, i)), s))
			return true;
	return false;
}

bool clxs_an_schema_skipped(json_object *opts, const char *schema)
{
	if (!schema)
		return true;
	if (list_has(json_object_object_get(opts, "exclude_schemas"), schema))
		return true;
	json_object *inc = json_object_object_get(opts, "include_schemas");
	return inc && json_object_array_length(inc) > 0 && !list_has(inc, schema);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* "schema.name" (as spelled) of a model object. */
static void obj_key(json_object *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%s", clxs_json_str(t, "schema", ""), clxs_json_str(t, "name", ""));
}

/* Index of a model's objects of one class ("tables", "views" or NULL for
 * both): lower-cased "schema.name" -> object. Excluded schemas left out. */
static json_object *index_of(json_object *model, const char *cls, json_object *opts)
{
	json_object *idx = json_object_new_object();
	static const char *const classes[] = {"tables", "views"};
	for (size_t c = 0; c < 2; c++) {
		if (cls && strcmp(cls, classes[c]) != 0)
			continue;
		json_object *arr = json_object_object_get(model, classes[c]);
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			json_object *t = json_object_array_get_idx(arr, i);
			if (clxs_an_schema_skipped(opts, clxs_json_str(t, "schema", NULL)))
				continue;
			char k[600];
			obj_key(t, k, sizeof(k));
			lower(k);
			json_object_object_add(idx, k, json_object_get(t));
		}
	}
	return idx;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a), json_object_get_string(*(json_object *const *)b));
}

static json_object *sorted(json_object *arr)
{
	json_object_array_sort(arr, cmp_str);
	return arr;
}

/* missing / extra / matching between two indexes, by display name. */
static void split(json_object *a, json_object *b, json_object *missing, json_object *extra, json_object *matching,
		  bool schemas)
{
	char k[600];
	json_object_object_foreach(a, ka, va) {
		if (schemas)
			snprintf(k, sizeof(k), "%s", clxs_json_str(va, "name", ""));
		else
			obj_key(va, k, sizeof(k));
		json_object_array_add(json_object_object_get(b, ka) ? matching : missing, json_object_new_string(k));
	}
	json_object_object_foreach(b, kb, vb) {
		if (json_object_object_get(a, kb))
			continue;
		if (schemas)
			snprintf(k, sizeof(k), "%s", clxs_json_str(vb, "name", ""));
		else
			obj_key(vb, k, sizeof(k));
		json_object_array_add(extra, json_object_new_string(k));
	}
	sorted(missing);
	sorted(extra);
	sorted(matching);
}

static json_object *schema_index(json_object *model, json_object *opts)
{
	json_object *idx = json_object_new_object(), *arr = json_object_object_get(model, "schemas");
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *s = json_object_array_get_idx(arr, i);
		const char *n = clxs_json_str(s, "name", NULL);
		if (clxs_an_schema_skipped(opts, n))
			continue;
		char k[300];
		snprintf(k, sizeof(k), "%s", n);
		lower(k);
		json_object_object_add(idx, k, json_object_get(s));
	}
	return idx;
}

static void add_split(json_object *out, const char *what, json_object *a, json_object *b, bool schemas)
{
	json_object *m = json_object_new_array(), *e = json_object_new_array(), *ok = json_object_new_array();
	split(a, b, m, e, ok, schemas);
	char key[64];
	snprintf(key, sizeof(key), "missing_%s", what);
	json_object_object_add(out, key, m);
	snprintf(key, sizeof(key), "extra_%s", what);
	json_object_object_add(out, key, e);
	snprintf(key, sizeof(key), "matching_%s", what);
	json_object_object_add(out, key, ok);
}

json_object *clxs_an_diff(json_object *src, json_object *dst, json_object *opts)
{
	json_object *out = json_object_new_object();
	json_object *sa = schema_index(src, opts), *sb = schema_index(dst, opts);
	json_object *ta = index_of(src, "tables", opts), *tb = index_of(dst, "tables", opts);
	json_object *va = index_of(src, "views", opts), *vb = index_of(dst, "views", opts);
	add_split(out, "schemas", sa, sb, true);
	add_split(out, "tables", ta, tb, false);
	add_split(out, "views", va, vb, false);
	clxs_an_diff_deep(out, src, dst, opts);
	json_object_put(sa);
	json_object_put(sb);
	json_object_put(ta);
	json_object_put(tb);
	json_object_put(va);
	json_object_put(vb);
	return out;
}

/* ---- columns ------------------------------------------------------------------- */

static json_object *column(json_object *t, const char *name, int *pos)
{
	json_object *cols = json_object_object_get(t, "columns");
	for (size_t i = 0; cols && i < json_object_array_length(cols); i++) {
		json_object *c = json_object_array_get_idx(cols, i);
		if (!strcasecmp(clxs_json_str(c, "name", ""), name)) {
			if (pos)
				*pos = (int)i;
			return c;
		}
	}
	return NULL;
}

static size_t ncols(json_object *t)
{
	json_object *c = json_object_object_get(t, "columns");
	return c ? json_object_array_length(c) : 0;
}

typedef struct {
	json_object *added, *removed, *modified; /* names; names; [{column,...}] */
	json_object *issues;                     /* compare's flat issue list */
	bool order_differs;
} coldiff;

static json_object *issue(const char *table, const char *col, const char *kind, json_object *s, json_object *d)
{
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "table", table);
	if (col)
		clxs_json_set_str(o, "column", col);
	else
		json_object_object_add(o, "column", NULL);
	clxs_json_set_str(o, "issue", kind);
	json_object_object_add(o, "source", s);
	json_object_object_add(o, "destination", d);
	return o;
}

/* Compare the columns of one object on both sides. Types compare
 * case-insensitively ("BIGINT" = "bigint"); order compares the relative
 * order of the common columns, so a dropped column is reported once (as
 * removed) and not again as every later column moving up. */
static void diff_columns(const char *table, json_object *a, json_object *b, coldiff *d)
{
	json_object *ca = json_object_object_get(a, "columns"), *cb = json_object_object_get(b, "columns");
	d->added = json_object_new_array();
	d->removed = json_object_new_array();
	d->modified = json_object_new_array();
	d->issues = json_object_new_array();
	d->order_differs = false;
	json_object *oa = json_object_new_array(), *ob = json_object_new_array();
	for (size_t i = 0; ca && i < json_object_array_length(ca); i++) {
		json_object *c = json_object_array_get_idx(ca, i), *o;
		const char *n = clxs_json_str(c, "name", "");
		if (!(o = column(b, n, NULL))) {
			json_object_array_add(d->removed, json_object_new_string(n));
			json_object_array_add(d->issues, issue(table, n, "missing_in_destination",
							       json_object_new_string(clxs_json_str(c, "type_text", "")), NULL));
			continue;
		}
		json_object_array_add(oa, json_object_new_string(n));
		const char *ta = clxs_json_str(c, "type_text", ""), *tb = clxs_json_str(o, "type_text", "");
		bool na = clxs_json_bool(c, "nullable", true), nb = clxs_json_bool(o, "nullable", true);
		bool type_diff = strcasecmp(ta, tb) != 0, null_diff = na != nb;
		if (type_diff)
			json_object_array_add(d->issues, issue(table, n, "type_mismatch", json_object_new_string(ta),
							       json_object_new_string(tb)));
		if (null_diff)
			json_object_array_add(d->issues, issue(table, n, "nullability_mismatch", json_object_new_boolean(na),
							       json_object_new_boolean(nb)));
		if (type_diff || null_diff) {
			json_object *m = json_object_new_object();
			clxs_json_set_str(m, "column", n);
			clxs_json_set_str(m, "source_type", ta);
			clxs_json_set_str(m, "dest_type", tb);
			clxs_json_set_bool(m, "source_nullable", na);
			clxs_json_set_bool(m, "dest_nullable", nb);
			json_object_array_add(d->modified, m);
		}
	}
	for (size_t i = 0; cb && i < json_object_array_length(cb); i++) {
		json_object *c = json_object_array_get_idx(cb, i);
		const char *n = clxs_json_str(c, "name", "");
		if (!column(a, n, NULL)) {
			json_object_array_add(d->added, json_object_new_string(n));
			json_object_array_add(d->issues, issue(table, n, "extra_in_destination", NULL,
							       json_object_new_string(clxs_json_str(c, "type_text", ""))));
		} else {
			json_object_array_add(ob, json_object_new_string(n));
		}
	}
	for (size_t i = 0; i < json_object_array_length(oa); i++)
		if (strcasecmp(json_object_get_string(json_object_array_get_idx(oa, i)),
			       json_object_get_string(json_object_array_get_idx(ob, i))) != 0)
			d->order_differs = true;
	if (d->order_differs)
		json_object_array_add(d->issues, issue(table, NULL, "order_mismatch", oa, ob));
	else {
		json_object_put(oa);
		json_object_put(ob);
	}
}

static void coldiff_free(coldiff *d)
{
	json_object_put(d->added);
	json_object_put(d->removed);
	json_object_put(d->modified);
	json_object_put(d->issues);
}

/* Visit the objects present on both sides, in sorted order. */
typedef void (*pair_fn)(const char *table, json_object *a, json_object *b, void *ud);

static void each_pair(json_object *ia, json_object *ib, pair_fn fn, void *ud)
{
	json_object *keys = json_object_new_array();
	json_object_object_foreach(ia, k, v) {
		(void)v;
		if (json_object_object_get(ib, k))
			json_object_array_add(keys, json_object_new_string(k));
	}
	sorted(keys);
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *key = json_object_get_string(json_object_array_get_idx(keys, i));
		json_object *a = json_object_object_get(ia, key), *b = json_object_object_get(ib, key);
		char name[600];
		obj_key(a, name, sizeof(name));
		fn(name, a, b, ud);
	}
	json_object_put(keys);
}

typedef struct {
	json_object *tables, *issues;
	int compared, differing;
} compare_acc;

static void compare_one(const char *table, json_object *a, json_object *b, void *ud)
{
	compare_acc *acc = ud;
	coldiff d;
	diff_columns(table, a, b, &d);
	bool same = json_object_array_length(d.issues) == 0;
	json_object *t = json_object_new_object();
	clxs_json_set_str(t, "table", table);
	clxs_json_set_str(t, "status", same ? "match" : "mismatch");
	clxs_json_set_int(t, "source_columns", (int64_t)ncols(a));
	clxs_json_set_int(t, "dest_columns", (int64_t)ncols(b));
	json_object_object_add(t, "differences", json_object_get(d.issues));
	json_object_array_add(acc->tables, t);
	for (size_t i = 0; i < json_object_array_length(d.issues); i++)
		json_object_array_add(acc->issues, json_object_get(json_object_array_get_idx(d.issues, i)));
	acc->compared++;
	acc->differing += !same;
	coldiff_free(&d);
}

static void add_presence(json_object *out, json_object *ia, json_object *ib)
{
	json_object *m = json_object_new_array(), *e = json_object_new_array(), *ok = json_object_new_array();
	split(ia, ib, m, e, ok, false);
	json_object_object_add(out, "missing_tables", m);
	json_object_object_add(out, "extra_tables", e);
	json_object_put(ok);
}

json_object *clxs_an_compare(json_object *src, json_object *dst, json_object *opts)
{
	json_object *ia = index_of(src, NULL, opts), *ib = index_of(dst, NULL, opts);
	compare_acc acc = {json_object_new_array(), json_object_new_array(), 0, 0};
	each_pair(ia, ib, compare_one, &acc);
	json_object *out = json_object_new_object();
	clxs_json_set_str(out, "source_catalog", clxs_json_str(opts, "source_catalog", ""));
	clxs_json_set_str(out, "destination_catalog", clxs_json_str(opts, "destination_catalog", ""));
	clxs_json_set_int(out, "tables_compared", acc.compared);
	clxs_json_set_int(out, "tables_matching", acc.compared - acc.differing);
	clxs_json_set_int(out, "tables_with_differences", acc.differing);
	add_presence(out, ia, ib);
	json_object_object_add(out, "differences", acc.issues);
	json_object_object_add(out, "tables", acc.tables);
	json_object_put(ia);
	json_object_put(ib);
	return out;
}

/* ---- drift ---------------------------------------------------------------------------- */

typedef struct {
	json_object *drift, *src_sizes, *dst_sizes, *errors;
	int checked;
	long long total_src, total_dst;
	bool detail;
} drift_acc;

static bool size_of(json_object *sizes, const char *table, long long *out)
{
	json_object *v;
	if (!sizes || !json_object_object_get_ex(sizes, table, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

static void drift_one(const char *table, json_object *a, json_object *b, void *ud)
{
	drift_acc *acc = ud;
	coldiff d;
	diff_columns(table, a, b, &d);
	acc->checked++;
	bool cols = json_object_array_length(d.added) || json_object_array_length(d.removed) ||
		    json_object_array_length(d.modified) || d.order_differs;
	long long sa = 0, sb = 0;
	bool have = acc->detail && size_of(acc->src_sizes, table, &sa) && size_of(acc->dst_sizes, table, &sb);
	if (acc->detail) {
		acc->total_src += have ? sa : 0;
		acc->total_dst += have ? sb : 0;
	}
	if (cols || (have && sa != sb)) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, acc->detail ? "table_fqn" : "table", table);
		if (acc->detail) {
			clxs_json_set_int(o, "source_columns", (int64_t)ncols(a));
			clxs_json_set_int(o, "dest_columns", (int64_t)ncols(b));
		}
		json_object_object_add(o, "added_columns", json_object_get(d.added));
		json_object_object_add(o, "removed_columns", json_object_get(d.removed));
		json_object_object_add(o, "modified_columns", json_object_get(d.modified));
		clxs_json_set_bool(o, "order_changed", d.order_differs);
		if (acc->detail) {
			if (have)
				clxs_json_set_int(o, "size_delta_bytes", sb - sa);
			else
				json_object_object_add(o, "size_delta_bytes", NULL);
		}
		json_object_array_add(acc->drift, o);
	}
	coldiff_free(&d);
}

json_object *clxs_an_schema_drift(json_object *src, json_object *dst, json_object *opts)
{
	json_object *ia = index_of(src, NULL, opts), *ib = index_of(dst, NULL, opts);
	drift_acc acc = {json_object_new_array(), NULL, NULL, NULL, 0, 0, 0, false};
	each_pair(ia, ib, drift_one, &acc);
	json_object *out = json_object_new_object();
	clxs_json_set_str(out, "source_catalog", clxs_json_str(opts, "source_catalog", ""));
	clxs_json_set_str(out, "destination_catalog", clxs_json_str(opts, "destination_catalog", ""));
	clxs_json_set_int(out, "tables_checked", acc.checked);
	clxs_json_set_int(out, "tables_with_drift", (int64_t)json_object_array_length(acc.drift));
	json_object_object_add(out, "drift", acc.drift);
	add_presence(out, ia, ib);
	json_object_put(ia);
	json_object_put(ib);
	return out;
}

json_object *clxs_an_diff_detail(json_object *src, json_object *dst, json_object *opts, json_object *src_sizes,
				 json_object *dst_sizes)
{
	json_object *out = json_object_new_object();
	json_object *d = clxs_an_diff(src, dst, opts);
	static const char *const what[] = {"schemas", "tables"};
	for (size_t i = 0; i < 2; i++) {
		json_object *o = json_object_new_object();
		static const char *const kinds[] = {"missing", "extra", "matching"};
		for (size_t k = 0; k < 3; k++) {
			char key[64];
			snprintf(key, sizeof(key), "%s_%s", kinds[k], what[i]);
			json_object *v = json_object_get(json_object_object_get(d, key));
			if (i == 1) { /* views are objects of the tables namespace here */
				snprintf(key, sizeof(key), "%s_views", kinds[k]);
				json_object *views = json_object_object_get(d, key);
				for (size_t j = 0; views && j < json_object_array_length(views); j++)
					json_object_array_add(v, json_object_get(json_object_array_get_idx(views, j)));
				sorted(v);
			}
			json_object_object_add(o, kinds[k], v);
		}
		json_object_object_add(out, what[i], o);
	}
	json_object_put(d);
	json_object *ia = index_of(src, NULL, opts), *ib = index_of(dst, NULL, opts);
	drift_acc acc = {json_object_new_array(), src_sizes, dst_sizes, json_object_new_array(), 0, 0, 0, true};
	each_pair(ia, ib, drift_one, &acc);
	json_object_object_add(out, "drift", acc.drift);
	json_object *sum = json_object_new_object();
	clxs_json_set_int(sum, "total_matching_tables", acc.checked);
	clxs_json_set_int(sum, "tables_with_drift", (int64_t)json_object_array_length(acc.drift));
	clxs_json_set_int(sum, "total_size_source_bytes", acc.total_src);
	clxs_json_set_int(sum, "total_size_dest_bytes", acc.total_dst);
	json_object_object_add(out, "summary", sum);
	json_object_object_add(out, "drift_errors", acc.errors);
	json_object_put(ia);
	json_object_put(ib);
	return out;
}

/* ---- search ----------------------------------------------------------------------------- */

json_object *clxs_an_search(json_object *model, json_object *opts, clxs_error *err)
{
	const char *pattern = clxs_json_str(opts, "pattern", "");
	regex_t rx;
	/* POSIX extended, case-insensitive: Unity Catalog names are. */
	int rc = regcomp(&rx, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc != 0) {
		char why[200];
		regerror(rc, &rx, why, sizeof(why));
		clxs_fail(err, CLXS_EVALIDATION, "pattern", "pattern is not a valid regular expression: %s", why);
		return NULL;
	}
	bool cols = clxs_json_bool(opts, "search_columns", false);
	json_object *tables = json_object_new_array(), *columns = json_object_new_array();
	const char *cat = clxs_json_str(model ? json_object_object_get(model, "catalog") : NULL, "name", "");
	json_object *idx = index_of(model, NULL, opts), *keys = json_object_new_array();
	json_object_object_foreach(idx, k, v) {
		(void)v;
		json_object_array_add(keys, json_object_new_string(k));
	}
	sorted(keys);
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		json_object *t = json_object_object_get(idx, json_object_get_string(json_object_array_get_idx(keys, i)));
		const char *schema = clxs_json_str(t, "schema", ""), *name = clxs_json_str(t, "name", "");
		char qual[600], fqn[900];
		obj_key(t, qual, sizeof(qual));
		snprintf(fqn, sizeof(fqn), "%s.%s", cat, qual);
		if (regexec(&rx, name, 0, NULL, 0) == 0 || regexec(&rx, qual, 0, NULL, 0) == 0) {
			json_object *o = json_object_new_object();
			clxs_json_set_str(o, "schema", schema);
			clxs_json_set_str(o, "table", name);
			clxs_json_set_str(o, "fqn", fqn);
			clxs_json_set_str(o, "table_type", clxs_json_str(t, "table_type", ""));
			json_object_array_add(tables, o);
		}
		json_object *cl = cols ? json_object_object_get(t, "columns") : NULL;
		for (size_t j = 0; cl && j < json_object_array_length(cl); j++) {
			json_object *c = json_object_array_get_idx(cl, j);
			if (regexec(&rx, clxs_json_str(c, "name", ""), 0, NULL, 0) != 0)
				continue;
			json_object *o = json_object_new_object();
			clxs_json_set_str(o, "schema", schema);
			clxs_json_set_str(o, "table", name);
			clxs_json_set_str(o, "column", clxs_json_str(c, "name", ""));
			clxs_json_set_str(o, "data_type", clxs_json_str(c, "type_text", ""));
			clxs_json_set_str(o, "fqn", fqn);
			json_object_array_add(columns, o);
		}
	}
	regfree(&rx);
	json_object_put(idx);
	json_object_put(keys);
	json_object *out = json_object_new_object();
	clxs_json_set_str(out, "catalog", cat);
	clxs_json_set_str(out, "pattern", pattern);
	clxs_json_set_int(out, "total_tables_matched", (int64_t)json_object_array_length(tables));
	clxs_json_set_int(out, "total_columns_matched", (int64_t)json_object_array_length(columns));
	json_object_object_add(out, "matched_tables", tables);
	json_object_object_add(out, "matched_columns", columns);
	return out;
}

/* ---- grant risk ------------------------------------------------------------------------- */

bool clxs_an_is_public_group(const char *p)
{
	static const char *const pub[] = {"account users", "users", "all users", "all account users"};
	for (size_t i = 0; p && i < sizeof(pub) / sizeof(pub[0]); i++)
		if (!strcasecmp(p, pub[i]))
			return true;
	return false;
}

static const char *const levels[] = {"LOW", "MEDIUM", "HIGH", "CRITICAL"};

/* Risk rules (docs/analysis.md): the public groups reach everyone in the
 * account, so any grant to them is a finding scaled by what it allows;
 * named principals are only flagged for ALL PRIVILEGES (blast radius) and
 * MANAGE (may re-grant). Ordinary SELECT/MODIFY to a named group is the
 * normal way to share data and is not a finding. */
const char *clxs_an_grant_risk(const char *principal, const char *privilege, bool pii)
{
	int lvl = -1;
	bool all = !strcasecmp(privilege, "ALL PRIVILEGES") || !strcasecmp(privilege, "ALL");
	bool write = !strcasecmp(privilege, "MODIFY") || !strcasecmp(privilege, "MANAGE") ||
		     !strcasecmp(privilege, "APPLY TAG") || !strcasecmp(privilege, "WRITE VOLUME");
	bool read = !strcasecmp(privilege, "SELECT") || !strcasecmp(privilege, "READ VOLUME");
	if (clxs_an_is_public_group(principal))
		lvl = all || write ? 3 : read ? 2 : 0;
	else if (all)
		lvl = 1;
	else if (!strcasecmp(privilege, "MANAGE"))
		lvl = 0;
	if (lvl < 0)
		return NULL;
	if (pii && lvl < 3)
		lvl++;
	return levels[lvl];
}

static bool pii_name(const char *s)
{
	static const char *const words[] = {"ssn", "email", "e_mail", "phone", "passport", "birth", "dob",
					    "address", "credit_card", "iban", "tax_id", "national_id"};
	char low[300];
	snprintf(low, sizeof(low), "%s", s ? s : "");
	lower(low);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

/* PII overlay: a column tagged pii (any value) or with a telltale name. */
static bool has_pii(json_object *t)
{
	json_object *cols = json_object_object_get(t, "columns");
	for (size_t i = 0; cols && i < json_object_array_length(cols); i++) {
		json_object *c = json_object_array_get_idx(cols, i), *tags = json_object_object_get(c, "tags");
		if (pii_name(clxs_json_str(c, "name", "")))
			return true;
		json_object_object_foreach(tags, k, v) {
			(void)v;
			if (pii_name(k) || !strcasecmp(k, "pii"))
				return true;
		}
	}
	return false;
}

static int level_rank(const char *l)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(levels[i], l))
			return i;
	return -1;
}

static int cmp_finding(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	int r = level_rank(clxs_json_str(y, "risk_level", "")) - level_rank(clxs_json_str(x, "risk_level", ""));
	if (r)
		return r;
	r = strcmp(clxs_json_str(x, "table_fqn", ""), clxs_json_str(y, "table_fqn", ""));
	if (r)
		return r;
	r = strcmp(clxs_json_str(x, "principal", ""), clxs_json_str(y, "principal", ""));
	return r ? r : strcmp(clxs_json_str(x, "privilege", ""), clxs_json_str(y, "privilege", ""));
}

static const char *action_for(const char *level, bool pub, const char *priv, char *buf, size_t len)
{
	if (pub)
		snprintf(buf, len, "Revoke %s from public group", priv);
	else if (!strcasecmp(priv, "ALL PRIVILEGES") || !strcasecmp(priv, "ALL"))
		snprintf(buf, len, "Replace ALL PRIVILEGES with the specific privileges needed");
	else
		snprintf(buf, len, "Review whether %s is needed (%s risk)", priv, level);
	return buf;
}

json_object *clxs_an_permissions_audit(json_object *model, json_object *opts)
{
	bool pii_on = clxs_json_bool(opts, "pii_intersection", false);
	const char *cat = clxs_json_str(json_object_object_get(model, "catalog"), "name", "");
	json_object *idx = index_of(model, NULL, opts), *findings = json_object_new_array();
	int counts[4] = {0};
	json_object_object_foreach(idx, k, t) {
		(void)k;
		json_object *grants = json_object_object_get(t, "grants");
		bool pii = pii_on && has_pii(t);
		char fqn[900];
		snprintf(fqn, sizeof(fqn), "%s.%s.%s", cat, clxs_json_str(t, "schema", ""), clxs_json_str(t, "name", ""));
		for (size_t i = 0; grants && i < json_object_array_length(grants); i++) {
			json_object *g = json_object_array_get_idx(grants, i), *privs = json_object_object_get(g, "privileges");
			const char *who = clxs_json_str(g, "principal", "");
			for (size_t j = 0; privs && j < json_object_array_length(privs); j++) {
				const char *priv = json_object_get_string(json_object_array_get_idx(privs, j));
				const char *lvl = clxs_an_grant_risk(who, priv, pii);
				if (!lvl)
					continue;
				char act[300];
				json_object *f = json_object_new_object();
				clxs_json_set_str(f, "risk_level", lvl);
				clxs_json_set_str(f, "principal", who);
				clxs_json_set_str(f, "table_fqn", fqn);
				clxs_json_set_str(f, "privilege", priv);
				clxs_json_set_bool(f, "is_public_group", clxs_an_is_public_group(who));
				if (pii_on)
					clxs_json_set_bool(f, "has_pii", pii);
				clxs_json_set_str(f, "suggested_action",
						  action_for(lvl, clxs_an_is_public_group(who), priv, act, sizeof(act)));
				json_object_array_add(findings, f);
				counts[level_rank(lvl)]++;
			}
		}
	}
	json_object_put(idx);
	json_object_array_sort(findings, cmp_finding);
	json_object *out = json_object_new_object(), *sum = json_object_new_object();
	json_object_object_add(out, "audit_results", findings);
	clxs_json_set_int(sum, "total_findings", counts[0] + counts[1] + counts[2] + counts[3]);
	clxs_json_set_int(sum, "critical_count", counts[3]);
	clxs_json_set_int(sum, "high_count", counts[2]);
	clxs_json_set_int(sum, "medium_count", counts[1]);
	clxs_json_set_int(sum, "low_count", counts[0]);
	json_object_object_add(out, "summary", sum);
	return out;
}

/* ---- stale classification ----------------------------------------------------------------- */

const char *clxs_an_stale_risk(double idle_days, int days_threshold, long long size_bytes, bool is_orphan,
			       bool small_files, const char **action)
{
	const char *a = NULL, *lvl = NULL;
	if (is_orphan && idle_days >= days_threshold) {
		lvl = "HIGH";
		a = "DROP";
	} else if (idle_days >= 2.0 * days_threshold) {
		lvl = "HIGH";
		a = "VACUUM_THEN_DROP";
	} else if (idle_days >= days_threshold) {
		/* Big idle tables cost the most storage: review those first. */
		lvl = size_bytes >= 1024LL * 1024 * 1024 ? "MEDIUM" : "LOW";
		a = "REVIEW_FOR_DROP";
	} else if (small_files) {
		lvl = "LOW";
		a = "OPTIMIZE";
	}
	if (action)
		*action = a;
	return lvl;
}
