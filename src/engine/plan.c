/* The clone planner: from the source catalog's model and the options, the
 * complete ordered list of statements a clone runs. Every statement is
 * built with clxs_sql_appendf, so names and values reach SQL only quoted;
 * view and function bodies are rewritten by the tokenizer, never by string
 * replacement. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/clone.h"
#include "clxs/clone_snapshot.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/sql_token.h"

typedef struct {
	json_object *opts;
	const char *src, *dst;
	const char *me; /* the user running the clone, who owns what it creates */
	json_object *cur_versions, *prev_versions; /* INCREMENTAL: source versions now and at the last clone */
	json_object *unchanged; /* INCREMENTAL: "schema.name" of tables left alone entirely */
	json_object *model;     /* source_snapshot_id: model "snapshot" pins each table's version */
	const char *snap_id;
	bool shallow;
	json_object *statements, *skipped, *counts;
	int step;
	regex_t inc_re, exc_re;
	bool has_inc, has_exc;
	json_object *functions_cloned; /* "schema.name" (lower-case) -> true */
	clxs_error *err;
	bool failed;
} plan;

/* ---- selection ---------------------------------------------------------- */

static bool in_list(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcasecmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

static bool schema_selected(json_object *opts, const char *schema)
{
	json_object *inc = json_object_object_get(opts, "include_schemas");
	json_object *objs = json_object_object_get(opts, "include_objects");
	if (json_object_array_length(inc) > 0 && !in_list(inc, schema)) {
		/* include_objects widens include_schemas to the schemas it names */
		bool named = false;
		for (size_t i = 0; objs && i < json_object_array_length(objs); i++)
			named |= strcasecmp(clxs_json_str(json_object_array_get_idx(objs, i), "schema", ""),
					    schema) == 0;
		if (!named)
			return false;
	}
	return !in_list(json_object_object_get(opts, "exclude_schemas"), schema);
}

static bool objects_selected(json_object *opts, const char *schema, const char *name, const char *type)
{
	json_object *objs = json_object_object_get(opts, "include_objects");
	if (!objs || json_object_array_length(objs) == 0)
		return true;
	for (size_t i = 0; i < json_object_array_length(objs); i++) {
		json_object *o = json_object_array_get_idx(objs, i);
		if (!strcasecmp(clxs_json_str(o, "schema", ""), schema) &&
		    !strcasecmp(clxs_json_str(o, "name", ""), name) &&
		    !strcasecmp(clxs_json_str(o, "type", ""), type))
			return true;
	}
	return false;
}

static bool regex_match(regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

bool clxs_clone_selected(json_object *opts, const char *schema, const char *name,
			 const char *object_type)
{
	if (!schema_selected(opts, schema) || !objects_selected(opts, schema, name, object_type))
		return false;
	bool ok = true;
	const char *res[2] = {clxs_json_str(opts, "include_tables_regex", NULL),
			      clxs_json_str(opts, "exclude_tables_regex", NULL)};
	for (int i = 0; i < 2 && ok; i++) {
		regex_t re;
		if (!res[i] || regcomp(&re, res[i], REG_EXTENDED | REG_NOSUB) != 0)
			continue;
		ok = regex_match(&re, name) == (i == 0);
		regfree(&re);
	}
	return ok;
}

static bool unchanged(plan *p, const char *schema, const char *name)
{
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, name);
	return p->unchanged && json_object_object_get(p->unchanged, key) != NULL;
}

static bool selected(plan *p, const char *schema, const char *name, const char *type)
{
	if (!schema_selected(p->opts, schema) || !objects_selected(p->opts, schema, name, type))
		return false;
	if (p->has_inc && !regex_match(&p->inc_re, name))
		return false;
	return !(p->has_exc && regex_match(&p->exc_re, name));
}

/* ---- output ---------------------------------------------------------------- */

static void count(plan *p, const char *key)
{
	json_object *v = json_object_object_get(p->counts, key);
	json_object_object_add(p->counts, key, json_object_new_int64((v ? json_object_get_int64(v) : 0) + 1));
}

static void object_name(char *buf, size_t len, const char *schema, const char *name)
{
	if (schema && name)
		snprintf(buf, len, "%s.%s", schema, name);
	else
		snprintf(buf, len, "%s", schema ? schema : name ? name : "");
}

/* Take the statement in b (reset afterwards); a failed build fails the plan. */
static void emit(plan *p, clxs_buf *b, clxs_code rc, const char *phase, const char *type,
		 const char *schema, const char *name)
{
	if (rc != CLXS_OK || clxs_buf_failed(b)) {
		p->failed = true;
		clxs_buf_reset(b);
		return;
	}
	char obj[600];
	object_name(obj, sizeof(obj), schema, name);
	json_object *s = json_object_new_object();
	clxs_json_set_int(s, "step", ++p->step);
	clxs_json_set_str(s, "phase", phase);
	clxs_json_set_str(s, "object_type", type);
	clxs_json_set_str(s, "object", obj);
	clxs_json_set_str(s, "sql", clxs_buf_str(b));
	json_object_array_add(p->statements, s);
	count(p, phase);
	clxs_buf_reset(b);
}

static void skip(plan *p, const char *type, const char *schema, const char *name, const char *reason)
{
	char obj[600];
	object_name(obj, sizeof(obj), schema, name);
	json_object *s = json_object_new_object();
	clxs_json_set_str(s, "object_type", type);
	clxs_json_set_str(s, "object", obj);
	clxs_json_set_str(s, "reason", reason);
	json_object_array_add(p->skipped, s);
}

/* ---- pieces shared by every securable ------------------------------------------ */

/* Privileges we know how to grant; anything else is reported, never sent. */
static const char *const privileges[] = {
	"ALL PRIVILEGES", "APPLY TAG", "BROWSE", "CREATE FUNCTION", "CREATE MATERIALIZED VIEW",
	"CREATE MODEL", "CREATE SCHEMA", "CREATE TABLE", "CREATE VOLUME", "EXECUTE", "MANAGE",
	"MODIFY", "READ VOLUME", "REFRESH", "SELECT", "USE CATALOG", "USE SCHEMA", "WRITE VOLUME",
	NULL,
};

static const char *known_privilege(const char *s)
{
	for (int i = 0; privileges[i]; i++)
		if (strcasecmp(privileges[i], s) == 0)
			return privileges[i];
	return NULL;
}

/* kind: CATALOG, SCHEMA, TABLE, VIEW, FUNCTION, VOLUME (our keywords). */
static void governance(plan *p, json_object *obj, const char *kind, const char *type,
		       const char *schema, const char *name)
{
	clxs_buf b;
	clxs_buf_init(&b);
	const char *cat = p->dst;
	const char *s3 = schema, *n3 = name;
	if (!strcmp(kind, "SCHEMA"))
		s3 = name, n3 = NULL;
	else if (!strcmp(kind, "CATALOG"))
		s3 = NULL, n3 = NULL;
	/* GRANT and ALTER use TABLE for views too. */
	const char *grant_kind = !strcmp(kind, "VIEW") ? "TABLE" : kind;

	const char *owner = clxs_json_str(obj, "owner", NULL);
	if (owner && *owner && clxs_json_bool(p->opts, "copy_ownership", true) &&
	    !(p->me && strcasecmp(owner, p->me) == 0))
		emit(p, &b, clxs_sql_appendf(&b, p->err, "ALTER %K %Q OWNER TO %I", kind, cat, s3, n3, owner),
		     "ownership", type, schema, name);

	json_object *grants = json_object_object_get(obj, "grants");
	for (size_t i = 0; clxs_json_bool(p->opts, "copy_permissions", true) && grants &&
			   i < json_object_array_length(grants); i++) {
		json_object *g = json_object_array_get_idx(grants, i);
		const char *principal = clxs_json_str(g, "principal", NULL);
		json_object *privs = json_object_object_get(g, "privileges");
		if (!principal || !privs)
			continue;
		clxs_code rc = clxs_sql_appendf(&b, p->err, "GRANT ");
		int n = 0;
		for (size_t j = 0; rc == CLXS_OK && j < json_object_array_length(privs); j++) {
			const char *raw = json_object_get_string(json_object_array_get_idx(privs, j));
			const char *priv = known_privilege(raw);
			if (!priv) {
				char why[200];
				snprintf(why, sizeof(why), "privilege '%.80s' for %.60s is not one clone knows",
					 raw, principal);
				skip(p, "grant", schema, name, why);
				continue;
			}
			rc = clxs_sql_appendf(&b, p->err, n++ ? ", %K" : "%K", priv);
		}
		if (n == 0) {
			clxs_buf_reset(&b);
			continue;
		}
		if (rc == CLXS_OK)
			rc = clxs_sql_appendf(&b, p->err, " ON %K %Q TO %I", grant_kind, cat, s3, n3, principal);
		emit(p, &b, rc, "permissions", type, schema, name);
	}

	json_object *tags = json_object_object_get(obj, "tags");
	if (clxs_json_bool(p->opts, "copy_tags", true) && tags && json_object_object_length(tags) > 0) {
		clxs_code rc = clxs_sql_appendf(&b, p->err, "ALTER %K %Q SET TAGS (", kind, cat, s3, n3);
		int n = 0;
		json_object_object_foreach(tags, k, v) {
			if (rc == CLXS_OK)
				rc = clxs_sql_appendf(&b, p->err, n++ ? ", %L = %L" : "%L = %L", k,
						      json_object_get_string(v));
		}
		if (rc == CLXS_OK)
			rc = clxs_sql_appendf(&b, p->err, ")");
		emit(p, &b, rc, "tags", type, schema, name);
	}
	clxs_buf_free(&b);
}

/* A body from the source catalog, checked to be one statement and with its
 * references to the source catalog pointed at the destination. */
static char *rewrite_body(plan *p, const char *body, const char *type, const char *schema,
			  const char *name)
{
	clxs_sql_stmt *st = NULL;
	size_t n = 0;
	clxs_error e;
	if (clxs_sql_split(body, strlen(body), &st, &n, &e) != CLXS_OK || n != 1) {
		clxs_sql_stmts_free(st, n);
		skip(p, type, schema, name, "definition is not exactly one SQL statement");
		return NULL;
	}
	clxs_sql_stmts_free(st, n);
	char *out = NULL;
	if (clxs_sql_rewrite_catalog(body, p->src, p->dst, &out, &e) != CLXS_OK) {
		skip(p, type, schema, name, e.message);
		return NULL;
	}
	return out;
}

/* Type text goes into DDL verbatim, so it must look like a type. */
static bool type_text_ok(const char *t)
{
	return t && *t && strlen(t) < 256 &&
	       strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_ (),<>:") == strlen(t);
}

/* ---- phases -------------------------------------------------------------------- */

static void plan_catalog(plan *p, json_object *cat)
{
	clxs_buf b;
	clxs_buf_init(&b);
	const char *loc = clxs_json_str(p->opts, "location", NULL);
	clxs_code rc = clxs_sql_appendf(&b, p->err, "CREATE CATALOG IF NOT EXISTS %I", p->dst);
	if (rc == CLXS_OK && loc)
		rc = clxs_sql_appendf(&b, p->err, " MANAGED LOCATION %L", loc);
	const char *comment = clxs_json_str(cat, "comment", NULL);
	if (rc == CLXS_OK && comment && clxs_json_bool(p->opts, "copy_comments", true))
		rc = clxs_sql_appendf(&b, p->err, " COMMENT %L", comment);
	emit(p, &b, rc, "catalog", "catalog", NULL, p->dst);
	clxs_buf_free(&b);
}

static void plan_schemas(plan *p, json_object *schemas)
{
	clxs_buf b;
	clxs_buf_init(&b);
	for (size_t i = 0; i < json_object_array_length(schemas); i++) {
		json_object *s = json_object_array_get_idx(schemas, i);
		const char *name = clxs_json_str(s, "name", "");
		if (!schema_selected(p->opts, name)) {
			skip(p, "schema", NULL, name, "excluded by include_schemas/exclude_schemas");
			continue;
		}
		clxs_code rc = clxs_sql_appendf(&b, p->err, "CREATE SCHEMA IF NOT EXISTS %Q", p->dst, name, NULL);
		const char *comment = clxs_json_str(s, "comment", NULL);
		if (rc == CLXS_OK && comment && clxs_json_bool(p->opts, "copy_comments", true))
			rc = clxs_sql_appendf(&b, p->err, " COMMENT %L", comment);
		emit(p, &b, rc, "schemas", "schema", NULL, name);
	}
	clxs_buf_free(&b);
}

static bool is_view_type(const char *t)
{
	return !strcasecmp(t, "VIEW") || !strcasecmp(t, "MATERIALIZED_VIEW");
}

static void plan_tables(plan *p, json_object *tables)
{
	clxs_buf b;
	clxs_buf_init(&b);
	json_object *where = json_object_object_get(p->opts, "where_clauses");
	json_object *props = json_object_object_get(p->opts, "clone_tbl_properties");
	bool opt_version = json_object_object_get(p->opts, "as_of_version") != NULL;
	const char *ts = clxs_json_str(p->opts, "as_of_timestamp", NULL);
	for (size_t i = 0; i < json_object_array_length(tables); i++) {
		json_object *t = json_object_array_get_idx(tables, i);
		const char *schema = clxs_json_str(t, "schema", ""), *name = clxs_json_str(t, "name", "");
		const char *ttype = clxs_json_str(t, "table_type", "MANAGED");
		if (is_view_type(ttype))
			continue; /* views are planned with the views */
		if (!selected(p, schema, name, "table")) {
			skip(p, "table", schema, name, "excluded by the schema/table filters");
			continue;
		}
		if (!strcasecmp(ttype, "STREAMING_TABLE")) {
			skip(p, "table", schema, name, "streaming tables belong to their pipeline and cannot be cloned");
			continue;
		}
		char key[600];
		snprintf(key, sizeof(key), "%s.%s", schema, name);
		/* The version to clone: the snapshot's for this table, else as_of_version. */
		bool has_version = opt_version;
		int64_t version = clxs_json_int(p->opts, "as_of_version", 0);
		if (clxs_clone_snapshot_version(p->model, schema, name, &version)) {
			if (version < 0) {
				char why[160];
				snprintf(why, sizeof(why), "not in snapshot %.64s", p->snap_id);
				skip(p, "table", schema, name, why);
				json_object_object_add(p->unchanged, key, json_object_new_boolean(1));
				continue;
			}
			has_version = true;
		}
		const char *now = clxs_json_str(p->cur_versions, key, NULL);
		const char *then = clxs_json_str(p->prev_versions, key, NULL);
		if (now && then && !strcmp(now, then)) {
			char why[96];
			snprintf(why, sizeof(why), "unchanged since the last clone (source version %.20s)", now);
			skip(p, "table", schema, name, why);
			json_object_object_add(p->unchanged, key, json_object_new_boolean(1));
			continue;
		}
		const char *pred = clxs_json_str(where, key, clxs_json_str(where, "*", NULL));
		clxs_code rc;
		if (pred && !p->shallow) {
			/* where_clauses: a filtered copy (CTAS); the predicate is the
			 * user's SQL by design, so it must be one expression. */
			clxs_sql_stmt *st = NULL;
			size_t n = 0;
			clxs_error e;
			if (clxs_sql_split(pred, strlen(pred), &st, &n, &e) != CLXS_OK || n != 1 ||
			    strlen(st[0].text) != strlen(pred)) {
				clxs_sql_stmts_free(st, n);
				skip(p, "table", schema, name, "its where_clauses entry is not one SQL expression");
				continue;
			}
			clxs_sql_stmts_free(st, n);
			rc = clxs_sql_appendf(&b, p->err, "CREATE OR REPLACE TABLE %Q AS SELECT * FROM %Q",
					      p->dst, schema, name, p->src, schema, name);
			if (rc == CLXS_OK && has_version)
				rc = clxs_sql_appendf(&b, p->err, " VERSION AS OF %lld", (long long)version);
			else if (rc == CLXS_OK && ts)
				rc = clxs_sql_appendf(&b, p->err, " TIMESTAMP AS OF %L", ts);
			if (rc == CLXS_OK && clxs_buf_puts(&b, " WHERE ") == 0)
				clxs_buf_puts(&b, pred);
			emit(p, &b, rc, "tables", "table", schema, name);
			continue;
		}
		rc = clxs_sql_appendf(&b, p->err, "CREATE OR REPLACE TABLE %Q %K CLONE %Q", p->dst, schema,
				      name, p->shallow ? "SHALLOW" : "DEEP", p->src, schema, name);
		if (rc == CLXS_OK && has_version)
			rc = clxs_sql_appendf(&b, p->err, " VERSION AS OF %lld", (long long)version);
		else if (rc == CLXS_OK && ts)
			rc = clxs_sql_appendf(&b, p->err, " TIMESTAMP AS OF %L", ts);
		if (rc == CLXS_OK && props && json_object_object_length(props) > 0) {
			rc = clxs_sql_appendf(&b, p->err, " TBLPROPERTIES (");
			int n = 0;
			json_object_object_foreach(props, k, v) {
				if (rc == CLXS_OK)
					rc = clxs_sql_appendf(&b, p->err, n++ ? ", %L = %L" : "%L = %L", k,
							      json_object_get_string(v));
			}
			if (rc == CLXS_OK)
				rc = clxs_sql_appendf(&b, p->err, ")");
		}
		emit(p, &b, rc, "tables", "table", schema, name);
	}
	clxs_buf_free(&b);
}

/* Snapshot tables the source no longer has (dropped or renamed since the
 * capture): there is nothing to clone them from, so each is reported. */
static void plan_snapshot_gone(plan *p, json_object *tables)
{
	json_object *snap = json_object_object_get(p->model, "snapshot");
	json_object *list = json_object_object_get(snap, "tables");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *st = json_object_array_get_idx(list, i);
		const char *schema = clxs_json_str(st, "schema", ""), *name = clxs_json_str(st, "table", "");
		bool found = false;
		for (size_t j = 0; !found && tables && j < json_object_array_length(tables); j++) {
			json_object *t = json_object_array_get_idx(tables, j);
			found = !strcasecmp(clxs_json_str(t, "schema", ""), schema) &&
				!strcasecmp(clxs_json_str(t, "name", ""), name);
		}
		if (found || !selected(p, schema, name, "table"))
			continue;
		char why[240];
		snprintf(why, sizeof(why), "in snapshot %.64s (version %lld) but no longer in the source catalog",
			 p->snap_id, (long long)clxs_json_int(st, "version", -1));
		skip(p, "table", schema, name, why);
	}
}

