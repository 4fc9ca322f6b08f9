/* The audit trail in the audit catalog. Each table is described once, as
 * data (name, columns and their types), and that one description drives
 * CREATE TABLE, INSERT (each value rendered by its type, strings as escaped
 * literals), reading rows back into typed JSON, and describe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clxs/audit.h"
#include "clxs/config.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/util.h"
#include "clxs/workspace.h"

typedef enum { S, I, D, T, B, J } coltype; /* J: JSON text in a STRING column */

typedef struct {
	const char *name;
	coltype type;
} col;

typedef struct {
	const char *name;
	bool metrics_schema; /* lives in <catalog>.metrics */
	const col *cols;
} table;

static const col run_logs_cols[] = {
	{"job_id", S}, {"job_type", S}, {"origin", S}, {"source_catalog", S}, {"destination_catalog", S},
	{"clone_type", S}, {"load_type", S}, {"status", S}, {"user_name", S}, {"host", S},
	{"started_at", T}, {"completed_at", T}, {"duration_seconds", D}, {"error_message", S},
	{"log_lines", J}, {"result_json", J}, {"config_json", J}, {NULL, S},
};
static const col ops_cols[] = {
	{"operation_id", S}, {"job_id", S}, {"origin", S}, {"source_catalog", S}, {"destination_catalog", S},
	{"clone_type", S}, {"load_type", S}, {"status", S}, {"user_name", S}, {"started_at", T},
	{"completed_at", T}, {"duration_seconds", D}, {"total_tables", I}, {"tables_cloned", I},
	{"tables_failed", I}, {"objects_failed", I}, {"objects_skipped", I}, {"total_size_bytes", I},
	{"total_rows", I}, {"volume_files_copied", I}, {"dry_run", B}, {"rollback_id", S},
	{"error_message", S}, {NULL, S},
};
static const col metrics_cols[] = {
	{"job_id", S}, {"source_catalog", S}, {"destination_catalog", S}, {"clone_type", S},
	{"recorded_at", T}, {"user_name", S}, {"total_tables", I}, {"tables_cloned", I},
	{"tables_failed", I}, {"total_size_bytes", I}, {"bytes_copied", I}, {"total_rows", I},
	{"duration_seconds", D}, {"tables_per_second", D}, {"statements", I}, {"requests", I},
	{"retries", I}, {"metadata_queries", I}, {NULL, S},
};
static const col rollback_cols[] = {
	{"rollback_id", S}, {"log_file", S}, {"job_id", S}, {"source_catalog", S},
	{"destination_catalog", S}, {"created_at", T}, {"user_name", S}, {"restore_mode", S},
	{"catalog_existed", B}, {"table_versions", J}, {"record_json", J}, {"rolled_back_at", T},
	{"rollback_status", S}, {"rollback_report", J}, {NULL, S},
};

enum { RUN_LOGS, OPERATIONS, METRICS, ROLLBACK_LOGS, NTABLES };
static const table tables[NTABLES] = {
	{"run_logs", false, run_logs_cols},
	{"clone_operations", false, ops_cols},
	{"clone_metrics", true, metrics_cols},
	{"rollback_logs", false, rollback_cols},
};

static const char *const type_sql[] = {"STRING", "BIGINT", "DOUBLE", "TIMESTAMP", "BOOLEAN", "STRING"};

static const char *schema_of(const clxs_audit_loc *loc, const table *t)
{
	return t->metrics_schema ? "metrics" : loc->schema;
}

static void fqn(const clxs_audit_loc *loc, const table *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%s.%s", loc->catalog, schema_of(loc, t), t->name);
}

/* ---- location ------------------------------------------------------------- */

void clxs_audit_loc_from_config(json_object *config, clxs_audit_loc *loc)
{
	const char *c = config ? clxs_config_str(config, "audit_trail.catalog") : NULL;
	const char *s = config ? clxs_config_str(config, "audit_trail.schema") : NULL;
	snprintf(loc->catalog, sizeof(loc->catalog), "%s", c && *c ? c : "clone_audit");
	snprintf(loc->schema, sizeof(loc->schema), "%s", s && *s ? s : "logs");
}

