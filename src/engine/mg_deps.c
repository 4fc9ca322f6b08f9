/* Dependencies, lineage and impact from the catalog's own objects: the
 * bodies of views and SQL functions are tokenized (never pattern-matched
 * as text) and every dotted name is resolved against the catalog's tables,
 * views and functions. On Databricks, system.access.table_lineage adds the
 * edges jobs and notebooks leave behind; where the system table cannot be
 * read (the lakehouse, a workspace without system tables) the answer says
 * so and keeps the edges found in the definitions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/sql_token.h"
#include "mg_internal.h"

/* ---- reference extraction ------------------------------------------------------ */

typedef struct {
	const clxs_sql_tokens *t;
	const char *src;
	size_t *sig; /* indexes of significant tokens */
	size_t n;
} sigtoks;

static bool is_name(const clxs_sql_token *k)
{
	return k->kind == CLXS_TOK_IDENT || k->kind == CLXS_TOK_QUOTED_IDENT;
}

/* Is significant token i the one-byte punctuation ch? */
static bool is_punct(const sigtoks *s, size_t i, char ch)
{
	if (i >= s->n)
		return false;
	const clxs_sql_token *k = &s->t->tok[s->sig[i]];
	return k->kind == CLXS_TOK_PUNCT && k->len == 1 && s->src[k->start] == ch;
}

/* Resolve one dotted chain of a body read by an object of schema `own` and
 * add the edge. kw: the chain follows FROM/JOIN; call: it is followed by "(". */
static void add_ref(json_object *objects, const char *catalog, const char *own, char parts[3][256], int np,
		    bool kw, bool call, json_object *seen, json_object *edges, const char *from)
{
	char key[800];
	key[0] = 0;
	if (np == 3 && !strcasecmp(parts[0], catalog)) {
		mg_key(key, sizeof(key), parts[1], parts[2]);
		if (!json_object_object_get(objects, key) && !(kw || call))
			return;
	} else if (np == 3) {
		if (!(kw || call))
			return;
		snprintf(key, sizeof(key), "%s.%s.%s", parts[0], parts[1], parts[2]);
	} else if (np == 2) {
		mg_key(key, sizeof(key), parts[0], parts[1]);
		if (!json_object_object_get(objects, key))
			return;
	} else if (np == 1 && (kw || call)) {
		mg_key(key, sizeof(key), own, parts[0]);
		if (!json_object_object_get(objects, key))
			return;
	} else {
		return;
	}
	/* Names are lowercased as Unity Catalog stores them. */
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (!strcmp(key, from) || json_object_object_get(seen, key))
		return;
	json_object_object_add(seen, key, json_object_new_boolean(1));
	json_object *e = json_object_new_object();
	clxs_json_set_str(e, "from", from);
	clxs_json_set_str(e, "to", key);
	json_object_array_add(edges, e);
}

static void body_refs(json_object *objects, const char *catalog, const char *own, const char *from,
		      const char *body, json_object *edges)
{
	clxs_sql_tokens t = {0};
	if (!body || clxs_sql_tokenize(body, strlen(body), &t, NULL) != CLXS_OK) {
		clxs_sql_tokens_free(&t);
		return;
	}
	sigtoks s = {&t, body, calloc(t.n + 1, sizeof(size_t)), 0};
	for (size_t i = 0; i < t.n; i++)
		if (!clxs_sql_tok_is_trivia(t.tok[i].kind) && t.tok[i].kind != CLXS_TOK_EOF)
			s.sig[s.n++] = i;
	json_object *seen = json_object_new_object();
	for (size_t i = 0; i < s.n; i++) {
		const clxs_sql_token *k = &t.tok[s.sig[i]];
		if (!is_name(k) || (i > 0 && is_punct(&s, i - 1, '.')))
			continue;
		char parts[3][256];
		int np = 0;
		size_t j = i;
		bool too_long = false;
		for (;;) {
			const clxs_sql_token *p = &t.tok[s.sig[j]];
			if (np < 3)
				snprintf(parts[np], sizeof(parts[np]), "%s", p->value ? p->value : "");
			else
				too_long = true;
			np++;
			if (j + 2 < s.n && is_punct(&s, j + 1, '.') &&
			    is_name(&t.tok[s.sig[j + 2]]))
				j += 2;
			else
				break;
		}
		bool kw = false;
		if (i > 0 && t.tok[s.sig[i - 1]].kind == CLXS_TOK_IDENT) {
			const char *pv = t.tok[s.sig[i - 1]].value;
			kw = pv && (!strcasecmp(pv, "FROM") || !strcasecmp(pv, "JOIN"));
		}
		bool call = j + 1 < s.n && is_punct(&s, j + 1, '(');
		if (!too_long)
			add_ref(objects, catalog, own, parts, np > 3 ? 3 : np, kw, call, seen, edges, from);
		i = j;
	}
	json_object_put(seen);
	free(s.sig);
	clxs_sql_tokens_free(&t);
}