static void plan_functions(plan *p, json_object *functions)
{
	clxs_buf b;
	clxs_buf_init(&b);
	for (size_t i = 0; functions && i < json_object_array_length(functions); i++) {
		json_object *f = json_object_array_get_idx(functions, i);
		const char *schema = clxs_json_str(f, "schema", ""), *name = clxs_json_str(f, "name", "");
		if (!schema_selected(p->opts, schema) || !objects_selected(p->opts, schema, name, "function")) {
			skip(p, "function", schema, name, "excluded by the schema/object filters");
			continue;
		}
		const char *ret = clxs_json_str(f, "return_type", NULL), *body = clxs_json_str(f, "body", NULL);
		if (!type_text_ok(ret) || !body) {
			skip(p, "function", schema, name, "not a SQL function with a readable return type and body");
			continue;
		}
		char *rbody = rewrite_body(p, body, "function", schema, name);
		if (!rbody)
			continue;
		clxs_code rc = clxs_sql_appendf(&b, p->err, "CREATE OR REPLACE FUNCTION %Q(", p->dst, schema, name);
		json_object *params = json_object_object_get(f, "parameters");
		bool bad = false;
		for (size_t j = 0; rc == CLXS_OK && params && j < json_object_array_length(params); j++) {
			json_object *pa = json_object_array_get_idx(params, j);
			const char *tt = clxs_json_str(pa, "type_text", NULL);
			if (!type_text_ok(tt)) {
				bad = true;
				break;
			}
			rc = clxs_sql_appendf(&b, p->err, j ? ", %I %K" : "%I %K", clxs_json_str(pa, "name", ""), tt);
		}
		if (bad) {
			skip(p, "function", schema, name, "a parameter type is not readable");
			clxs_buf_reset(&b);
			free(rbody);
			continue;
		}
		if (rc == CLXS_OK)
			rc = clxs_sql_appendf(&b, p->err, ") RETURNS %K", ret);
		const char *comment = clxs_json_str(f, "comment", NULL);
		if (rc == CLXS_OK && comment && clxs_json_bool(p->opts, "copy_comments", true))
			rc = clxs_sql_appendf(&b, p->err, " COMMENT %L", comment);
		if (rc == CLXS_OK && clxs_buf_puts(&b, " RETURN ") == 0)
			clxs_buf_puts(&b, rbody);
		free(rbody);
		emit(p, &b, rc, "functions", "function", schema, name);
		char key[600];
		snprintf(key, sizeof(key), "%s.%s", schema, name);
		for (char *k = key; *k; k++)
			*k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
		json_object_object_add(p->functions_cloned, key, json_object_new_boolean(1));
	}
	clxs_buf_free(&b);
}

