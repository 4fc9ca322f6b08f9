/* Schema evolution: the column changes that make a destination table match
 * its source, applied as ALTER TABLE. dry_run (the default) only says what
 * would run; removed columns are dropped only with drop_removed. Column
 * types come from the catalog or the request and cannot be quoted, so they
 * are checked against the type grammar's characters before use. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mg_diff.h"

/* letters, digits, _ ( ) , < > : and spaces, starting with a letter and
 * with balanced brackets: enough for decimal(10,2), array<string>,
 * map<string,int>, struct<a:int>; no quote, comment or ';' can pass. */
static bool type_ok(const char *t)
{
	if (!t || !isalpha((unsigned char)*t) || strlen(t) > 200)
		return false;
	int depth = 0;
	for (const char *p = t; *p; p++) {
		if (*p == '(' || *p == '<')
			depth++;
		else if (*p == ')' || *p == '>')
			depth--;
		else if (!isalnum((unsigned char)*p) && !strchr("_, :", *p))
			return false;
		if (depth < 0)
			return false;
	}
	return depth == 0;
}

static clxs_code one_table(clxs_mg_ctx *c, const char *dst, const char *schema, const char *table,
			   json_object *changes, bool dry, bool drop_removed, json_object *o, clxs_error *err)
{
	json_object *stmts = json_object_new_array();
	int64_t applied = 0, failed = 0;
	clxs_buf b;
	clxs_buf_init(&b);
	for (size_t i = 0; i < json_object_array_length(changes); i++) {
		json_object *ch = json_object_array_get_idx(changes, i);
		const char *kind = clxs_json_str(ch, "change", ""), *col = clxs_json_str(ch, "column", "");
		const char *ty = clxs_json_str(ch, "source_type", NULL);
		json_object *s = json_object_new_object();
		clxs_json_set_str(s, "change", kind);
		clxs_json_set_str(s, "column", col);
		json_object_array_add(stmts, s);
		clxs_buf_reset(&b);
		clxs_code rc = CLXS_OK;
		if (!strcmp(kind, "added"))
			rc = clxs_sql_appendf(&b, err, "ALTER TABLE %Q ADD COLUMNS (%I %K)", dst, schema, table, col, ty);
		else if (!strcmp(kind, "type_changed"))
			rc = clxs_sql_appendf(&b, err, "ALTER TABLE %Q ALTER COLUMN %I TYPE %K", dst, schema, table, col, ty);
		else if (!strcmp(kind, "nullability_changed"))
			rc = clxs_sql_appendf(&b, err, "ALTER TABLE %Q ALTER COLUMN %I %K", dst, schema, table, col,
					      clxs_json_bool(ch, "source_nullable", true) ? "DROP NOT NULL" : "SET NOT NULL");
		else if (!strcmp(kind, "removed"))
			rc = clxs_sql_appendf(&b, err, "ALTER TABLE %Q DROP COLUMN %I", dst, schema, table, col);
		if (rc) {
			clxs_buf_free(&b);
			json_object_put(stmts);
			return rc;
		}
		clxs_json_set_str(s, "sql", clxs_buf_str(&b));
		if (!strcmp(kind, "removed") && !drop_removed) {
			clxs_json_set_str(s, "status", "skipped");
			clxs_json_set_str(s, "reason", "drop_removed is false");
			continue;
		}
		if (dry) {
			clxs_json_set_str(s, "status", "would_run");
			continue;
		}
		clxs_error e;
		if (mg_exec(c, clxs_buf_str(&b), &e) == CLXS_OK) {
			clxs_json_set_str(s, "status", "done");
			applied++;
		} else {
			clxs_json_set_str(s, "status", "failed");
			clxs_json_set_str(s, "error", e.message);
			failed++;
		}
	}
	clxs_buf_free(&b);
	json_object_object_add(o, "statements", stmts);
	clxs_json_set_int(o, "applied", applied);
	clxs_json_set_int(o, "failed", failed);
	return CLXS_OK;
}

/* Check the changes of an apply request; CLXS_EVALIDATION naming "changes". */
static clxs_code check_changes(json_object *changes, clxs_error *err)
{
	static const char *const kinds[] = {"added", "removed", "type_changed", "nullability_changed"};
	for (size_t i = 0; i < json_object_array_length(changes); i++) {
		json_object *ch = json_object_array_get_idx(changes, i);
		const char *kind = clxs_json_str(ch, "change", NULL), *col = clxs_json_str(ch, "column", NULL);
		bool known = false;
		for (size_t k = 0; kind && k < 4; k++)
			known |= !strcmp(kind, kinds[k]);
		if (!json_object_is_type(ch, json_type_object) || !known || !col || !*col)
			return clxs_fail(err, CLXS_EVALIDATION, "changes",
					 "changes[%zu] needs \"change\" (added, removed, type_changed, "
					 "nullability_changed) and \"column\"", i);
		if ((!strcmp(kind, "added") || !strcmp(kind, "type_changed")) &&
		    !type_ok(clxs_json_str(ch, "source_type", NULL)))
			return clxs_fail(err, CLXS_EVALIDATION, "changes", "changes[%zu].source_type is not a column type", i);
	}
	return CLXS_OK;
}