/* ---- the graph ----------------------------------------------------------------------- */

static void add_object(json_object *objects, const char *schema, const char *name, const char *kind,
		       const char *definition)
{
	char key[600];
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "schema", schema);
	clxs_json_set_str(o, "name", name);
	clxs_json_set_str(o, "kind", kind);
	if (definition)
		clxs_json_set_str(o, "definition", definition);
	json_object_object_add(objects, mg_key(key, sizeof(key), schema, name), o);
}

clxs_code clxs_mg_dep_graph(clxs_mg_ctx *c, const char *catalog, json_object **graph, clxs_error *err)
{
	*graph = NULL;
	bool exists = false;
	clxs_code rc = mg_catalog_exists(c, catalog, &exists, err);
	if (rc)
		return rc;
	if (!exists)
		return clxs_fail(err, CLXS_ENOTFOUND, "catalog", "catalog '%s' does not exist", catalog);
	clxs_ws_result t = {0}, v = {0}, f = {0};
	rc = mg_sql(c, &t, err, "SELECT table_schema, table_name, table_type FROM %I.%K.%K", catalog,
		    "information_schema", "tables");
	if (!rc)
		rc = mg_sql(c, &v, err, "SELECT table_schema, table_name, view_definition FROM %I.%K.%K", catalog,
			    "information_schema", "views");
	if (!rc)
		rc = mg_sql(c, &f, err, "SELECT routine_schema, routine_name, routine_definition FROM %I.%K.%K",
			    catalog, "information_schema", "routines");
	json_object *objects = json_object_new_object(), *edges = json_object_new_array();
	for (size_t i = 0; !rc && i < t.nrows; i++) {
		const char *s = mg_cell(&t, i, "table_schema"), *n = mg_cell(&t, i, "table_name");
		if (!s || !n || !strcasecmp(s, "information_schema"))
			continue;
		const char *ty = mg_cell(&t, i, "table_type");
		add_object(objects, s, n, ty && !strcasecmp(ty, "VIEW") ? "VIEW" : "TABLE", NULL);
	}
	for (size_t i = 0; !rc && i < v.nrows; i++) {
		const char *s = mg_cell(&v, i, "table_schema"), *n = mg_cell(&v, i, "table_name");
		if (s && n && strcasecmp(s, "information_schema"))
			add_object(objects, s, n, "VIEW", mg_cell(&v, i, "view_definition"));
	}
	for (size_t i = 0; !rc && i < f.nrows; i++) {
		const char *s = mg_cell(&f, i, "routine_schema"), *n = mg_cell(&f, i, "routine_name");
		if (s && n && strcasecmp(s, "information_schema"))
			add_object(objects, s, n, "FUNCTION", mg_cell(&f, i, "routine_definition"));
	}
	clxs_ws_result_free(&t);
	clxs_ws_result_free(&v);
	clxs_ws_result_free(&f);
	if (rc) {
		json_object_put(objects);
		json_object_put(edges);
		return rc;
	}
	json_object_object_foreach(objects, key, o)
	{
		const char *def = clxs_json_str(o, "definition", NULL);
		if (def)
			body_refs(objects, catalog, clxs_json_str(o, "schema", ""), key, def, edges);
	}
	json_object *g = json_object_new_object();
	json_object_object_add(g, "objects", objects);
	json_object_object_add(g, "edges", edges);
	*graph = g;
	return CLXS_OK;
}