/* Views in dependency order: a view that reads another view of the source
 * catalog comes after it, across schemas. Kahn's algorithm; views caught in
 * a cycle are skipped with the reason. */
static void plan_views(plan *p, json_object *views)
{
	size_t n = views ? json_object_array_length(views) : 0;
	if (n == 0)
		return;
	int *indeg = calloc(n, sizeof(int)), *order = calloc(n, sizeof(int));
	bool *sel = calloc(n, sizeof(bool)), *done = calloc(n, sizeof(bool));
	char **bodies = calloc(n, sizeof(char *));
	/* deps[i * n + j]: view i reads view j */
	bool *deps = calloc(n * n, sizeof(bool));
	if (!indeg || !order || !sel || !done || !bodies || !deps) {
		p->failed = true;
		clxs_fail(p->err, CLXS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(views, i);
		const char *schema = clxs_json_str(v, "schema", ""), *name = clxs_json_str(v, "name", "");
		if (!selected(p, schema, name, "view")) {
			skip(p, "view", schema, name, "excluded by the schema/table filters");
			continue;
		}
		const char *def = clxs_json_str(v, "definition", NULL);
		if (!def) {
			skip(p, "view", schema, name, "the source view has no readable definition");
			continue;
		}
		if (!(bodies[i] = rewrite_body(p, def, "view", schema, name)))
			continue;
		sel[i] = true;
		clxs_sql_ref *refs = NULL;
		size_t nrefs = 0;
		if (clxs_sql_references(def, &refs, &nrefs, NULL) != CLXS_OK)
			continue;
		for (size_t r = 0; r < nrefs; r++) {
			if (strcasecmp(refs[r].catalog, p->src) != 0)
				continue;
			for (size_t j = 0; j < n; j++) {
				json_object *w = json_object_array_get_idx(views, j);
				if (j != i && !strcasecmp(clxs_json_str(w, "schema", ""), refs[r].schema) &&
				    !strcasecmp(clxs_json_str(w, "name", ""), refs[r].name))
					deps[i * n + j] = true;
			}
		}
		clxs_sql_refs_free(refs, nrefs);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (sel[i] && sel[j] && deps[i * n + j])
				indeg[i]++;
	size_t norder = 0;
	for (bool progress = true; progress;) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			if (!sel[i] || done[i] || indeg[i] > 0)
				continue;
			done[i] = true;
			order[norder++] = (int)i;
			progress = true;
			for (size_t k = 0; k < n; k++)
				if (sel[k] && deps[k * n + i])
					indeg[k]--;
		}
	}
	clxs_buf b;
	clxs_buf_init(&b);
	for (size_t o = 0; o < norder; o++) {
		json_object *v = json_object_array_get_idx(views, (size_t)order[o]);
		const char *schema = clxs_json_str(v, "schema", ""), *name = clxs_json_str(v, "name", "");
		clxs_code rc = clxs_sql_appendf(&b, p->err, "CREATE OR REPLACE VIEW %Q", p->dst, schema, name);
		const char *comment = clxs_json_str(v, "comment", NULL);
		if (rc == CLXS_OK && comment && clxs_json_bool(p->opts, "copy_comments", true))
			rc = clxs_sql_appendf(&b, p->err, " COMMENT %L", comment);
		if (rc == CLXS_OK && clxs_buf_puts(&b, " AS ") == 0)
			clxs_buf_puts(&b, bodies[order[o]]);
		emit(p, &b, rc, "views", "view", schema, name);
	}
	clxs_buf_free(&b);
	for (size_t i = 0; i < n; i++)
		if (sel[i] && !done[i]) {
			json_object *v = json_object_array_get_idx(views, i);
			skip(p, "view", clxs_json_str(v, "schema", ""), clxs_json_str(v, "name", ""),
			     "its definition depends on itself through other views (a cycle)");
		}
out:
	for (size_t i = 0; bodies && i < n; i++)
		free(bodies[i]);
	free(bodies);
	free(indeg);
	free(order);
	free(sel);
	free(done);
	free(deps);
}