/* Audit names are plain identifiers: letters, digits, '_' and '-'. They are
 * quoted anyway; the rule keeps a typo or junk input from creating an
 * oddly named catalog. */
static bool plain_name(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 256 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

clxs_code clxs_audit_loc_set(clxs_audit_loc *loc, const char *catalog, const char *schema, clxs_error *err)
{
	if (catalog && !plain_name(catalog))
		return clxs_fail(err, CLXS_EVALIDATION, "catalog",
				 "catalog must be 1 to 255 letters, digits, '_' or '-'");
	if (schema && !plain_name(schema))
		return clxs_fail(err, CLXS_EVALIDATION, "schema", "schema must be 1 to 255 letters, digits, '_' or '-'");
	if (catalog)
		snprintf(loc->catalog, sizeof(loc->catalog), "%s", catalog);
	if (schema)
		snprintf(loc->schema, sizeof(loc->schema), "%s", schema);
	return CLXS_OK;
}

void clxs_audit_log_file_name(const char *rollback_id, char *buf, size_t len)
{
	snprintf(buf, len, "rollback_%s.json", rollback_id ? rollback_id : "");
}

/* ---- statements ------------------------------------------------------------- */

static clxs_code exec(struct clxs_ws_client *ws, const char *wh, clxs_buf *b, clxs_ws_result *r,
		      clxs_error *err)
{
	clxs_ws_result local;
	if (!r)
		r = &local;
	memset(r, 0, sizeof(*r));
	clxs_code rc = clxs_ws_sql(ws, wh, NULL, NULL, clxs_buf_str(b), NULL, 0, NULL, r, err);
	clxs_buf_reset(b);
	if (r == &local)
		clxs_ws_result_free(r);
	return rc;
}

/* The warehouse said the table, schema or catalog does not exist. A failed
 * statement carries error_code BAD_REQUEST and the Spark error class in
 * its message ("[TABLE_OR_VIEW_NOT_FOUND] ...", "[SCHEMA_NOT_FOUND]",
 * "[NO_SUCH_CATALOG_EXCEPTION]"); REST calls map to CLXS_ENOTFOUND. */
static bool missing(clxs_code rc, const clxs_error *err)
{
	if (rc == CLXS_ENOTFOUND)
		return true;
	if (rc == CLXS_OK || !err)
		return false;
	static const char *const marks[] = {"NOT_FOUND", "NO_SUCH_", "DOES_NOT_EXIST"};
	for (size_t i = 0; i < 3; i++) {
		char cls[40];
		snprintf(cls, sizeof(cls), "%s", marks[i]);
		if (strstr(err->detail, cls))
			return true;
		/* only the bracketed class at the start of the message counts */
		const char *end = err->message[0] == '[' ? strchr(err->message, ']') : NULL;
		const char *hit = end ? strstr(err->message, cls) : NULL;
		if (hit && hit < end)
			return true;
	}
	return false;
}

static json_object *columns_json(const table *t)
{
	json_object *a = json_object_new_array();
	for (const col *c = t->cols; c->name; c++) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "name", c->name);
		clxs_json_set_str(o, "type", type_sql[c->type]);
		json_object_array_add(a, o);
	}
	return a;
}