static bool in_keys(json_object *keys, const char *k)
{
	for (size_t i = 0; i < json_object_array_length(keys); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(keys, i)), k))
			return true;
	return false;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a), json_object_get_string(*(json_object *const *)b));
}

json_object *clxs_mg_topo_order(json_object *graph, json_object *keys, json_object **cycles)
{
	json_object *edges = json_object_object_get(graph, "edges");
	json_object *done = json_object_new_object(), *order = json_object_new_array();
	size_t n = json_object_array_length(keys);
	/* n is small (views of a catalog): repeated scans keep ties ordered by
	 * name, which a queue would not. */
	json_object *sorted = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(sorted, json_object_get(json_object_array_get_idx(keys, i)));
	json_object_array_sort(sorted, cmp_json_str);
	bool progress = true;
	while (progress) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			const char *k = json_object_get_string(json_object_array_get_idx(sorted, i));
			if (json_object_object_get(done, k))
				continue;
			bool ready = true;
			for (size_t e = 0; ready && e < json_object_array_length(edges); e++) {
				json_object *ed = json_object_array_get_idx(edges, e);
				const char *to = clxs_json_str(ed, "to", "");
				if (!strcmp(clxs_json_str(ed, "from", ""), k) && in_keys(sorted, to) &&
				    !json_object_object_get(done, to))
					ready = false;
			}
			if (ready) {
				mg_push(order, k);
				json_object_object_add(done, k, json_object_new_boolean(1));
				progress = true;
				break; /* restart: the smallest ready name goes next */
			}
		}
	}
	json_object *cyc = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(sorted, i));
		if (!json_object_object_get(done, k)) {
			mg_push(order, k);
			mg_push(cyc, k);
		}
	}
	json_object_put(done);
	json_object_put(sorted);
	if (cycles)
		*cycles = cyc;
	else
		json_object_put(cyc);
	return order;
}

/* ---- dependencies/views|functions|order ----------------------------------------------- */

/* How a referenced key is shown to a reader in schema `schema` (NULL = the
 * whole catalog): short within the schema, s.n within the catalog. */
static const char *show(char *buf, size_t len, const char *key, const char *schema)
{
	size_t sl = schema ? strlen(schema) : 0;
	if (schema && !strncasecmp(key, schema, sl) && key[sl] == '.' && !strchr(key + sl + 1, '.'))
		snprintf(buf, len, "%s", key + sl + 1);
	else
		snprintf(buf, len, "%s", key);
	return buf;
}