/* Files are not SQL: the step carries "action": "copy_files" and an empty
 * "sql", and the executor copies the volume's files through the Files API.
 * Its "sql" stays empty so a captured statement list replays as SQL. */
static void emit_copy_files(plan *p, const char *schema, const char *name)
{
	char obj[600];
	object_name(obj, sizeof(obj), schema, name);
	json_object *s = json_object_new_object();
	clxs_json_set_int(s, "step", ++p->step);
	clxs_json_set_str(s, "phase", "volumes");
	clxs_json_set_str(s, "object_type", "volume");
	clxs_json_set_str(s, "object", obj);
	clxs_json_set_str(s, "action", "copy_files");
	clxs_json_set_str(s, "schema", schema);
	clxs_json_set_str(s, "name", name);
	clxs_json_set_str(s, "sql", "");
	json_object_array_add(p->statements, s);
	count(p, "volume_files");
}

static void plan_volumes(plan *p, json_object *volumes)
{
	clxs_buf b;
	clxs_buf_init(&b);
	for (size_t i = 0; volumes && i < json_object_array_length(volumes); i++) {
		json_object *v = json_object_array_get_idx(volumes, i);
		const char *schema = clxs_json_str(v, "schema", ""), *name = clxs_json_str(v, "name", "");
		if (!schema_selected(p->opts, schema) || !objects_selected(p->opts, schema, name, "volume")) {
			skip(p, "volume", schema, name, "excluded by the schema/object filters");
			continue;
		}
		if (strcasecmp(clxs_json_str(v, "volume_type", "MANAGED"), "MANAGED") != 0) {
			skip(p, "volume", schema, name,
			     "external volume: its files live at the source's location; clone needs a new location for it");
			continue;
		}
		clxs_code rc = clxs_sql_appendf(&b, p->err, "CREATE VOLUME IF NOT EXISTS %Q", p->dst, schema, name);
		const char *comment = clxs_json_str(v, "comment", NULL);
		if (rc == CLXS_OK && comment && clxs_json_bool(p->opts, "copy_comments", true))
			rc = clxs_sql_appendf(&b, p->err, " COMMENT %L", comment);
		emit(p, &b, rc, "volumes", "volume", schema, name);
		emit_copy_files(p, schema, name);
	}
	clxs_buf_free(&b);
}

