/* CONVERT TO DELTA of Parquet and Iceberg tables, in place. Destructive on
 * the source, so it is gated twice: the request validator refuses a
 * non-dry-run request without confirm_destructive, and this module checks
 * again before any statement, whoever called it. Each target is checked
 * against the catalog (its real table_type and data_source_format, not only
 * what the caller said): already-Delta, pipeline-owned, views and other
 * formats are skipped without a statement. A failed target fails alone
 * (partial results). Every target gets a row in
 * <audit>.convert_operations under one operation_id; the audit is best
 * effort and never stops the conversion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/util.h"
#include "mg_audit.h"

/* The catalog's view of one table: table_type and data_source_format. */
static clxs_code lookup(clxs_mg_ctx *c, char parts[3][256], char *type, char *format, bool *found, clxs_error *err)
{
	clxs_ws_result r = {0};
	clxs_ws_param p[2] = {{"s", parts[1], "STRING"}, {"t", parts[2], "STRING"}};
	clxs_code rc = mg_sqlp(c, &r, p, 2, err,
			       "SELECT table_type, data_source_format FROM %I.%K.%K WHERE table_schema = :s"
			       " AND table_name = :t", parts[0], "information_schema", "tables");
	*found = !rc && r.nrows > 0;
	if (*found) {
		snprintf(type, 64, "%s", mg_cell(&r, 0, "table_type") ? mg_cell(&r, 0, "table_type") : "");
		snprintf(format, 64, "%s", mg_cell(&r, 0, "data_source_format") ? mg_cell(&r, 0, "data_source_format") : "");
	}
	clxs_ws_result_free(&r);
	return rc;
}

static void audit_row(clxs_mg_ctx *c, bool *audit_ok, char *why, size_t whylen, const char *op_id, json_object *res, bool dry, const char *user,
		      const char *host, int64_t started, int64_t ended)
{
	if (!*audit_ok)
		return;
	const char *cat, *sch;
	mg_audit_location(c, &cat, &sch);
	char s[32], e[32], d[32];
	clxs_iso8601(started, s);
	clxs_iso8601(ended, e);
	snprintf(d, sizeof(d), "%lld", (long long)(ended - started));
	clxs_ws_param p[] = {{"op", op_id, "STRING"},
			     {"fqn", clxs_json_str(res, "fqn", ""), "STRING"},
			     {"fmt", clxs_json_str(res, "source_format", ""), "STRING"},
			     {"status", clxs_json_str(res, "status", ""), "STRING"},
			     {"s", s, "STRING"},
			     {"e", e, "STRING"},
			     {"d", d, "BIGINT"},
			     {"u", user, "STRING"},
			     {"h", host, "STRING"},
			     {"dry", dry ? "true" : "false", "BOOLEAN"},
			     {"err", clxs_json_str(res, "error", NULL), "STRING"}};
	clxs_ws_result r = {0};
	clxs_error err;
	if (mg_sqlp(c, &r, p, sizeof(p) / sizeof(p[0]), &err,
		    "INSERT INTO %Q VALUES (:op, :fqn, :fmt, :status, :s, :e, :d, :u, :h, :dry, 'manual', :err, :e)", cat,
		    sch, "convert_operations")) {
		mg_log(c, "warn", "convert audit row not written: %s", err.message);
		snprintf(why, whylen, "%s", err.message);
		*audit_ok = false;
	}
	clxs_ws_result_free(&r);
}