static clxs_code deps(clxs_mg_ctx *c, json_object *req, const char *kind, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "catalog", ""), *schema = clxs_json_str(req, "schema_name", NULL);
	json_object *g = NULL;
	clxs_code rc = clxs_mg_dep_graph(c, cat, &g, err);
	if (rc)
		return rc;
	json_object *objects = json_object_object_get(g, "objects"), *edges = json_object_object_get(g, "edges");
	json_object *list = json_object_new_array(), *keys = mg_sorted_keys(objects);
	bool schema_seen = !schema;
	char b1[600], b2[600];
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		json_object *o = json_object_object_get(objects, k);
		if (schema && strcasecmp(clxs_json_str(o, "schema", ""), schema) != 0)
			continue;
		schema_seen = true;
		if (strcmp(clxs_json_str(o, "kind", ""), kind) != 0)
			continue;
		json_object *e = json_object_new_object(), *dep = json_object_new_array(), *refs = json_object_new_array();
		for (size_t j = 0; j < json_object_array_length(edges); j++) {
			json_object *ed = json_object_array_get_idx(edges, j);
			if (strcmp(clxs_json_str(ed, "from", ""), k) != 0)
				continue;
			const char *to = clxs_json_str(ed, "to", "");
			mg_push(dep, show(b2, sizeof(b2), to, schema));
			json_object *r = json_object_new_object(), *ro = json_object_object_get(objects, to);
			char fq[800];
			if (ro)
				snprintf(fq, sizeof(fq), "%s.%s", cat, to);
			else
				snprintf(fq, sizeof(fq), "%s", to);
			clxs_json_set_str(r, "object", fq);
			clxs_json_set_str(r, "kind", ro ? clxs_json_str(ro, "kind", "") : "EXTERNAL");
			json_object_array_add(refs, r);
		}
		clxs_json_set_str(e, !strcmp(kind, "VIEW") ? "view" : "function", show(b1, sizeof(b1), k, schema));
		json_object_object_add(e, "depends_on", dep);
		json_object_object_add(e, "references", refs);
		json_object_array_add(list, e);
	}
	json_object_put(keys);
	json_object_put(g);
	if (!schema_seen) {
		json_object_put(list);
		return clxs_fail(err, CLXS_ENOTFOUND, "schema_name", "schema '%s.%s' does not exist", cat, schema);
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	clxs_json_set_str(o, "schema", schema);
	json_object_object_add(o, "dependencies", list);
	*out = o;
	return CLXS_OK;
}

clxs_code clxs_mg_deps_views(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	return deps(c, req, "VIEW", out, err);
}

clxs_code clxs_mg_deps_functions(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	return deps(c, req, "FUNCTION", out, err);
}

clxs_code clxs_mg_deps_order(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "catalog", ""), *schema = clxs_json_str(req, "schema_name", NULL);
	json_object *g = NULL;
	clxs_code rc = clxs_mg_dep_graph(c, cat, &g, err);
	if (rc)
		return rc;
	json_object *objects = json_object_object_get(g, "objects"), *keys = json_object_new_array();
	bool schema_seen = !schema;
	json_object_object_foreach(objects, k, ob)
	{
		if (schema && strcasecmp(clxs_json_str(ob, "schema", ""), schema) != 0)
			continue;
		schema_seen = true;
		if (!strcmp(clxs_json_str(ob, "kind", ""), "VIEW"))
			mg_push(keys, k);
	}
	if (!schema_seen) {
		json_object_put(keys);
		json_object_put(g);
		return clxs_fail(err, CLXS_ENOTFOUND, "schema_name", "schema '%s.%s' does not exist", cat, schema);
	}
	json_object *cycles = NULL, *order = clxs_mg_topo_order(g, keys, &cycles);
	json_object *shown = json_object_new_array(), *cyc = json_object_new_array();
	char b[600];
	for (size_t i = 0; i < json_object_array_length(order); i++)
		mg_push(shown, show(b, sizeof(b), json_object_get_string(json_object_array_get_idx(order, i)), schema));
	for (size_t i = 0; i < json_object_array_length(cycles); i++)
		mg_push(cyc, show(b, sizeof(b), json_object_get_string(json_object_array_get_idx(cycles, i)), schema));
	json_object_put(order);
	json_object_put(cycles);
	json_object_put(keys);
	json_object_put(g);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	clxs_json_set_str(o, "schema", schema);
	json_object_object_add(o, "creation_order", shown);
	json_object_object_add(o, "cycles", cyc);
	*out = o;
	return CLXS_OK;
}

/* ---- lineage and impact ------------------------------------------------------------- */

/* Edges of system.access.table_lineage touching the catalog, as
 * {"from": reader "c.s.n", "to": read "c.s.n"}; false (with the reason in
 * *why) when the system table cannot be read. */