clxs_code clxs_audit_init(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
			  json_object **report, clxs_error *err)
{
	if (report)
		*report = NULL;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_appendf(&b, err, "CREATE CATALOG IF NOT EXISTS %I", loc->catalog);
	if (rc == CLXS_OK)
		rc = exec(ws, wh, &b, NULL, err);
	const char *schemas[2] = {loc->schema, "metrics"};
	for (int i = 0; i < 2 && rc == CLXS_OK; i++) {
		if (i == 1 && !strcmp(loc->schema, "metrics"))
			break;
		rc = clxs_sql_appendf(&b, err, "CREATE SCHEMA IF NOT EXISTS %Q", loc->catalog, schemas[i], NULL);
		if (rc == CLXS_OK)
			rc = exec(ws, wh, &b, NULL, err);
	}
	json_object *created = json_object_new_array(), *shapes = json_object_new_object();
	for (int i = 0; i < NTABLES && rc == CLXS_OK; i++) {
		const table *t = &tables[i];
		rc = clxs_sql_appendf(&b, err, "CREATE TABLE IF NOT EXISTS %Q (", loc->catalog, schema_of(loc, t),
				      t->name);
		for (const col *c = t->cols; rc == CLXS_OK && c->name; c++)
			rc = clxs_sql_appendf(&b, err, c == t->cols ? "%I %K" : ", %I %K", c->name, type_sql[c->type]);
		if (rc == CLXS_OK)
			rc = clxs_sql_appendf(&b, err, ") USING DELTA");
		if (rc == CLXS_OK)
			rc = exec(ws, wh, &b, NULL, err);
		char name[800];
		fqn(loc, t, name, sizeof(name));
		json_object_array_add(created, json_object_new_string(name));
		json_object_object_add(shapes, name, columns_json(t));
	}
	clxs_buf_free(&b);
	if (rc != CLXS_OK || !report) {
		json_object_put(created);
		json_object_put(shapes);
		return rc;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "ok");
	json_object_object_add(o, "tables_created", created);
	json_object_object_add(o, "schemas", shapes);
	*report = o;
	return CLXS_OK;
}

/* Append one value of type ty from v (NULL/json null = SQL NULL). */
static clxs_code value_sql(clxs_buf *b, coltype ty, json_object *v, clxs_error *err)
{
	if (!v || json_object_is_type(v, json_type_null))
		return clxs_sql_appendf(b, err, "NULL");
	switch (ty) {
	case I: return clxs_sql_appendf(b, err, "%lld", (long long)json_object_get_int64(v));
	case B: return clxs_sql_appendf(b, err, json_object_get_boolean(v) ? "TRUE" : "FALSE");
	case D: {
		char num[64];
		snprintf(num, sizeof(num), "%.6f", json_object_get_double(v));
		return clxs_sql_appendf(b, err, "CAST(%L AS DOUBLE)", num);
	}
	case T: return clxs_sql_appendf(b, err, "CAST(%L AS TIMESTAMP)", json_object_get_string(v));
	case J: return clxs_sql_appendf(b, err, "%L", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	case S:
	default: return clxs_sql_appendf(b, err, "%L", json_object_get_string(v));
	}
}

static clxs_code insert_row(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc, const table *t,
			    json_object *row, clxs_error *err)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_appendf(&b, err, "INSERT INTO %Q (", loc->catalog, schema_of(loc, t), t->name);
	for (const col *c = t->cols; rc == CLXS_OK && c->name; c++)
		rc = clxs_sql_appendf(&b, err, c == t->cols ? "%I" : ", %I", c->name);
	if (rc == CLXS_OK)
		rc = clxs_sql_appendf(&b, err, ") VALUES (");
	for (const col *c = t->cols; rc == CLXS_OK && c->name; c++) {
		if (c != t->cols)
			rc = clxs_sql_appendf(&b, err, ", ");
		if (rc == CLXS_OK)
			rc = value_sql(&b, c->type, json_object_object_get(row, c->name), err);
	}
	if (rc == CLXS_OK)
		rc = clxs_sql_appendf(&b, err, ")");
	/* Kept for the retry after creating the tables. */
	char *sql = rc == CLXS_OK ? strdup(clxs_buf_str(&b)) : NULL;
	if (rc == CLXS_OK && !sql)
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	if (rc == CLXS_OK) {
		rc = exec(ws, wh, &b, NULL, err);
		if (missing(rc, err)) {
			/* First use: create what is missing, then once more. */
			rc = clxs_audit_init(ws, wh, loc, NULL, err);
			if (rc == CLXS_OK) {
				clxs_buf_puts(&b, sql);
				rc = exec(ws, wh, &b, NULL, err);
			}
		}
	}
	free(sql);
	clxs_buf_free(&b);
	return rc;
}

/* ---- writing a clone's rows ---------------------------------------------------- */

static void ts(json_object *o, const char *key, int64_t ms)
{
	/* "YYYY-MM-DD HH:MM:SS.mmm" (UTC): what CAST(... AS TIMESTAMP) takes everywhere. */
	char iso[32];
	clxs_iso8601(ms, iso);
	iso[10] = ' ';
	size_t n = strlen(iso);
	if (n && iso[n - 1] == 'Z')
		iso[n - 1] = '\0';
	clxs_json_set_str(o, key, iso);
}

