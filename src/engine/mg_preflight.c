/* Pre-flight checks before a clone: can we reach the workspace and its
 * warehouse, does the source exist and can we read it, does the
 * destination exist, and (check_write) can we write where the clone will
 * write. The write probe creates and drops an uniquely named schema in the
 * destination (or, when the destination does not exist yet, an uniquely
 * named catalog), exactly the kind of object a clone creates first. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/util.h"
#include "mg_internal.h"

static void check(json_object *checks, const char *name, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void check(json_object *checks, const char *name, const char *status, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "name", name);
	clxs_json_set_str(o, "status", status);
	clxs_json_set_str(o, "message", msg);
	json_object_array_add(checks, o);
}

/* Create and drop a probe object; the drop is attempted whatever happened. */
static void write_probe(clxs_mg_ctx *c, json_object *checks, const char *dst, bool dst_exists)
{
	char id[13], name[64];
	clxs_error e;
	if (clxs_id_hex(id, 12)) {
		check(checks, "destination_write", "fail", "cannot generate a probe name");
		return;
	}
	snprintf(name, sizeof(name), "clxs_preflight_%s", id);
	clxs_ws_result r = {0};
	clxs_code rc = dst_exists ? mg_sql(c, &r, &e, "CREATE SCHEMA %Q", dst, name, NULL)
				  : mg_sql(c, &r, &e, "CREATE CATALOG %I", name);
	clxs_ws_result_free(&r);
	if (rc) {
		check(checks, "destination_write", "fail", "cannot create a %s in %s: %s",
		      dst_exists ? "schema" : "catalog", dst_exists ? dst : "the metastore", e.message);
		return;
	}
	clxs_error e2;
	clxs_ws_result r2 = {0};
	clxs_code drc = dst_exists ? mg_sql(c, &r2, &e2, "DROP SCHEMA %Q CASCADE", dst, name, NULL)
				   : mg_sql(c, &r2, &e2, "DROP CATALOG %I CASCADE", name);
	clxs_ws_result_free(&r2);
	if (drc)
		check(checks, "destination_write", "warn", "write works, but the probe %s '%s' could not be dropped: %s",
		      dst_exists ? "schema" : "catalog", name, e2.message);
	else if (dst_exists)
		check(checks, "destination_write", "pass", "created and dropped a probe schema in %s", dst);
	else
		check(checks, "destination_write", "pass",
		      "%s does not exist; created and dropped a probe catalog, so the clone can create it", dst);
}

clxs_code clxs_mg_preflight(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	(void)err;
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	json_object *checks = json_object_new_array();
	clxs_error e;
	bool reachable = false, src_ok = false, dst_exists = false;

	char *me = NULL;
	if (clxs_ws_current_user(c->ws, &me, &e) == CLXS_OK) {
		check(checks, "connectivity", "pass", "connected as %s", me ? me : "?");
		reachable = true;
	} else {
		check(checks, "connectivity", "fail", "cannot reach the workspace: %s", e.message);
	}
	free(me);
	if (reachable) {
		clxs_ws_result r = {0};
		if (clxs_ws_sql(c->ws, c->warehouse_id, NULL, NULL, "SELECT 1", NULL, 0, NULL, &r, &e) == CLXS_OK)
			check(checks, "warehouse", "pass", "warehouse %s runs statements", c->warehouse_id ? c->warehouse_id : "");
		else {
			check(checks, "warehouse", "fail", "warehouse %s cannot run a statement: %s",
			      c->warehouse_id ? c->warehouse_id : "", e.message);
			reachable = false;
		}
		clxs_ws_result_free(&r);
	}
	if (reachable) {
		bool ex = false;
		if (mg_catalog_exists(c, src, &ex, &e))
			check(checks, "source_exists", "fail", "cannot list catalogs: %s", e.message);
		else if (!ex)
			check(checks, "source_exists", "fail", "source catalog %s does not exist", src);
		else {
			check(checks, "source_exists", "pass", "source catalog %s exists", src);
			src_ok = true;
		}
		if (src_ok) {
			clxs_ws_result r = {0};
			if (mg_sql(c, &r, &e, "SELECT count(*) AS n FROM %I.%K.%K", src, "information_schema", "tables"))
				check(checks, "source_read", "fail", "cannot read %s: %s", src, e.message);
			else
				check(checks, "source_read", "pass", "can read %s (%s tables and views)", src,
				      clxs_ws_result_cell(&r, 0, 0) ? clxs_ws_result_cell(&r, 0, 0) : "0");
			clxs_ws_result_free(&r);
		} else {
			check(checks, "source_read", "skipped", "the source catalog is not available");
		}
		if (mg_catalog_exists(c, dst, &dst_exists, &e))
			check(checks, "destination_exists", "fail", "cannot list catalogs: %s", e.message);
		else if (dst_exists)
			check(checks, "destination_exists", "pass", "destination catalog %s exists", dst);
		else
			check(checks, "destination_exists", "warn", "destination catalog %s does not exist; the clone creates it",
			      dst);
		if (!strcmp(src, dst))
			check(checks, "distinct_catalogs", "fail", "source and destination are the same catalog");
		if (clxs_json_bool(req, "check_write", true))
			write_probe(c, checks, dst, dst_exists);
		else
			check(checks, "destination_write", "skipped", "check_write is false");
	}
	int pass = 0, fail = 0, warn = 0;
	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		const char *st = clxs_json_str(json_object_array_get_idx(checks, i), "status", "");
		pass += !strcmp(st, "pass");
		fail += !strcmp(st, "fail");
		warn += !strcmp(st, "warn");
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "destination_catalog", dst);
	clxs_json_set_bool(o, "ready", fail == 0);
	clxs_json_set_int(o, "passed", pass);
	clxs_json_set_int(o, "failed", fail);
	clxs_json_set_int(o, "warnings", warn);
	json_object_object_add(o, "checks", checks);
	*out = o;
	return CLXS_OK;
}
