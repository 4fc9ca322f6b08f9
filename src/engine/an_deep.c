/* The deep classes of /api/diff: everything a clone copies besides the
 * objects themselves (functions, volumes and their files, grants, owners,
 * tags, comments, table properties, constraints, row filters, column masks,
 * view definitions).
 *
 * Each class is built the same way: a collector turns one side's model
 * into entries "key" -> [parent, value], where the parent is the object the
 * entry hangs on ("TABLE s.t", "VOLUME s.v", ...). Entries compare only
 * when their parent exists on both sides: a table missing from the clone
 * is reported once, by the object classes, not again as missing grants,
 * tags and constraints. Values naming the source catalog (function bodies,
 * view definitions, FK targets, filter and mask functions) are mapped to
 * the destination catalog first, so a faithful clone compares equal.
 *
 * Pure functions of the models (the workspace reads are in an_deep_read.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "an_internal.h"
#include "clxs/json.h"
#include "clxs/sql_token.h"

/* Table properties a clone legitimately sets or changes (docs/analysis.md):
 * Delta's own bookkeeping ("delta.*" is rewritten by every commit and by
 * the CLONE itself), clone lineage markers, and the user's
 * clone_tbl_properties are not part of the source's state. */
static bool property_ignored(const char *key)
{
	static const char *const prefixes[] = {"delta.", "clone.", "clonexs.", "clone_xs.", "spark.sql.statistics."};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncasecmp(key, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

typedef struct {
	const char *from, *to; /* catalog mapping applied to values */
	json_object *opts;
	json_object *entries;  /* key -> [parent, value] */
	json_object *parents;  /* parent -> true */
} side;

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* "KIND a.b.c" with the name parts lower-cased (Unity Catalog names are
 * case-insensitive; the kind word stays upper-case). */
static void securable(char *buf, size_t len, const char *kind, const char *a, const char *b, const char *c)
{
	int n = snprintf(buf, len, "%s", kind);
	if (n < 0 || (size_t)n >= len)
		return;
	char *names = buf + n;
	snprintf(names, len - (size_t)n, "%s%s%s%s%s%s", a ? " " : "", a ? a : "", b ? "." : "", b ? b : "",
		 c ? "." : "", c ? c : "");
	lower(names);
}

static void parent(side *s, const char *p)
{
	json_object_object_add(s->parents, p, json_object_new_boolean(1));
}

static void entry(side *s, const char *par, const char *key, json_object *value)
{
	json_object *e = json_object_new_array();
	json_object_array_add(e, json_object_new_string(par));
	json_object_array_add(e, value);
	json_object_object_add(s->entries, key, e);
}

static json_object *str_or_null(const char *v)
{
	return v ? json_object_new_string(v) : NULL;
}

/* A fully qualified name "cat.schema.name" with cat mapped, lower-cased. */
static json_object *mapped_fqn(side *s, const char *fqn)
{
	if (!fqn)
		return NULL;
	char buf[1024];
	const char *dot = strchr(fqn, '.');
	if (dot && (size_t)(dot - fqn) == strlen(s->from) && !strncasecmp(fqn, s->from, strlen(s->from)))
		snprintf(buf, sizeof(buf), "%s%s", s->to, dot);
	else
		snprintf(buf, sizeof(buf), "%s", fqn);
	lower(buf);
	return json_object_new_string(buf);
}

/* SQL text with its references to `from` pointed at `to` (backticked, as
 * the clone writes them); the destination side is normalised the same way
 * (from = to) so `x`.s.t and x.s.t compare equal. */
static json_object *mapped_sql(side *s, const char *sql)
{
	if (!sql)
		return NULL;
	char *out = NULL;
	clxs_error e;
	if (clxs_sql_rewrite_catalog(sql, s->from, s->to, &out, &e) != CLXS_OK || !out) {
		free(out);
		return json_object_new_string(sql);
	}
	json_object *v = json_object_new_string(out);
	free(out);
	return v;
}

static json_object *arr(json_object *o, const char *key)
{
	json_object *a = json_object_object_get(o, key);
	return a && json_object_is_type(a, json_type_array) ? a : NULL;
}

/* Every securable of a model outside the excluded schemas: fn(kind, obj,
 * schema, name). kind is CATALOG, SCHEMA, TABLE, VIEW, FUNCTION, VOLUME. */
typedef void (*obj_fn)(side *s, const char *kind, const char *sec, json_object *obj, json_object *model);

static void each_object(side *s, json_object *model, obj_fn fn)
{
	char sec[1024];
	json_object *cat = json_object_object_get(model, "catalog");
	if (cat)
		fn(s, "CATALOG", "CATALOG", cat, model);
	json_object *schemas = arr(model, "schemas");
	for (size_t i = 0; schemas && i < json_object_array_length(schemas); i++) {
		json_object *o = json_object_array_get_idx(schemas, i);
		const char *n = clxs_json_str(o, "name", NULL);
		if (clxs_an_schema_skipped(s->opts, n))
			continue;
		securable(sec, sizeof(sec), "SCHEMA", n, NULL, NULL);
		fn(s, "SCHEMA", sec, o, model);
	}
	static const char *const lists[][2] = {
		{"tables", "TABLE"}, {"views", "VIEW"}, {"functions", "FUNCTION"}, {"volumes", "VOLUME"}};
	for (size_t l = 0; l < 4; l++) {
		json_object *a = arr(model, lists[l][0]);
		for (size_t i = 0; a && i < json_object_array_length(a); i++) {
			json_object *o = json_object_array_get_idx(a, i);
			const char *sch = clxs_json_str(o, "schema", NULL);
			if (clxs_an_schema_skipped(s->opts, sch))
				continue;
			securable(sec, sizeof(sec), lists[l][1], sch, clxs_json_str(o, "name", ""), NULL);
			fn(s, lists[l][1], sec, o, model);
		}
	}
}

/* ---- collectors, one per class ---------------------------------------------------------- */

static void c_functions(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	if (!strcmp(kind, "CATALOG"))
		parent(s, "CATALOG");
	if (strcmp(kind, "FUNCTION") != 0)
		return;
	json_object *v = json_object_new_object(), *params = json_object_new_array(), *pa = arr(o, "parameters");
	for (size_t i = 0; pa && i < json_object_array_length(pa); i++) {
		json_object *p = json_object_array_get_idx(pa, i);
		char t[600];
		snprintf(t, sizeof(t), "%s %s", clxs_json_str(p, "name", ""), clxs_json_str(p, "type_text", ""));
		lower(t);
		json_object_array_add(params, json_object_new_string(t));
	}
	json_object_object_add(v, "parameters", params);
	char rt[300];
	snprintf(rt, sizeof(rt), "%s", clxs_json_str(o, "return_type", ""));
	lower(rt);
	clxs_json_set_str(v, "return_type", rt);
	json_object_object_add(v, "body", mapped_sql(s, clxs_json_str(o, "body", NULL)));
	entry(s, "CATALOG", sec + strlen("FUNCTION "), v);
}

static void c_volumes(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	if (!strcmp(kind, "CATALOG"))
		parent(s, "CATALOG");
	if (!strcmp(kind, "VOLUME"))
		entry(s, "CATALOG", sec + strlen("VOLUME "), str_or_null(clxs_json_str(o, "volume_type", NULL)));
}

static void c_volume_files(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)kind;
	(void)sec;
	(void)o;
	if (strcmp(kind, "CATALOG") != 0)
		return;
	/* volume_files: [{"volume": "schema.name", "path", "size"}] from the reader */
	json_object *files = arr(m, "volume_files");
	json_object *vols = arr(m, "volumes");
	char key[2048], vol[1024];
	for (size_t i = 0; vols && i < json_object_array_length(vols); i++) {
		json_object *v = json_object_array_get_idx(vols, i);
		if (clxs_an_schema_skipped(s->opts, clxs_json_str(v, "schema", NULL)))
			continue;
		snprintf(vol, sizeof(vol), "%s.%s", clxs_json_str(v, "schema", ""), clxs_json_str(v, "name", ""));
		lower(vol);
		parent(s, vol);
	}
	for (size_t i = 0; files && i < json_object_array_length(files); i++) {
		json_object *f = json_object_array_get_idx(files, i);
		snprintf(vol, sizeof(vol), "%s", clxs_json_str(f, "volume", ""));
		lower(vol);
		snprintf(key, sizeof(key), "%s/%s", vol, clxs_json_str(f, "path", ""));
		json_object *size = json_object_object_get(f, "size");
		entry(s, vol, key, size ? json_object_get(size) : NULL);
	}
}

static void c_grants(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)kind;
	(void)m;
	parent(s, sec);
	json_object *g = arr(o, "grants");
	for (size_t i = 0; g && i < json_object_array_length(g); i++) {
		json_object *gr = json_object_array_get_idx(g, i), *privs = arr(gr, "privileges");
		for (size_t j = 0; privs && j < json_object_array_length(privs); j++) {
			char key[2048], priv[256];
			snprintf(priv, sizeof(priv), "%s", json_object_get_string(json_object_array_get_idx(privs, j)));
			for (char *p = priv; *p; p++)
				*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
			snprintf(key, sizeof(key), "%s: %s %s", sec, priv, clxs_json_str(gr, "principal", ""));
			entry(s, sec, key, json_object_new_boolean(1));
		}
	}
}