static bool system_lineage(clxs_mg_ctx *c, const char *cat, json_object *edges, char *why, size_t len)
{
	clxs_ws_result r = {0};
	clxs_error e;
	clxs_ws_param p = {"cat", cat, "STRING"};
	clxs_code rc = mg_sqlp(c, &r, &p, 1, &e,
			       "SELECT DISTINCT source_table_full_name, target_table_full_name FROM %K"
			       " WHERE (source_table_catalog = :cat OR target_table_catalog = :cat)"
			       " AND source_table_full_name IS NOT NULL AND target_table_full_name IS NOT NULL"
			       " LIMIT 10000", "system.access.table_lineage");
	if (rc) {
		snprintf(why, len, "%s", e.message);
		clxs_ws_result_free(&r);
		return false;
	}
	for (size_t i = 0; i < r.nrows; i++) {
		json_object *ed = json_object_new_object();
		clxs_json_set_str(ed, "from", clxs_ws_result_cell(&r, i, 1));
		clxs_json_set_str(ed, "to", clxs_ws_result_cell(&r, i, 0));
		clxs_json_set_str(ed, "via", "system.access.table_lineage");
		json_object_array_add(edges, ed);
	}
	clxs_ws_result_free(&r);
	return true;
}

/* Every edge as fully qualified {"source" (read), "target" (reader), "via"}. */
static json_object *all_edges(clxs_mg_ctx *c, const char *cat, json_object *g, json_object *result)
{
	json_object *objects = json_object_object_get(g, "objects"), *edges = json_object_object_get(g, "edges");
	json_object *out = json_object_new_array(), *seen = json_object_new_object();
	char a[800], b[800], k[1700];
	for (size_t i = 0; i < json_object_array_length(edges); i++) {
		json_object *ed = json_object_array_get_idx(edges, i);
		const char *from = clxs_json_str(ed, "from", ""), *to = clxs_json_str(ed, "to", "");
		json_object *fo = json_object_object_get(objects, from);
		snprintf(a, sizeof(a), "%s.%s", cat, from);
		if (json_object_object_get(objects, to))
			snprintf(b, sizeof(b), "%s.%s", cat, to);
		else
			snprintf(b, sizeof(b), "%s", to);
		snprintf(k, sizeof(k), "%s>%s", b, a);
		json_object_object_add(seen, k, json_object_new_boolean(1));
		json_object *e = json_object_new_object();
		clxs_json_set_str(e, "source", b);
		clxs_json_set_str(e, "target", a);
		clxs_json_set_str(e, "via", !strcmp(clxs_json_str(fo, "kind", ""), "FUNCTION") ? "function_definition"
											   : "view_definition");
		json_object_array_add(out, e);
	}
	char why[600];
	json_object *sys = json_object_new_array();
	bool ok = system_lineage(c, cat, sys, why, sizeof(why));
	json_object *st = json_object_new_object();
	clxs_json_set_bool(st, "available", ok);
	if (!ok)
		clxs_json_set_str(st, "error", why);
	json_object_object_add(result, "system_tables", st);
	for (size_t i = 0; i < json_object_array_length(sys); i++) {
		json_object *ed = json_object_array_get_idx(sys, i);
		snprintf(k, sizeof(k), "%s>%s", clxs_json_str(ed, "to", ""), clxs_json_str(ed, "from", ""));
		if (json_object_object_get(seen, k))
			continue;
		json_object_object_add(seen, k, json_object_new_boolean(1));
		json_object *e = json_object_new_object();
		clxs_json_set_str(e, "source", clxs_json_str(ed, "to", ""));
		clxs_json_set_str(e, "target", clxs_json_str(ed, "from", ""));
		clxs_json_set_str(e, "via", "system.access.table_lineage");
		json_object_array_add(out, e);
	}
	clxs_json_set_str(result, "source", ok ? "system.access.table_lineage+definitions" : "definitions");
	json_object_put(sys);
	json_object_put(seen);
	return out;
}

/* Walk the edges from start: downstream follows readers, upstream what is
 * read. Returns [{"object", "depth", "via"}] in breadth-first order. */