/* Constraints a CTAS copy lost (CLONE carries its own), plus PK/FK. */
static void plan_constraints(plan *p, json_object *t, const char *schema, const char *name)
{
	clxs_buf b;
	clxs_buf_init(&b);
	json_object *cons = json_object_object_get(t, "constraints");
	for (size_t i = 0; cons && i < json_object_array_length(cons); i++) {
		json_object *c = json_object_array_get_idx(cons, i);
		const char *cname = clxs_json_str(c, "name", ""), *type = clxs_json_str(c, "type", "");
		clxs_code rc = clxs_sql_appendf(&b, p->err, "ALTER TABLE %Q ADD CONSTRAINT %I ", p->dst, schema,
						name, cname);
		json_object *cols = json_object_object_get(c, "columns");
		if (!strcasecmp(type, "CHECK")) {
			const char *expr = clxs_json_str(c, "expression", NULL);
			char *rexpr = expr ? rewrite_body(p, expr, "constraint", schema, name) : NULL;
			if (!rexpr) {
				clxs_buf_reset(&b);
				continue;
			}
			if (rc == CLXS_OK && clxs_buf_puts(&b, "CHECK (") == 0 && clxs_buf_puts(&b, rexpr) == 0)
				clxs_buf_puts(&b, ")");
			free(rexpr);
		} else if (!strcasecmp(type, "PRIMARY KEY") || !strcasecmp(type, "FOREIGN KEY")) {
			bool pk = !strcasecmp(type, "PRIMARY KEY");
			rc = rc ? rc : clxs_sql_appendf(&b, p->err, pk ? "PRIMARY KEY (" : "FOREIGN KEY (");
			for (size_t j = 0; rc == CLXS_OK && cols && j < json_object_array_length(cols); j++)
				rc = clxs_sql_appendf(&b, p->err, j ? ", %I" : "%I",
						      json_object_get_string(json_object_array_get_idx(cols, j)));
			rc = rc ? rc : clxs_sql_appendf(&b, p->err, ")");
			if (!pk) {
				/* ref_table is "catalog.schema.table"; a reference into the
				 * source catalog follows the clone. */
				const char *ref = clxs_json_str(c, "ref_table", "");
				char rc_cat[256], rc_sch[256], rc_tbl[256];
				if (sscanf(ref, "%255[^.].%255[^.].%255s", rc_cat, rc_sch, rc_tbl) != 3) {
					skip(p, "constraint", schema, name, "foreign key with an unreadable referenced table");
					clxs_buf_reset(&b);
					continue;
				}
				const char *rcat = strcasecmp(rc_cat, p->src) == 0 ? p->dst : rc_cat;
				rc = rc ? rc : clxs_sql_appendf(&b, p->err, " REFERENCES %Q (", rcat, rc_sch, rc_tbl);
				json_object *rcols = json_object_object_get(c, "ref_columns");
				for (size_t j = 0; rc == CLXS_OK && rcols && j < json_object_array_length(rcols); j++)
					rc = clxs_sql_appendf(&b, p->err, j ? ", %I" : "%I",
							      json_object_get_string(json_object_array_get_idx(rcols, j)));
				rc = rc ? rc : clxs_sql_appendf(&b, p->err, ")");
			}
		} else {
			skip(p, "constraint", schema, name, "unknown constraint type");
			clxs_buf_reset(&b);
			continue;
		}
		emit(p, &b, rc, "constraints", "constraint", schema, name);
	}
	clxs_buf_free(&b);
}