static void c_owners(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)kind;
	(void)m;
	parent(s, sec);
	entry(s, sec, sec, str_or_null(clxs_json_str(o, "owner", NULL)));
}

static void tags_of(side *s, const char *par, const char *sec, json_object *tags)
{
	if (!tags || !json_object_is_type(tags, json_type_object))
		return;
	json_object_object_foreach(tags, k, v) {
		char key[2048];
		snprintf(key, sizeof(key), "%s: %s", sec, k);
		entry(s, par, key, json_object_new_string(json_object_get_string(v) ? json_object_get_string(v) : ""));
	}
}

static void c_tags(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	parent(s, sec);
	tags_of(s, sec, sec, json_object_object_get(o, "tags"));
	if (strcmp(kind, "TABLE") != 0 && strcmp(kind, "VIEW") != 0)
		return;
	json_object *cols = arr(o, "columns");
	for (size_t i = 0; cols && i < json_object_array_length(cols); i++) {
		json_object *c = json_object_array_get_idx(cols, i);
		char csec[1024];
		securable(csec, sizeof(csec), "COLUMN", clxs_json_str(o, "schema", ""), clxs_json_str(o, "name", ""),
			  clxs_json_str(c, "name", ""));
		parent(s, csec);
		tags_of(s, csec, csec, json_object_object_get(c, "tags"));
	}
}