static json_object *walk(json_object *edges, json_object *start, bool downstream)
{
	json_object *seen = json_object_new_object(), *out = json_object_new_array(), *frontier = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(start); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(start, i));
		json_object_object_add(seen, s, json_object_new_boolean(1));
		mg_push(frontier, s);
	}
	for (int depth = 1; json_object_array_length(frontier) > 0 && depth < 100; depth++) {
		json_object *next = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(frontier); i++) {
			const char *cur = json_object_get_string(json_object_array_get_idx(frontier, i));
			for (size_t e = 0; e < json_object_array_length(edges); e++) {
				json_object *ed = json_object_array_get_idx(edges, e);
				const char *a = clxs_json_str(ed, downstream ? "source" : "target", "");
				const char *b = clxs_json_str(ed, downstream ? "target" : "source", "");
				if (strcasecmp(a, cur) != 0 || json_object_object_get(seen, b))
					continue;
				json_object_object_add(seen, b, json_object_new_boolean(1));
				json_object *o = json_object_new_object();
				clxs_json_set_str(o, "object", b);
				clxs_json_set_int(o, "depth", depth);
				clxs_json_set_str(o, "via", cur);
				json_object_array_add(out, o);
				mg_push(next, b);
			}
		}
		json_object_put(frontier);
		frontier = next;
	}
	json_object_put(frontier);
	json_object_put(seen);
	return out;
}

static void add_kinds(json_object *list, json_object *objects, const char *cat)
{
	size_t cl = strlen(cat);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *o = json_object_array_get_idx(list, i);
		const char *name = clxs_json_str(o, "object", "");
		json_object *ob = !strncasecmp(name, cat, cl) && name[cl] == '.'
					  ? json_object_object_get(objects, name + cl + 1)
					  : NULL;
		clxs_json_set_str(o, "object_type", ob ? clxs_json_str(ob, "kind", "") : "EXTERNAL");
	}
}

/* "schema.table" or "catalog.schema.table" of the request into the graph key. */
static clxs_code table_key(json_object *objects, const char *cat, const char *schema, const char *table,
			   const char *field, char *key, size_t len, clxs_error *err)
{
	char parts[3][256];
	int n = schema ? 1 : mg_split_fqn(table, parts);
	if (schema)
		mg_key(key, len, schema, table);
	else if (n == 2)
		mg_key(key, len, parts[0], parts[1]);
	else if (n == 3 && !strcasecmp(parts[0], cat))
		mg_key(key, len, parts[1], parts[2]);
	else
		return clxs_fail(err, CLXS_EVALIDATION, field, "%s must be schema.table or %s.schema.table", field, cat);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (!json_object_object_get(objects, key))
		return clxs_fail(err, CLXS_ENOTFOUND, field, "%s.%s does not exist", cat, key);
	return CLXS_OK;
}

clxs_code clxs_mg_lineage(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "catalog", ""), *table = clxs_json_str(req, "table", NULL);
	json_object *g = NULL;
	clxs_code rc = clxs_mg_dep_graph(c, cat, &g, err);
	if (rc)
		return rc;
	json_object *objects = json_object_object_get(g, "objects");
	char key[600];
	if (table && (rc = table_key(objects, cat, NULL, table, "table", key, sizeof(key), err))) {
		json_object_put(g);
		return rc;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	json_object *edges = all_edges(c, cat, g, o);
	if (table) {
		char fq[800];
		snprintf(fq, sizeof(fq), "%s.%s", cat, key);
		clxs_json_set_str(o, "table", fq);
		json_object *start = json_object_new_array();
		mg_push(start, fq);
		json_object *up = walk(edges, start, false), *down = walk(edges, start, true);
		add_kinds(up, objects, cat);
		add_kinds(down, objects, cat);
		json_object_object_add(o, "upstream", up);
		json_object_object_add(o, "downstream", down);
		/* Only the edges on the table's paths. */
		json_object *keep = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(edges); i++) {
			json_object *ed = json_object_array_get_idx(edges, i);
			const char *s = clxs_json_str(ed, "source", ""), *t = clxs_json_str(ed, "target", "");
			bool on = false;
			for (size_t j = 0; !on && j < json_object_array_length(up); j++)
				on = !strcmp(clxs_json_str(json_object_array_get_idx(up, j), "object", ""), s);
			for (size_t j = 0; !on && j < json_object_array_length(down); j++)
				on = !strcmp(clxs_json_str(json_object_array_get_idx(down, j), "object", ""), t);
			if (on || !strcmp(s, fq) || !strcmp(t, fq))
				json_object_array_add(keep, json_object_get(ed));
		}
		json_object_put(edges);
		edges = keep;
		json_object_put(start);
	}
	json_object_object_add(o, "lineage", edges);
	clxs_json_set_int(o, "edge_count", (int64_t)json_object_array_length(edges));
	json_object_put(g);
	*out = o;
	return CLXS_OK;
}