/* Rows in the cloned tables of the destination: count(*) of each, summed,
 * at most 100 tables per statement so a statement stays small. */
static clxs_code count_rows(struct clxs_ws_client *ws, const char *wh, const char *dst, json_object *names,
			    int64_t *rows, clxs_error *err)
{
	*rows = 0;
	size_t n = json_object_array_length(names);
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = CLXS_OK;
	for (size_t lo = 0; lo < n && rc == CLXS_OK; lo += 100) {
		rc = clxs_sql_appendf(&b, err, "SELECT CAST(sum(n) AS BIGINT) AS total FROM (");
		for (size_t i = lo; i < n && i < lo + 100 && rc == CLXS_OK; i++) {
			char s[300], t[300];
			const char *name = json_object_get_string(json_object_array_get_idx(names, i));
			/* object names are "schema.table"; the schema has no dot
			 * unless quoted in the source, so split at the first dot */
			const char *dot = strchr(name, '.');
			if (!dot || (size_t)(dot - name) >= sizeof(s) || strlen(dot + 1) >= sizeof(t))
				continue;
			snprintf(s, sizeof(s), "%.*s", (int)(dot - name), name);
			snprintf(t, sizeof(t), "%s", dot + 1);
			rc = clxs_sql_appendf(&b, err, i == lo ? "SELECT count(*) AS n FROM %Q" : " UNION ALL SELECT count(*) AS n FROM %Q",
					      dst, s, t);
		}
		if (rc == CLXS_OK)
			rc = clxs_sql_appendf(&b, err, ") AS counts");
		clxs_ws_result r;
		memset(&r, 0, sizeof(r));
		if (rc == CLXS_OK && (rc = exec(ws, wh, &b, &r, err)) == CLXS_OK) {
			const char *v = r.nrows ? clxs_ws_result_cell(&r, 0, 0) : NULL;
			*rows += v ? strtoll(v, NULL, 10) : 0;
		}
		clxs_ws_result_free(&r);
	}
	clxs_buf_free(&b);
	return rc;
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

clxs_code clxs_audit_record_clone(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				  const clxs_audit_clone *c, json_object **summary, clxs_error *err)
{
	if (summary)
		*summary = NULL;
	char *user = NULL;
	clxs_code rc = clxs_ws_current_user(ws, &user, err);
	if (rc != CLXS_OK)
		return rc;
	json_object *res = c->result;
	/* The tables the clone wrote, and how many the source had. */
	json_object *cloned = json_object_new_array();
	json_object *objs = json_object_object_get(res, "objects");
	for (size_t i = 0; objs && i < json_object_array_length(objs); i++) {
		json_object *o = json_object_array_get_idx(objs, i);
		if (!strcmp(clxs_json_str(o, "object_type", ""), "table") &&
		    !strcmp(clxs_json_str(o, "status", ""), "cloned"))
			json_object_array_add(cloned, json_object_new_string(clxs_json_str(o, "object", "")));
	}
	int64_t total_tables = 0;
	json_object *mt = json_object_object_get(c->model, "tables");
	for (size_t i = 0; mt && i < json_object_array_length(mt); i++) {
		const char *ty = clxs_json_str(json_object_array_get_idx(mt, i), "table_type", "");
		total_tables += strcasecmp(ty, "VIEW") != 0 && strcasecmp(ty, "MATERIALIZED_VIEW") != 0;
	}
	const char *dst = clxs_json_str(c->opts, "destination_catalog", "");
	/* Rows are counted where they landed. A clone that was rolled back, or
	 * whose tables cannot be read, records total_rows as NULL (unknown)
	 * rather than a made-up number, and the audit still goes in. */
	int64_t rows = 0;
	bool rows_known = !json_object_object_get(res, "auto_rollback");
	char rows_error[600] = "";
	if (rows_known && json_object_array_length(cloned) > 0) {
		clxs_error cerr;
		clxs_error_clear(&cerr);
		if (count_rows(ws, wh, dst, cloned, &rows, &cerr) != CLXS_OK) {
			rows_known = false;
			snprintf(rows_error, sizeof(rows_error), "%.500s", cerr.message);
		}
	}
	double secs = (double)(c->completed_ms - c->started_ms) / 1000.0;
	int64_t tables_cloned = clxs_json_int(res, "tables_cloned", 0);
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	char opid[37];
	clxs_uuid4(opid);

	json_object *common = json_object_new_object();
	clxs_json_set_str(common, "job_id", c->job_id);
	clxs_json_set_str(common, "origin", c->origin);
	static const char *const from_opts[] = {"source_catalog", "destination_catalog", "clone_type", "load_type"};
	for (size_t i = 0; i < 4; i++)
		json_object_object_add(common, from_opts[i], jstr(clxs_json_str(c->opts, from_opts[i], NULL)));
	clxs_json_set_str(common, "status", c->status);
	clxs_json_set_str(common, "user_name", user);
	ts(common, "started_at", c->started_ms);
	ts(common, "completed_at", c->completed_ms);
	json_object_object_add(common, "duration_seconds", json_object_new_double(secs));
	json_object_object_add(common, "error_message", jstr(c->error_message));

	json_object *run = NULL, *op = NULL, *met = NULL;
	json_object_deep_copy(common, &run, NULL);
	clxs_json_set_str(run, "job_type", "clone");
	clxs_json_set_str(run, "host", host);
	json_object_object_add(run, "log_lines", json_object_get(c->logs ? c->logs : NULL));
	json_object_object_add(run, "result_json", json_object_get(res));
	json_object_object_add(run, "config_json", json_object_get(c->opts));

	json_object_deep_copy(common, &op, NULL);
	clxs_json_set_str(op, "operation_id", opid);
	clxs_json_set_int(op, "total_tables", total_tables);
	clxs_json_set_int(op, "tables_cloned", tables_cloned);
	clxs_json_set_int(op, "tables_failed", clxs_json_int(res, "tables_failed", 0));
	clxs_json_set_int(op, "objects_failed", clxs_json_int(res, "objects_failed", 0));
	clxs_json_set_int(op, "objects_skipped", clxs_json_int(res, "objects_skipped", 0));
	clxs_json_set_int(op, "total_size_bytes", clxs_json_int(res, "total_size_bytes", 0));
	json_object_object_add(op, "total_rows", rows_known ? json_object_new_int64(rows) : NULL);
	clxs_json_set_int(op, "volume_files_copied", clxs_json_int(res, "volume_files_copied", 0));
	clxs_json_set_bool(op, "dry_run", clxs_json_bool(c->opts, "dry_run", false));
	json_object_object_add(op, "rollback_id", jstr(clxs_json_str(res, "rollback_id", NULL)));

	met = json_object_new_object();
	static const char *const met_from[] = {"job_id", "source_catalog", "destination_catalog", "clone_type", "user_name",
					       "duration_seconds"};
	for (size_t i = 0; i < sizeof(met_from) / sizeof(met_from[0]); i++)
		json_object_object_add(met, met_from[i], json_object_get(json_object_object_get(common, met_from[i])));
	ts(met, "recorded_at", c->completed_ms);
	clxs_json_set_int(met, "total_tables", total_tables);
	clxs_json_set_int(met, "tables_cloned", tables_cloned);
	clxs_json_set_int(met, "tables_failed", clxs_json_int(res, "tables_failed", 0));
	clxs_json_set_int(met, "total_size_bytes", clxs_json_int(res, "total_size_bytes", 0));
	clxs_json_set_int(met, "bytes_copied", clxs_json_int(res, "bytes_copied", 0));
	json_object_object_add(met, "total_rows", rows_known ? json_object_new_int64(rows) : NULL);
	json_object_object_add(met, "tables_per_second",
			       json_object_new_double(secs > 0 ? (double)tables_cloned / secs : 0.0));
	clxs_json_set_int(met, "statements", clxs_json_int(res, "statements_total", 0));
	clxs_json_set_int(met, "requests", clxs_json_int(res, "requests", 0));
	clxs_json_set_int(met, "retries", clxs_json_int(res, "retries", 0));
	clxs_json_set_int(met, "metadata_queries", clxs_json_int(c->model, "metadata_queries", 0));

	rc = insert_row(ws, wh, loc, &tables[RUN_LOGS], run, err);
	if (rc == CLXS_OK)
		rc = insert_row(ws, wh, loc, &tables[OPERATIONS], op, err);
	if (rc == CLXS_OK)
		rc = insert_row(ws, wh, loc, &tables[METRICS], met, err);
	if (rc == CLXS_OK && summary) {
		json_object *s = json_object_new_object();
		clxs_json_set_str(s, "user_name", user);
		clxs_json_set_str(s, "operation_id", opid);
		clxs_json_set_int(s, "total_tables", total_tables);
		clxs_json_set_int(s, "tables_cloned", tables_cloned);
		clxs_json_set_int(s, "total_size_bytes", clxs_json_int(res, "total_size_bytes", 0));
		json_object_object_add(s, "total_rows", rows_known ? json_object_new_int64(rows) : NULL);
		if (rows_error[0])
			clxs_json_set_str(s, "rows_error", rows_error);
		json_object *where = json_object_new_array();
		char name[800];
		for (int i = 0; i < 3; i++) {
			fqn(loc, &tables[i], name, sizeof(name));
			json_object_array_add(where, json_object_new_string(name));
		}
		json_object_object_add(s, "tables", where);
		*summary = s;
	}
	json_object_put(common);
	json_object_put(run);
	json_object_put(op);
	json_object_put(met);
	json_object_put(cloned);
	free(user);
	return rc;
}

clxs_code clxs_audit_record_rollback(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				     json_object *record, const char *job_id, clxs_error *err)
{
	char *user = NULL;
	clxs_code rc = clxs_ws_current_user(ws, &user, err);
	if (rc != CLXS_OK)
		return rc;
	const char *id = clxs_json_str(record, "rollback_id", "");
	char file[300];
	clxs_audit_log_file_name(id, file, sizeof(file));
	json_object *row = json_object_new_object();
	clxs_json_set_str(row, "rollback_id", id);
	clxs_json_set_str(row, "log_file", file);
	json_object_object_add(row, "job_id", jstr(job_id));
	clxs_json_set_str(row, "source_catalog", clxs_json_str(record, "source_catalog", ""));
	clxs_json_set_str(row, "destination_catalog", clxs_json_str(record, "destination_catalog", ""));
	int64_t created = 0;
	if (clxs_parse_iso8601(clxs_json_str(record, "created_at", ""), &created) != 0)
		created = clxs_now_ms();
	ts(row, "created_at", created);
	clxs_json_set_str(row, "user_name", user);
	/* Tables that existed are RESTOREd; a catalog the clone made is dropped. */
	clxs_json_set_str(row, "restore_mode", clxs_json_bool(record, "catalog_existed", true) ? "RESTORE" : "DROP_CATALOG");
	clxs_json_set_bool(row, "catalog_existed", clxs_json_bool(record, "catalog_existed", true));
	json_object *versions = json_object_object_get(json_object_object_get(record, "before"), "versions");
	json_object *tv = json_object_new_object();
	if (versions) {
		json_object_object_foreach(versions, k, v) {
			const char *vs = json_object_get_string(v);
			json_object_object_add(tv, k, json_object_new_int64(vs ? strtoll(vs, NULL, 10) : 0));
		}
	}
	json_object_object_add(row, "table_versions", tv);
	json_object_object_add(row, "record_json", json_object_get(record));
	rc = insert_row(ws, wh, loc, &tables[ROLLBACK_LOGS], row, err);
	json_object_put(row);
	free(user);
	return rc;
}

clxs_code clxs_audit_mark_rolled_back(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				      const char *rollback_id, json_object *report, clxs_error *err)
{
	json_object *o = json_object_new_object();
	ts(o, "at", clxs_now_ms());
	bool ok = report && clxs_json_int(report, "actions_failed", 0) == 0;
	clxs_buf b;
	clxs_buf_init(&b);
	const table *t = &tables[ROLLBACK_LOGS];
	clxs_code rc = clxs_sql_appendf(&b, err,
					"UPDATE %Q SET rolled_back_at = CAST(%L AS TIMESTAMP), rollback_status = %L, "
					"rollback_report = %L WHERE rollback_id = %L",
					loc->catalog, schema_of(loc, t), t->name, clxs_json_str(o, "at", ""),
					ok ? "completed" : "failed",
					report ? json_object_to_json_string_ext(report, JSON_C_TO_STRING_PLAIN) : NULL,
					rollback_id);
	if (rc == CLXS_OK)
		rc = exec(ws, wh, &b, NULL, err);
	clxs_buf_free(&b);
	json_object_put(o);
	return rc;
}

/* ---- reading ------------------------------------------------------------------ */

/* One result row as an object, values typed by the table's columns. */
static json_object *row_json(const table *t, clxs_ws_result *r, size_t row)
{
	json_object *o = json_object_new_object();
	for (const col *c = t->cols; c->name; c++) {
		int k = clxs_ws_result_col(r, c->name);
		if (k < 0)
			continue;
		const char *v = clxs_ws_result_cell(r, row, (size_t)k);
		json_object *jv = NULL;
		if (v) {
			switch (c->type) {
			case I: jv = json_object_new_int64(strtoll(v, NULL, 10)); break;
			case D: jv = json_object_new_double(strtod(v, NULL)); break;
			case B: jv = json_object_new_boolean(!strcasecmp(v, "true") || !strcmp(v, "1")); break;
			case J: jv = clxs_json_parse(v, strlen(v), NULL); break;
			default: jv = json_object_new_string(v);
			}
		}
		json_object_object_add(o, c->name, jv);
	}
	return o;
}

/* SELECT * FROM table [WHERE key = value] ORDER BY order DESC LIMIT n. A
 * missing table or catalog is an empty result. */
static clxs_code select_rows(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc, const table *t,
			     const char *key, const char *value, const char *order, int limit, json_object **out,
			     clxs_error *err)
{
	*out = NULL;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_appendf(&b, err, "SELECT * FROM %Q", loc->catalog, schema_of(loc, t), t->name);
	if (rc == CLXS_OK && key)
		rc = clxs_sql_appendf(&b, err, " WHERE %I = %L", key, value);
	if (rc == CLXS_OK)
		rc = clxs_sql_appendf(&b, err, " ORDER BY %I DESC LIMIT %d", order, limit);
	clxs_ws_result r;
	memset(&r, 0, sizeof(r));
	if (rc == CLXS_OK)
		rc = exec(ws, wh, &b, &r, err);
	clxs_buf_free(&b);
	if (missing(rc, err)) {
		clxs_ws_result_free(&r);
		clxs_error_clear(err);
		*out = json_object_new_array();
		return CLXS_OK;
	}
	if (rc == CLXS_OK) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < r.nrows; i++)
			json_object_array_add(a, row_json(t, &r, i));
		*out = a;
	}
	clxs_ws_result_free(&r);
	return rc;
}