static void c_comments(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	parent(s, sec);
	entry(s, sec, sec, str_or_null(clxs_json_str(o, "comment", NULL)));
	if (strcmp(kind, "TABLE") != 0 && strcmp(kind, "VIEW") != 0)
		return;
	json_object *cols = arr(o, "columns");
	for (size_t i = 0; cols && i < json_object_array_length(cols); i++) {
		json_object *c = json_object_array_get_idx(cols, i);
		char csec[1024];
		securable(csec, sizeof(csec), "COLUMN", clxs_json_str(o, "schema", ""), clxs_json_str(o, "name", ""),
			  clxs_json_str(c, "name", ""));
		parent(s, csec);
		entry(s, csec, csec, str_or_null(clxs_json_str(c, "comment", NULL)));
	}
}

static void c_properties(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	if (strcmp(kind, "TABLE") != 0)
		return;
	parent(s, sec);
	json_object *props = json_object_object_get(o, "properties");
	if (!props || !json_object_is_type(props, json_type_object))
		return;
	json_object_object_foreach(props, k, v) {
		if (property_ignored(k))
			continue;
		char key[2048];
		snprintf(key, sizeof(key), "%s: %s", sec, k);
		entry(s, sec, key, json_object_new_string(json_object_get_string(v) ? json_object_get_string(v) : ""));
	}
}

static json_object *lowered_list(json_object *a)
{
	json_object *out = json_object_new_array();
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		char b[512];
		snprintf(b, sizeof(b), "%s", json_object_get_string(json_object_array_get_idx(a, i)) ?
			 json_object_get_string(json_object_array_get_idx(a, i)) : "");
		lower(b);
		json_object_array_add(out, json_object_new_string(b));
	}
	return out;
}