clxs_code clxs_mg_impact(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "catalog", ""), *schema = clxs_json_str(req, "schema", NULL),
		   *table = clxs_json_str(req, "table", NULL);
	if (table && !schema && !strchr(table, '.'))
		return clxs_fail(err, CLXS_EVALIDATION, "schema", "table needs schema (or a schema.table name)");
	json_object *g = NULL;
	clxs_code rc = clxs_mg_dep_graph(c, cat, &g, err);
	if (rc)
		return rc;
	json_object *objects = json_object_object_get(g, "objects"), *start = json_object_new_array();
	char key[600], fq[800];
	if (table) {
		if ((rc = table_key(objects, cat, schema, table, "table", key, sizeof(key), err)))
			goto fail;
		snprintf(fq, sizeof(fq), "%s.%s", cat, key);
		mg_push(start, fq);
	} else {
		bool seen = false;
		json_object_object_foreach(objects, k, ob)
		{
			if (schema && strcasecmp(clxs_json_str(ob, "schema", ""), schema) != 0)
				continue;
			seen = true;
			snprintf(fq, sizeof(fq), "%s.%s", cat, k);
			mg_push(start, fq);
		}
		if (schema && !seen) {
			rc = clxs_fail(err, CLXS_ENOTFOUND, "schema", "schema '%s.%s' does not exist or is empty", cat, schema);
			goto fail;
		}
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	clxs_json_set_str(o, "schema", schema);
	clxs_json_set_str(o, "table", table ? fq : NULL);
	json_object *edges = all_edges(c, cat, g, o);
	json_object *imp = walk(edges, start, true);
	add_kinds(imp, objects, cat);
	size_t n = json_object_array_length(imp);
	json_object_object_add(o, "impacted_objects", imp);
	clxs_json_set_int(o, "total_impacted", (int64_t)n);
	int views = 0, fns = 0, ext = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = clxs_json_str(json_object_array_get_idx(imp, i), "object_type", "");
		views += !strcmp(k, "VIEW");
		fns += !strcmp(k, "FUNCTION");
		ext += !strcmp(k, "EXTERNAL") || !strcmp(k, "TABLE");
	}
	json_object *cnt = json_object_new_object();
	clxs_json_set_int(cnt, "views", views);
	clxs_json_set_int(cnt, "functions", fns);
	clxs_json_set_int(cnt, "tables_and_external", ext);
	json_object_object_add(o, "counts", cnt);
	/* Risk: nothing reads it, a few readers, many (or anything outside
	 * the catalog, which this tool cannot see to fix). */
	clxs_json_set_str(o, "risk_level", n == 0 ? "none" : ext > 0 || n > 10 ? "high" : n > 3 ? "medium" : "low");
	json_object_put(edges);
	json_object_put(start);
	json_object_put(g);
	*out = o;
	return CLXS_OK;
fail:
	json_object_put(start);
	json_object_put(g);
	return rc;
}