static clxs_code detect(clxs_mg_ctx *c, const char *src, const char *dst, const char *schema, const char *table,
			json_object **changes, clxs_error *err)
{
	json_object *st = NULL, *dt = NULL;
	char k[600];
	clxs_code rc = mg_catalog_tables(c, src, schema, NULL, "source_catalog", &st, err);
	if (!rc)
		rc = mg_catalog_tables(c, dst, schema, NULL, "destination_catalog", &dt, err);
	mg_key(k, sizeof(k), schema, table);
	if (!rc && !json_object_object_get(st, k))
		rc = clxs_fail(err, CLXS_ENOTFOUND, "table_name", "table %s.%s does not exist", src, k);
	else if (!rc && !json_object_object_get(dt, k))
		rc = clxs_fail(err, CLXS_ENOTFOUND, "table_name", "table %s.%s does not exist", dst, k);
	if (!rc)
		*changes = mg_column_changes(json_object_object_get(st, k), json_object_object_get(dt, k));
	json_object_put(st);
	json_object_put(dt);
	return rc;
}

clxs_code clxs_mg_evolve_detect(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	const char *s = clxs_json_str(req, "schema_name", ""), *t = clxs_json_str(req, "table_name", "");
	json_object *changes = NULL;
	clxs_code rc = detect(c, src, dst, s, t, &changes, err);
	if (rc)
		return rc;
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "destination_catalog", dst);
	clxs_json_set_str(o, "schema", s);
	clxs_json_set_str(o, "table", t);
	clxs_json_set_bool(o, "has_changes", json_object_array_length(changes) > 0);
	json_object_object_add(o, "changes", changes);
	*out = o;
	return CLXS_OK;
}

clxs_code clxs_mg_evolve_apply(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *dst = clxs_json_str(req, "destination_catalog", "");
	const char *s = clxs_json_str(req, "schema_name", ""), *t = clxs_json_str(req, "table_name", "");
	json_object *changes = json_object_object_get(req, "changes");
	clxs_code rc = check_changes(changes, err);
	if (rc)
		return rc;
	json_object *dt = NULL;
	char k[600];
	if ((rc = mg_catalog_tables(c, dst, s, NULL, "destination_catalog", &dt, err)))
		return rc;
	bool found = json_object_object_get(dt, mg_key(k, sizeof(k), s, t)) != NULL;
	json_object_put(dt);
	if (!found)
		return clxs_fail(err, CLXS_ENOTFOUND, "table_name", "table %s.%s does not exist", dst, k);
	json_object *o = json_object_new_object();
	bool dry = clxs_json_bool(req, "dry_run", true);
	clxs_json_set_str(o, "destination_catalog", dst);
	clxs_json_set_str(o, "schema", s);
	clxs_json_set_str(o, "table", t);
	clxs_json_set_bool(o, "dry_run", dry);
	clxs_json_set_bool(o, "drop_removed", clxs_json_bool(req, "drop_removed", false));
	if ((rc = one_table(c, dst, s, t, changes, dry, clxs_json_bool(req, "drop_removed", false), o, err))) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return CLXS_OK;
}

clxs_code clxs_mg_evolve_catalog(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	bool dry = clxs_json_bool(req, "dry_run", true), drop = clxs_json_bool(req, "drop_removed", false);
	json_object *cmp = NULL;
	clxs_code rc = mg_compare(c, req, src, dst, false, &cmp, err);
	if (rc)
		return rc;
	json_object *changed = json_object_object_get(cmp, "changed_tables"), *tables = json_object_new_array();
	json_object *dt = json_object_object_get(cmp, "destination");
	int64_t applied = 0, failed = 0;
	for (size_t i = 0; !rc && i < json_object_array_length(changed); i++) {
		json_object *ct = json_object_array_get_idx(changed, i);
		json_object *t = json_object_object_get(dt, clxs_json_str(ct, "table", ""));
		json_object *changes = json_object_object_get(ct, "changes");
		json_object *e = json_object_new_object();
		clxs_json_set_str(e, "table", clxs_json_str(ct, "table", ""));
		json_object_object_add(e, "changes", json_object_get(changes));
		json_object_array_add(tables, e);
		/* Types read from the catalog pass the same check as a request's. */
		clxs_error ce;
		if (check_changes(changes, &ce)) {
			clxs_json_set_str(e, "error", ce.message);
			failed++;
			continue;
		}
		rc = one_table(c, dst, clxs_json_str(t, "schema", ""), clxs_json_str(t, "name", ""), changes, dry, drop, e,
			       err);
		applied += clxs_json_int(e, "applied", 0);
		failed += clxs_json_int(e, "failed", 0);
	}
	json_object_put(cmp);
	if (rc) {
		json_object_put(tables);
		return rc;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "destination_catalog", dst);
	clxs_json_set_bool(o, "dry_run", dry);
	clxs_json_set_bool(o, "drop_removed", drop);
	clxs_json_set_int(o, "tables_changed", (int64_t)json_object_array_length(tables));
	clxs_json_set_int(o, "statements_applied", applied);
	clxs_json_set_int(o, "statements_failed", failed);
	json_object_object_add(o, "tables", tables);
	*out = o;
	return CLXS_OK;
}