static void c_constraints(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	if (strcmp(kind, "TABLE") != 0)
		return;
	parent(s, sec);
	json_object *cons = arr(o, "constraints");
	for (size_t i = 0; cons && i < json_object_array_length(cons); i++) {
		json_object *c = json_object_array_get_idx(cons, i), *v = json_object_new_object();
		char key[2048];
		snprintf(key, sizeof(key), "%s: %s", sec, clxs_json_str(c, "name", ""));
		clxs_json_set_str(v, "type", clxs_json_str(c, "type", ""));
		json_object_object_add(v, "columns", lowered_list(arr(c, "columns")));
		if (clxs_json_str(c, "expression", NULL))
			clxs_json_set_str(v, "expression", clxs_json_str(c, "expression", ""));
		if (clxs_json_str(c, "ref_table", NULL)) {
			json_object_object_add(v, "ref_table", mapped_fqn(s, clxs_json_str(c, "ref_table", NULL)));
			json_object_object_add(v, "ref_columns", lowered_list(arr(c, "ref_columns")));
		}
		entry(s, sec, key, v);
	}
}

static json_object *security_value(side *s, json_object *f, const char *cols_key)
{
	json_object *v = json_object_new_object();
	json_object_object_add(v, "function", mapped_fqn(s, clxs_json_str(f, "function", NULL)));
	json_object_object_add(v, cols_key, lowered_list(arr(f, cols_key)));
	return v;
}

static void c_row_filters(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	if (strcmp(kind, "TABLE") != 0)
		return;
	parent(s, sec);
	json_object *f = json_object_object_get(o, "row_filter");
	if (f && json_object_is_type(f, json_type_object))
		entry(s, sec, sec, security_value(s, f, "columns"));
}

static void c_column_masks(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	if (strcmp(kind, "TABLE") != 0)
		return;
	parent(s, sec);
	json_object *cols = arr(o, "columns");
	for (size_t i = 0; cols && i < json_object_array_length(cols); i++) {
		json_object *c = json_object_array_get_idx(cols, i), *mk = json_object_object_get(c, "mask");
		if (!mk || !json_object_is_type(mk, json_type_object))
			continue;
		char csec[1024];
		securable(csec, sizeof(csec), "COLUMN", clxs_json_str(o, "schema", ""), clxs_json_str(o, "name", ""),
			  clxs_json_str(c, "name", ""));
		entry(s, sec, csec, security_value(s, mk, "using_columns"));
	}
}

static void c_view_definitions(side *s, const char *kind, const char *sec, json_object *o, json_object *m)
{
	(void)m;
	if (strcmp(kind, "VIEW") != 0)
		return;
	parent(s, sec);
	entry(s, sec, sec, mapped_sql(s, clxs_json_str(o, "definition", NULL)));
}

/* ---- comparison ------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a), json_object_get_string(*(json_object *const *)b));
}

static int cmp_obj(const void *a, const void *b)
{
	return strcmp(clxs_json_str(*(json_object *const *)a, "object", ""),
		      clxs_json_str(*(json_object *const *)b, "object", ""));
}

static bool same_value(json_object *a, json_object *b)
{
	if (!a || !b)
		return a == b;
	return json_object_equal(a, b) != 0;
}

/* missing / extra / changed between the two sides' entries, counting only
 * entries whose parent exists on both sides. */
static json_object *compare(side *a, side *b)
{
	json_object *missing = json_object_new_array(), *extra = json_object_new_array(),
		    *changed = json_object_new_array();
	json_object_object_foreach(a->entries, k, ea) {
		const char *par = json_object_get_string(json_object_array_get_idx(ea, 0));
		if (!json_object_object_get(b->parents, par))
			continue;
		json_object *eb = json_object_object_get(b->entries, k);
		if (!eb) {
			json_object_array_add(missing, json_object_new_string(k));
			continue;
		}
		json_object *va = json_object_array_get_idx(ea, 1), *vb = json_object_array_get_idx(eb, 1);
		if (same_value(va, vb))
			continue;
		json_object *c = json_object_new_object();
		clxs_json_set_str(c, "object", k);
		json_object_object_add(c, "source", va ? json_object_get(va) : NULL);
		json_object_object_add(c, "destination", vb ? json_object_get(vb) : NULL);
		json_object_array_add(changed, c);
	}
	json_object_object_foreach(b->entries, kb, eb) {
		const char *par = json_object_get_string(json_object_array_get_idx(eb, 0));
		if (!json_object_object_get(a->parents, par) || json_object_object_get(a->entries, kb))
			continue;
		json_object_array_add(extra, json_object_new_string(kb));
	}
	json_object_array_sort(missing, cmp_str);
	json_object_array_sort(extra, cmp_str);
	json_object_array_sort(changed, cmp_obj);
	json_object *out = json_object_new_object();
	json_object_object_add(out, "missing", missing);
	json_object_object_add(out, "extra", extra);
	json_object_object_add(out, "changed", changed);
	return out;
}

