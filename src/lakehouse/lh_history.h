/* Query history of the embedded lakehouse (src/lakehouse/lh_history.c):
 * every statement the Statement Execution service runs is recorded in
 * lakehouse.db (lh_query_history) with the tables and columns it read or
 * wrote (lh_query_refs). SQL sees them as system.query.history,
 * system.access.table_lineage and system.access.column_lineage
 * (sql_systables.c). Not a public header. */
#ifndef CLXS_LH_HISTORY_H
#define CLXS_LH_HISTORY_H

#include <stdint.h>

#include "clxs/error.h"
#include "clxs/lakehouse.h"

/* Retention: the newest LH_HISTORY_MAX statements of the last
 * LH_HISTORY_DAYS days are kept. */
#define LH_HISTORY_MAX 100000
#define LH_HISTORY_DAYS 30

typedef struct {
	const char *statement_id, *text, *user;
	const char *catalog, *schema;   /* the statement's defaults, may be NULL */
	const char *status;             /* FINISHED, FAILED or CANCELED */
	const char *error_message;      /* may be NULL */
	int64_t start_ms, end_ms, produced_rows;
} clxs_lh_history_entry;

/* Record one finished statement. References are resolved against the
 * metastore as it is after the statement, and only for FINISHED ones. */
clxs_code clxs_lh_history_record(clxs_lh *lh, const clxs_lh_history_entry *e, clxs_error *err);

#endif