clxs_code clxs_audit_list(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
			  const char *job_id, int limit, json_object **out, clxs_error *err)
{
	return select_rows(ws, wh, loc, &tables[OPERATIONS], job_id ? "job_id" : NULL, job_id, "completed_at",
			   limit > 0 ? limit : 100, out, err);
}

clxs_code clxs_audit_run_log(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
			     const char *job_id, json_object **out, clxs_error *err)
{
	json_object *rows = NULL;
	clxs_code rc = select_rows(ws, wh, loc, &tables[RUN_LOGS], "job_id", job_id, "completed_at", 1, &rows, err);
	*out = NULL;
	if (rc != CLXS_OK)
		return rc;
	if (json_object_array_length(rows) == 0) {
		json_object_put(rows);
		return clxs_fail(err, CLXS_ENOTFOUND, "job_id", "no run log for job '%.100s' in %s.%s.run_logs", job_id,
				 loc->catalog, loc->schema);
	}
	*out = json_object_get(json_object_array_get_idx(rows, 0));
	json_object_put(rows);
	return CLXS_OK;
}

clxs_code clxs_audit_rollback_logs(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				   json_object **out, clxs_error *err)
{
	json_object *rows = NULL;
	clxs_code rc = select_rows(ws, wh, loc, &tables[ROLLBACK_LOGS], NULL, NULL, "created_at", 1000, &rows, err);
	*out = NULL;
	if (rc != CLXS_OK)
		return rc;
	json_object *a = json_object_new_array();
	static const char *const keep[] = {"rollback_id", "log_file", "job_id", "source_catalog", "destination_catalog",
					   "table_versions", "restore_mode", "user_name", "rolled_back_at",
					   "rollback_status"};
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		json_object *r = json_object_array_get_idx(rows, i), *o = json_object_new_object();
		for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
			json_object_object_add(o, keep[k], json_object_get(json_object_object_get(r, keep[k])));
			if (!strcmp(keep[k], "restore_mode"))
				json_object_object_add(o, "timestamp", json_object_get(json_object_object_get(r, "created_at")));
		}
		json_object_array_add(a, o);
	}
	json_object_put(rows);
	*out = a;
	return CLXS_OK;
}