static const struct {
	const char *name;
	obj_fn fn;
} classes[] = {
	{"functions", c_functions},
	{"volumes", c_volumes},
	{"volume_files", c_volume_files},
	{"grants", c_grants},
	{"owners", c_owners},
	{"tags", c_tags},
	{"comments", c_comments},
	{"properties", c_properties},
	{"constraints", c_constraints},
	{"row_filters", c_row_filters},
	{"column_masks", c_column_masks},
	{"view_definitions", c_view_definitions},
};

const char *const *clxs_an_deep_classes(size_t *n)
{
	static const char *names[sizeof(classes) / sizeof(classes[0])];
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		names[i] = classes[i].name;
	*n = sizeof(classes) / sizeof(classes[0]);
	return names;
}

bool clxs_an_class_skipped(json_object *opts, const char *cls)
{
	json_object *skip = json_object_object_get(opts, "skip_classes");
	for (size_t i = 0; skip && i < json_object_array_length(skip); i++)
		if (!strcasecmp(json_object_get_string(json_object_array_get_idx(skip, i)), cls))
			return true;
	return false;
}

/* model["read_errors"]: {"class": "message"} from clxs_an_deep_read. */
static const char *read_error(json_object *model, const char *cls)
{
	return clxs_json_str(json_object_object_get(model, "read_errors"), cls, NULL);
}

static int64_t class_count(json_object *c)
{
	return (int64_t)(json_object_array_length(json_object_object_get(c, "missing")) +
			 json_object_array_length(json_object_object_get(c, "extra")) +
			 json_object_array_length(json_object_object_get(c, "changed")));
}

void clxs_an_diff_deep(json_object *out, json_object *src, json_object *dst, json_object *opts)
{
	const char *sc = clxs_json_str(json_object_object_get(src, "catalog"), "name", "");
	const char *dc = clxs_json_str(json_object_object_get(dst, "catalog"), "name", "");
	json_object *summary = json_object_new_object(), *skipped = json_object_new_array();
	/* objects: the reference's schema, table and view presence lists */
	static const char *const legacy[] = {"missing_schemas", "extra_schemas", "missing_tables", "extra_tables",
					     "missing_views", "extra_views"};
	int64_t objects = 0, total;
	for (size_t i = 0; i < 6; i++)
		objects += (int64_t)json_object_array_length(json_object_object_get(out, legacy[i]));
	clxs_json_set_int(summary, "objects", objects);
	total = objects;
	json_object *errors = json_object_new_array();
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		const char *name = classes[i].name;
		if (clxs_an_class_skipped(opts, name)) {
			json_object_array_add(skipped, json_object_new_string(name));
			continue;
		}
		const char *why = read_error(src, name);
		why = why ? why : read_error(dst, name);
		if (why) {
			/* A class one side could not be read is not compared: an
			 * unreadable listing must never pass for "no differences". */
			json_object *e = json_object_new_object();
			clxs_json_set_str(e, "class", name);
			clxs_json_set_str(e, "error", why);
			json_object_array_add(errors, e);
			continue;
		}
		side a = {sc, dc, opts, json_object_new_object(), json_object_new_object()};
		side b = {dc, dc, opts, json_object_new_object(), json_object_new_object()};
		each_object(&a, src, classes[i].fn);
		each_object(&b, dst, classes[i].fn);
		json_object *c = compare(&a, &b);
		json_object_put(a.entries);
		json_object_put(a.parents);
		json_object_put(b.entries);
		json_object_put(b.parents);
		int64_t n = class_count(c);
		json_object_object_add(out, name, c);
		clxs_json_set_int(summary, name, n);
		total += n;
	}
	json_object_object_add(out, "summary", summary);
	clxs_json_set_int(out, "total_differences", total);
	json_object_object_add(out, "skipped_classes", skipped);
	json_object_object_add(out, "class_errors", errors);
}