clxs_code clxs_mg_convert(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	bool dry = clxs_json_bool(req, "dry_run", false);
	/* The second gate: no destructive statement without the confirmation. */
	if (!dry && !clxs_json_bool(req, "confirm_destructive", false))
		return clxs_fail(err, CLXS_EVALIDATION, "confirm_destructive",
				 "confirm_destructive must be true to convert (or use dry_run)");
	json_object *targets = json_object_object_get(req, "targets"), *results = json_object_new_array();
	char op_id[37];
	if (clxs_uuid4(op_id)) {
		json_object_put(results);
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "cannot generate an operation id");
	}
	clxs_error ae;
	char why[600] = "";
	bool audit_ok = mg_audit_ensure(c, "convert_operations", &ae) == CLXS_OK;
	if (!audit_ok) {
		mg_log(c, "warn", "convert audit table unavailable: %s", ae.message);
		snprintf(why, sizeof(why), "%s", ae.message);
	}
	char *user = NULL;
	clxs_ws_current_user(c->ws, &user, NULL);
	const char *host = clxs_ws_client_config(c->ws)->host;
	int64_t converted = 0, failed = 0, skipped = 0;
	for (size_t i = 0; i < json_object_array_length(targets); i++) {
		json_object *t = json_object_array_get_idx(targets, i), *res = json_object_new_object();
		const char *fqn = clxs_json_str(t, "fqn", ""), *said = clxs_json_str(t, "source_format", "");
		int64_t started = clxs_now_ms();
		char parts[3][256], type[64] = "", fmt[64] = "";
		mg_split_fqn(fqn, parts);
		clxs_json_set_str(res, "fqn", fqn);
		clxs_json_set_str(res, "source_format", said);
		json_object_array_add(results, res);
		const char *status = NULL, *reason = NULL;
		char emsg[600] = "";
		bool found = false;
		clxs_error e;
		/* Declared Delta or an unsupported format: no warehouse call at all. */
		bool said_ok = !strcasecmp(said, "PARQUET") || !strcasecmp(said, "ICEBERG");
		clxs_code lrc = said_ok ? lookup(c, parts, type, fmt, &found, &e) : CLXS_OK;
		if (!strcasecmp(said, "DELTA"))
			status = "skipped", reason = "already Delta";
		else if (!said_ok)
			status = "skipped", reason = "unsupported source format";
		else if (lrc || !found)
			status = "failed", snprintf(emsg, sizeof(emsg), "%s", lrc ? e.message : "table not found");
		else if (!strcasecmp(type, "VIEW") || !strcasecmp(type, "MATERIALIZED_VIEW") ||
			 !strcasecmp(type, "STREAMING_TABLE"))
			status = "skipped", reason = !strcasecmp(type, "VIEW") ? "a view has no underlying files"
									    : "pipeline-owned table";
		else if (!strcasecmp(fmt, "DELTA"))
			status = "skipped", reason = "already Delta";
		else if (strcasecmp(fmt, "PARQUET") != 0 && strcasecmp(fmt, "ICEBERG") != 0)
			status = "skipped", reason = "unsupported source format";
		clxs_buf b;
		clxs_buf_init(&b);
		if (!status) {
			clxs_sql_appendf(&b, NULL, "CONVERT TO DELTA %Q", parts[0], parts[1], parts[2]);
			clxs_json_set_str(res, "sql", clxs_buf_str(&b));
			if (dry) {
				status = "dry_run";
			} else if (mg_exec(c, clxs_buf_str(&b), &e) == CLXS_OK) {
				status = "converted";
			} else {
				status = "failed";
				snprintf(emsg, sizeof(emsg), "%s", e.message);
			}
		}
		clxs_buf_free(&b);
		int64_t ended = clxs_now_ms();
		clxs_json_set_str(res, "status", status);
		clxs_json_set_int(res, "duration_ms", ended - started);
		clxs_json_set_str(res, "error", emsg[0] ? emsg : NULL);
		if (reason)
			clxs_json_set_str(res, "reason", reason);
		converted += !strcmp(status, "converted");
		failed += !strcmp(status, "failed");
		skipped += !strcmp(status, "skipped");
		audit_row(c, &audit_ok, why, sizeof(why), op_id, res, dry, user ? user : "", host ? host : "", started, ended);
	}
	free(user);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "operation_id", op_id);
	clxs_json_set_bool(o, "dry_run", dry);
	clxs_json_set_int(o, "total", (int64_t)json_object_array_length(results));
	clxs_json_set_int(o, "converted", converted);
	clxs_json_set_int(o, "failed", failed);
	clxs_json_set_int(o, "skipped", skipped);
	json_object_object_add(o, "results", results);
	/* Best effort, but never silent. */
	json_object *au = json_object_new_object();
	const char *acat, *asch;
	mg_audit_location(c, &acat, &asch);
	char where[600];
	snprintf(where, sizeof(where), "%s.%s.convert_operations", acat, asch);
	clxs_json_set_str(au, "table", where);
	clxs_json_set_bool(au, "written", audit_ok);
	if (!audit_ok)
		clxs_json_set_str(au, "error", why);
	json_object_object_add(o, "audit", au);
	*out = o;
	return CLXS_OK;
}

clxs_code clxs_mg_convert_history(clxs_mg_ctx *c, json_object *filters, json_object **out, clxs_error *err)
{
	const char *cat, *sch;
	mg_audit_location(c, &cat, &sch);
	int64_t limit = clxs_json_int(filters, "limit", 50);
	if (limit > 1000)
		limit = 1000; /* hard cap, whatever was asked */
	clxs_buf where;
	clxs_buf_init(&where);
	clxs_ws_param p[4];
	size_t np = 0;
	/* Each filter is a fixed fragment of this file with a bound parameter. */
	static const struct {
		const char *field, *frag, *type;
	} f[] = {{"status", "status = :status", "STRING"},
		 {"fqn_like", "fqn LIKE :fqn_like", "STRING"},
		 {"operation_id", "operation_id = :operation_id", "STRING"},
		 {"dry_run", "dry_run = :dry_run", "BOOLEAN"}};
	for (size_t i = 0; i < 4; i++) {
		json_object *v = json_object_object_get(filters, f[i].field);
		if (!v)
			continue;
		clxs_buf_puts(&where, np ? " AND " : " WHERE ");
		clxs_buf_puts(&where, f[i].frag);
		p[np++] = (clxs_ws_param){f[i].field, json_object_get_string(v), f[i].type};
	}
	clxs_ws_result r = {0};
	clxs_code rc = mg_sqlp(c, &r, p, np, err, "SELECT * FROM %Q%K ORDER BY recorded_at DESC LIMIT %lld", cat, sch,
			       "convert_operations", clxs_buf_str(&where), (long long)limit);
	clxs_buf_free(&where);
	if (rc && mg_audit_missing(err))
		rc = CLXS_OK; /* no convert ran yet */
	if (!rc) {
		json_object *rows = json_object_new_array();
		for (size_t i = 0; i < r.nrows; i++)
			json_object_array_add(rows, mg_row_object(&r, i));
		*out = json_object_new_object();
		json_object_object_add(*out, "rows", rows);
		clxs_json_set_int(*out, "count", (int64_t)r.nrows);
	}
	clxs_ws_result_free(&r);
	return rc;
}