/* The catalog a filter or mask function is called in on the destination:
 * the clone's copy when this plan clones it, else where it already is. */
static const char *function_catalog(plan *p, const char *cat, const char *schema, const char *fn)
{
	if (strcasecmp(cat, p->src) != 0)
		return cat;
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, fn);
	for (char *k = key; *k; k++)
		*k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
	return json_object_object_get(p->functions_cloned, key) ? p->dst : cat;
}

/* Row filters and column masks, after the functions they call exist. */
static void plan_security(plan *p, json_object *t, const char *schema, const char *name)
{
	clxs_buf b;
	clxs_buf_init(&b);
	char fc[256], fs[256], fn[256];
	json_object *cols = json_object_object_get(t, "columns");
	for (size_t i = 0; cols && i < json_object_array_length(cols); i++) {
		json_object *col = json_object_array_get_idx(cols, i);
		json_object *mask = json_object_object_get(col, "mask");
		if (!mask)
			continue;
		const char *fq = clxs_json_str(mask, "function", "");
		if (sscanf(fq, "%255[^.].%255[^.].%255s", fc, fs, fn) != 3) {
			skip(p, "column_mask", schema, name, "mask function name is not catalog.schema.function");
			continue;
		}
		clxs_code rc = clxs_sql_appendf(&b, p->err, "ALTER TABLE %Q ALTER COLUMN %I SET MASK %Q", p->dst,
						schema, name, clxs_json_str(col, "name", ""),
						function_catalog(p, fc, fs, fn), fs, fn);
		json_object *using = json_object_object_get(mask, "using_columns");
		if (rc == CLXS_OK && using && json_object_array_length(using) > 0) {
			rc = clxs_sql_appendf(&b, p->err, " USING COLUMNS (");
			for (size_t j = 0; rc == CLXS_OK && j < json_object_array_length(using); j++)
				rc = clxs_sql_appendf(&b, p->err, j ? ", %I" : "%I",
						      json_object_get_string(json_object_array_get_idx(using, j)));
			rc = rc ? rc : clxs_sql_appendf(&b, p->err, ")");
		}
		emit(p, &b, rc, "security", "column_mask", schema, name);
	}
	json_object *rf = json_object_object_get(t, "row_filter");
	if (rf) {
		const char *fq = clxs_json_str(rf, "function", "");
		if (sscanf(fq, "%255[^.].%255[^.].%255s", fc, fs, fn) != 3) {
			skip(p, "row_filter", schema, name, "row filter function name is not catalog.schema.function");
		} else {
			clxs_code rc = clxs_sql_appendf(&b, p->err, "ALTER TABLE %Q SET ROW FILTER %Q ON (", p->dst,
							schema, name, function_catalog(p, fc, fs, fn), fs, fn);
			json_object *rcols = json_object_object_get(rf, "columns");
			for (size_t j = 0; rc == CLXS_OK && rcols && j < json_object_array_length(rcols); j++)
				rc = clxs_sql_appendf(&b, p->err, j ? ", %I" : "%I",
						      json_object_get_string(json_object_array_get_idx(rcols, j)));
			rc = rc ? rc : clxs_sql_appendf(&b, p->err, ")");
			emit(p, &b, rc, "security", "row_filter", schema, name);
		}
	}
	clxs_buf_free(&b);
}

