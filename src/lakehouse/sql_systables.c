/* Databricks system tables of the embedded lakehouse: system.query.history,
 * system.access.table_lineage and system.access.column_lineage, read-only
 * views over the query history that lh_history.c records. As with
 * information_schema, a reference becomes a subquery at translation time.
 * Column names follow Databricks' documentation; columns the lakehouse
 * cannot know (account, workspace, compute, byte counts) are left out
 * rather than filled with made-up values. */
#include "sql_internal.h"

#include <string.h>
#include <strings.h>

#define TS(x) "strftime('%Y-%m-%d %H:%M:%f', (" x ") / 1000.0, 'unixepoch')"
#define DAY(x) "strftime('%Y-%m-%d', (" x ") / 1000.0, 'unixepoch')"

typedef struct {
	const char *name, *type, *expr;
} syscol;

#define C(n, t, e) {n, t, e}
#define END {NULL, NULL, NULL}

static const syscol history_cols[] = {
	C("statement_id", "STRING", "h.statement_id"),
	C("executed_by", "STRING", "h.executed_by"),
	C("execution_status", "STRING", "h.execution_status"),
	C("statement_text", "STRING", "h.statement_text"),
	C("statement_type", "STRING", "h.statement_type"),
	C("error_message", "STRING", "h.error_message"),
	C("client_application", "STRING", "'clxs-lakehouse'"),
	C("start_time", "TIMESTAMP", TS("h.start_ms")),
	C("end_time", "TIMESTAMP", TS("h.end_ms")),
	C("update_time", "TIMESTAMP", TS("h.end_ms")),
	C("total_duration_ms", "BIGINT", "h.end_ms - h.start_ms"),
	C("produced_rows", "BIGINT", "h.produced_rows"),
	END};

/* A READ reference is a source; its statement's first WRITE table (if any)
 * the target. A WRITE reference of a statement that read nothing is a row
 * with a target only. */
#define FIRST_WRITE(col) \
	"(SELECT w." col " FROM lh_query_refs w WHERE w.hist_seq = r.hist_seq AND w.access = 'WRITE'" \
	" AND w.column_name = '' ORDER BY w.rowid LIMIT 1)"
#define FULL(a, b, c) "CASE WHEN " a " IS NULL THEN NULL ELSE " a " || '.' || " b " || '.' || " c " END"
#define RD "r.access = 'READ'"
#define SRC(col) "CASE WHEN " RD " THEN r." col " END"
#define TGT(col) "CASE WHEN " RD " THEN " FIRST_WRITE(col) " ELSE r." col " END"

static const syscol table_lineage_cols[] = {
	C("source_table_full_name", "STRING", FULL(SRC("catalog_name"), SRC("schema_name"), SRC("table_name"))),
	C("source_table_catalog", "STRING", SRC("catalog_name")),
	C("source_table_schema", "STRING", SRC("schema_name")),
	C("source_table_name", "STRING", SRC("table_name")),
	C("source_type", "STRING", "CASE WHEN " RD " THEN 'TABLE' END"),
	C("target_table_full_name", "STRING", FULL(TGT("catalog_name"), TGT("schema_name"), TGT("table_name"))),
	C("target_table_catalog", "STRING", TGT("catalog_name")),
	C("target_table_schema", "STRING", TGT("schema_name")),
	C("target_table_name", "STRING", TGT("table_name")),
	C("target_type", "STRING", "CASE WHEN " TGT("table_name") " IS NOT NULL THEN 'TABLE' END"),
	C("entity_type", "STRING", "NULL"),
	C("statement_id", "STRING", "r.statement_id"),
	C("created_by", "STRING", "r.executed_by"),
	C("event_time", "TIMESTAMP", TS("r.event_ms")),
	C("event_date", "DATE", DAY("r.event_ms")),
	END};

static const syscol column_lineage_cols[] = {
	C("source_table_full_name", "STRING", FULL(SRC("catalog_name"), SRC("schema_name"), SRC("table_name"))),
	C("source_table_catalog", "STRING", SRC("catalog_name")),
	C("source_table_schema", "STRING", SRC("schema_name")),
	C("source_table_name", "STRING", SRC("table_name")),
	C("source_column_name", "STRING", SRC("column_name")),
	C("source_type", "STRING", "CASE WHEN " RD " THEN 'TABLE' END"),
	C("target_table_full_name", "STRING", FULL(TGT("catalog_name"), TGT("schema_name"), TGT("table_name"))),
	C("target_table_catalog", "STRING", TGT("catalog_name")),
	C("target_table_schema", "STRING", TGT("schema_name")),
	C("target_table_name", "STRING", TGT("table_name")),
	/* which target column a read column feeds is not known lexically */
	C("target_column_name", "STRING", "CASE WHEN " RD " THEN NULL ELSE r.column_name END"),
	C("target_type", "STRING", "CASE WHEN " TGT("table_name") " IS NOT NULL THEN 'TABLE' END"),
	C("statement_id", "STRING", "r.statement_id"),
	C("created_by", "STRING", "r.executed_by"),
	C("event_time", "TIMESTAMP", TS("r.event_ms")),
	C("event_date", "DATE", DAY("r.event_ms")),
	END};

typedef struct {
	const char *schema, *table, *from;
	const syscol *cols;
} sysview;

static const sysview views[] = {
	{"query", "history", "lh_query_history h", history_cols},
	{"access", "table_lineage",
	 "lh_query_refs r WHERE r.column_name = '' AND (" RD " OR NOT EXISTS (SELECT 1 FROM lh_query_refs x"
	 " WHERE x.hist_seq = r.hist_seq AND x.access = 'READ' AND x.column_name = ''))",
	 table_lineage_cols},
	{"access", "column_lineage", "lh_query_refs r WHERE r.column_name <> ''", column_lineage_cols},
};

int lhs_systables(lhs_ctx *c, const lhs_qname *q, clxs_buf *out, json_object **cols)
{
	*cols = NULL;
	if (q->n != 3 || strcasecmp(q->part[0], "system") != 0)
		return 0;
	const sysview *v = NULL;
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (!strcasecmp(views[i].schema, q->part[1]) && !strcasecmp(views[i].table, q->part[2]))
			v = &views[i];
	if (!v)
		return 0;
	json_object *a = json_object_new_array();
	if (!a) {
		clxs_fail(c->err, CLXS_ENOMEM, NULL, "out of memory");
		return -1;
	}
	clxs_buf_puts(out, "(SELECT ");
	for (size_t i = 0; v->cols[i].name; i++) {
		clxs_buf_puts(out, i ? ", " : "");
		clxs_buf_puts(out, v->cols[i].expr);
		clxs_buf_puts(out, " AS ");
		lhs_sqlite_ident(out, v->cols[i].name);
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "name", v->cols[i].name);
		clxs_json_set_str(o, "type_text", v->cols[i].type);
		json_object_array_add(a, o);
	}
	clxs_buf_puts(out, " FROM ");
	clxs_buf_puts(out, v->from);
	clxs_buf_puts(out, ")");
	*cols = a;
	return 1;
}