clxs_code clxs_audit_rollback_record(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				     const char *rollback_id, json_object **record, clxs_error *err)
{
	json_object *rows = NULL;
	*record = NULL;
	clxs_code rc = select_rows(ws, wh, loc, &tables[ROLLBACK_LOGS], "rollback_id", rollback_id, "created_at", 1,
				   &rows, err);
	if (rc != CLXS_OK)
		return rc;
	json_object *rec = json_object_object_get(json_object_array_get_idx(rows, 0), "record_json");
	if (!json_object_is_type(rec, json_type_object)) {
		json_object_put(rows);
		return clxs_fail(err, CLXS_ENOTFOUND, "log_file", "no rollback log '%.100s'", rollback_id);
	}
	*record = json_object_get(rec);
	json_object_put(rows);
	return CLXS_OK;
}

clxs_code clxs_audit_describe(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
			      json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_ws_result r;
	memset(&r, 0, sizeof(r));
	/* One query over the audit catalog's information_schema. */
	clxs_code rc = clxs_sql_appendf(&b, err,
					"SELECT table_schema, table_name, column_name, data_type FROM %Q "
					"WHERE table_schema = %L OR table_schema = %L ORDER BY table_schema, table_name, "
					"ordinal_position",
					loc->catalog, "information_schema", "columns", loc->schema, "metrics");
	if (rc == CLXS_OK)
		rc = exec(ws, wh, &b, &r, err);
	clxs_buf_free(&b);
	bool have = rc == CLXS_OK;
	if (missing(rc, err)) { /* no audit catalog yet: every table is missing */
		clxs_error_clear(err);
		rc = CLXS_OK;
	}
	if (rc != CLXS_OK) {
		clxs_ws_result_free(&r);
		return rc;
	}
	json_object *o = json_object_new_object(), *list = json_object_new_array();
	clxs_json_set_str(o, "catalog", loc->catalog);
	clxs_json_set_str(o, "schema", loc->schema);
	for (int i = 0; i < NTABLES; i++) {
		const table *t = &tables[i];
		json_object *e = json_object_new_object(), *cols = json_object_new_array();
		char name[800];
		fqn(loc, t, name, sizeof(name));
		clxs_json_set_str(e, "table", name);
		for (size_t k = 0; have && k < r.nrows; k++) {
			const char *s = clxs_ws_result_cell(&r, k, 0), *tn = clxs_ws_result_cell(&r, k, 1);
			if (!s || !tn || strcmp(s, schema_of(loc, t)) != 0 || strcmp(tn, t->name) != 0)
				continue;
			json_object *c = json_object_new_object();
			clxs_json_set_str(c, "name", clxs_ws_result_cell(&r, k, 2));
			clxs_json_set_str(c, "type", clxs_ws_result_cell(&r, k, 3));
			json_object_array_add(cols, c);
		}
		clxs_json_set_bool(e, "exists", json_object_array_length(cols) > 0);
		json_object_object_add(e, "columns", cols);
		json_object_object_add(e, "expected_columns", columns_json(t));
		json_object_array_add(list, e);
	}
	clxs_ws_result_free(&r);
	json_object_object_add(o, "tables", list);
	*out = o;
	return CLXS_OK;
}