/* Column tags are their own statements: ALTER TABLE .. ALTER COLUMN .. SET TAGS. */
static void plan_column_tags(plan *p, json_object *t, const char *schema, const char *name)
{
	clxs_buf b;
	clxs_buf_init(&b);
	json_object *cols = json_object_object_get(t, "columns");
	for (size_t i = 0; cols && i < json_object_array_length(cols); i++) {
		json_object *col = json_object_array_get_idx(cols, i);
		json_object *tags = json_object_object_get(col, "tags");
		if (!tags || json_object_object_length(tags) == 0)
			continue;
		clxs_code rc = clxs_sql_appendf(&b, p->err, "ALTER TABLE %Q ALTER COLUMN %I SET TAGS (", p->dst,
						schema, name, clxs_json_str(col, "name", ""));
		int n = 0;
		json_object_object_foreach(tags, k, v) {
			if (rc == CLXS_OK)
				rc = clxs_sql_appendf(&b, p->err, n++ ? ", %L = %L" : "%L = %L", k,
						      json_object_get_string(v));
		}
		rc = rc ? rc : clxs_sql_appendf(&b, p->err, ")");
		emit(p, &b, rc, "tags", "column", schema, name);
	}
	clxs_buf_free(&b);
}

static int cmp_size(const void *a, const void *b, int dir)
{
	int64_t x = clxs_json_int(*(json_object *const *)a, "size_bytes", 0);
	int64_t y = clxs_json_int(*(json_object *const *)b, "size_bytes", 0);
	return x < y ? -dir : x > y ? dir : 0;
}
static int cmp_size_asc(const void *a, const void *b) { return cmp_size(a, b, 1); }
static int cmp_size_desc(const void *a, const void *b) { return cmp_size(a, b, -1); }

