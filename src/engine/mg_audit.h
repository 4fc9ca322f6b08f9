/* The audit catalog tables of the management operations (mg_audit.c). */
#ifndef CLXS_MG_AUDIT_H
#define CLXS_MG_AUDIT_H

#include "mg_internal.h"

/* Where: config audit_trail.catalog / .schema, default clone_audit.logs. */
void mg_audit_location(clxs_mg_ctx *c, const char **catalog, const char **schema);
/* CREATE CATALOG/SCHEMA/TABLE IF NOT EXISTS for "clone_snapshots" or
 * "convert_operations". */
clxs_code mg_audit_ensure(clxs_mg_ctx *c, const char *table, clxs_error *err);
/* Did a read fail because the table (or its catalog) does not exist yet? */
bool mg_audit_missing(const clxs_error *err);

#endif
