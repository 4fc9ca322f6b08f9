/* Clone snapshots and the convert-to-Delta audit trail: Delta tables in the
 * audit catalog (config audit_trail.catalog / .schema, default
 * clone_audit.logs), created on first write. Writes are single INSERT
 * statements, so a failed write leaves nothing half-written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/config.h"
#include "clxs/util.h"
#include "mg_audit.h"

void mg_audit_location(clxs_mg_ctx *c, const char **catalog, const char **schema)
{
	const char *cat = c->config ? clxs_config_str(c->config, "audit_trail.catalog") : NULL;
	const char *sch = c->config ? clxs_config_str(c->config, "audit_trail.schema") : NULL;
	*catalog = cat && *cat ? cat : "clone_audit";
	*schema = sch && *sch ? sch : "logs";
}

static const char *const tables[][2] = {
	{"clone_snapshots",
	 "snapshot_id STRING NOT NULL, name STRING, source_catalog STRING, description STRING,"
	 " captured_at STRING, created_by STRING, table_count BIGINT, total_bytes BIGINT, tables_json STRING"},
	{"convert_operations",
	 "operation_id STRING NOT NULL, fqn STRING, source_format STRING, status STRING, started_at STRING,"
	 " completed_at STRING, duration_ms BIGINT, user_name STRING, host STRING, dry_run BOOLEAN,"
	 " trigger STRING, error_message STRING, recorded_at STRING"},
};

clxs_code mg_audit_ensure(clxs_mg_ctx *c, const char *table, clxs_error *err)
{
	const char *cat, *sch, *cols = NULL;
	mg_audit_location(c, &cat, &sch);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (!strcmp(tables[i][0], table))
			cols = tables[i][1];
	if (!cols)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "unknown audit table %s", table);
	clxs_ws_result r = {0};
	clxs_code rc = mg_sql(c, &r, err, "CREATE CATALOG IF NOT EXISTS %I", cat);
	clxs_ws_result_free(&r);
	if (!rc)
		rc = mg_sql(c, &r, err, "CREATE SCHEMA IF NOT EXISTS %Q", cat, sch, NULL);
	clxs_ws_result_free(&r);
	/* cols is a literal of this file. */
	if (!rc)
		rc = mg_sql(c, &r, err, "CREATE TABLE IF NOT EXISTS %Q (%K) COMMENT %L", cat, sch, table, cols,
			    "Clone-Xs audit table");
	clxs_ws_result_free(&r);
	return rc;
}

bool mg_audit_missing(const clxs_error *err)
{
	return strstr(err->detail, "NOT_FOUND") || strstr(err->message, "NOT_FOUND") ||
	       strstr(err->message, "not found") || strstr(err->message, "does not exist") ||
	       strstr(err->detail, "NO_SUCH");
}