json_object *clxs_clone_plan(json_object *model, json_object *opts, clxs_error *err)
{
	plan p;
	memset(&p, 0, sizeof(p));
	p.opts = opts;
	p.err = err;
	p.src = clxs_json_str(opts, "source_catalog", NULL);
	p.dst = clxs_json_str(opts, "destination_catalog", NULL);
	p.shallow = !strcmp(clxs_json_str(opts, "clone_type", "DEEP"), "SHALLOW");
	p.me = clxs_json_str(model, "current_user", NULL);
	p.model = model;
	p.snap_id = clxs_json_str(json_object_object_get(model, "snapshot"), "snapshot_id", "");
	if (!strcmp(clxs_json_str(opts, "load_type", "FULL"), "INCREMENTAL")) {
		p.cur_versions = json_object_object_get(model, "source_versions");
		p.prev_versions = json_object_object_get(model, "previous_versions");
	}
	if (!p.src || !p.dst) {
		clxs_fail(err, CLXS_EVALIDATION, "source_catalog", "source and destination catalogs are required");
		return NULL;
	}
	const char *inc = clxs_json_str(opts, "include_tables_regex", NULL);
	const char *exc = clxs_json_str(opts, "exclude_tables_regex", NULL);
	if (inc && regcomp(&p.inc_re, inc, REG_EXTENDED | REG_NOSUB) == 0)
		p.has_inc = true;
	if (exc && regcomp(&p.exc_re, exc, REG_EXTENDED | REG_NOSUB) == 0)
		p.has_exc = true;
	p.statements = json_object_new_array();
	p.skipped = json_object_new_array();
	p.counts = json_object_new_object();
	p.functions_cloned = json_object_new_object();
	p.unchanged = json_object_new_object();

	json_object *cat = json_object_object_get(model, "catalog");
	json_object *schemas = json_object_object_get(model, "schemas");
	json_object *tables = json_object_object_get(model, "tables");
	json_object *views = json_object_object_get(model, "views");
	json_object *functions = json_object_object_get(model, "functions");
	json_object *volumes = json_object_object_get(model, "volumes");

	/* Work on a copy so sorting does not reorder the caller's model. */
	json_object *tcopy = NULL;
	if (tables)
		json_object_deep_copy(tables, &tcopy, NULL);
	const char *order = clxs_json_str(opts, "order_by_size", NULL);
	if (tcopy && order)
		json_object_array_sort(tcopy, !strcmp(order, "desc") ? cmp_size_desc : cmp_size_asc);

	plan_catalog(&p, cat);
	if (schemas)
		plan_schemas(&p, schemas);
	if (tcopy)
		plan_tables(&p, tcopy);
	if (json_object_object_get(model, "snapshot"))
		plan_snapshot_gone(&p, tables);
	if (clxs_json_bool(opts, "clone_functions", true))
		plan_functions(&p, functions);
	if (clxs_json_bool(opts, "clone_views", true))
		plan_views(&p, views);
	if (clxs_json_bool(opts, "clone_volumes", true))
		plan_volumes(&p, volumes);

	/* Row filters and column masks as soon as the functions they call
	 * exist, and before any grant: a grantee must never see a cloned
	 * table without the filters and masks its source has. */
	for (size_t i = 0; tcopy && clxs_json_bool(opts, "copy_security", true) &&
			   i < json_object_array_length(tcopy); i++) {
		json_object *t = json_object_array_get_idx(tcopy, i);
		const char *schema = clxs_json_str(t, "schema", ""), *name = clxs_json_str(t, "name", "");
		if (selected(&p, schema, name, "table") && !unchanged(&p, schema, name) &&
		    !is_view_type(clxs_json_str(t, "table_type", "")))
			plan_security(&p, t, schema, name);
	}

	/* Governance after every object exists: owners, grants, tags. */
	governance(&p, cat, "CATALOG", "catalog", NULL, p.dst);
	for (size_t i = 0; schemas && i < json_object_array_length(schemas); i++) {
		json_object *s = json_object_array_get_idx(schemas, i);
		if (schema_selected(opts, clxs_json_str(s, "name", "")))
			governance(&p, s, "SCHEMA", "schema", NULL, clxs_json_str(s, "name", ""));
	}
	json_object *objs[] = {tcopy, views, functions, volumes};
	const char *kinds[] = {"TABLE", "VIEW", "FUNCTION", "VOLUME"};
	const char *types[] = {"table", "view", "function", "volume"};
	for (int k = 0; k < 4; k++) {
		for (size_t i = 0; objs[k] && i < json_object_array_length(objs[k]); i++) {
			json_object *o = json_object_array_get_idx(objs[k], i);
			const char *schema = clxs_json_str(o, "schema", ""), *name = clxs_json_str(o, "name", "");
			bool is_view = k == 0 && is_view_type(clxs_json_str(o, "table_type", ""));
			if (is_view || !selected(&p, schema, name, types[k]) || (k == 0 && unchanged(&p, schema, name)) ||
			    (k == 0 && !strcasecmp(clxs_json_str(o, "table_type", ""), "STREAMING_TABLE")))
				continue;
			governance(&p, o, kinds[k], types[k], schema, name);
			if (k == 0 && clxs_json_bool(opts, "copy_tags", true))
				plan_column_tags(&p, o, schema, name);
		}
	}
	/* Constraints: CLONE carries them; a where_clauses copy (CTAS) does not. */
	json_object *where = json_object_object_get(opts, "where_clauses");
	for (size_t i = 0; tcopy && clxs_json_bool(opts, "copy_constraints", true) &&
			   !p.shallow && i < json_object_array_length(tcopy); i++) {
		json_object *t = json_object_array_get_idx(tcopy, i);
		const char *schema = clxs_json_str(t, "schema", ""), *name = clxs_json_str(t, "name", "");
		char key[600];
		snprintf(key, sizeof(key), "%s.%s", schema, name);
		if (selected(&p, schema, name, "table") && !unchanged(&p, schema, name) &&
		    clxs_json_str(where, key, clxs_json_str(where, "*", NULL)))
			plan_constraints(&p, t, schema, name);
	}
	json_object_put(tcopy);
	json_object_put(p.functions_cloned);
	json_object_put(p.unchanged);
	if (p.has_inc)
		regfree(&p.inc_re);
	if (p.has_exc)
		regfree(&p.exc_re);
	if (p.failed) {
		json_object_put(p.statements);
		json_object_put(p.skipped);
		json_object_put(p.counts);
		if (err && err->code == CLXS_OK)
			clxs_fail(err, CLXS_EINTERNAL, NULL, "could not build the clone plan");
		return NULL;
	}
	clxs_json_set_int(p.counts, "statements", (int64_t)json_object_array_length(p.statements));
	clxs_json_set_int(p.counts, "skipped", (int64_t)json_object_array_length(p.skipped));
	json_object *out = json_object_new_object();
	json_object_object_add(out, "statements", p.statements);
	json_object_object_add(out, "skipped", p.skipped);
	json_object_object_add(out, "counts", p.counts);
	json_object *snap = clxs_clone_snapshot_summary(model);
	if (snap)
		json_object_object_add(out, "source_snapshot", snap);
	return out;
}
