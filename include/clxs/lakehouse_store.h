/* Storage core of the embedded lakehouse: a Unity Catalog metastore and
 * Delta-like versioned tables kept in one SQLite database per data
 * directory. This is the layer below the SQL front end: it takes names,
 * column definitions and already-translated (trusted) SQLite SQL fragments,
 * never Databricks SQL. See docs/lakehouse-storage.md for the model.
 *
 * Threads and processes: a clxs_lh handle is one SQLite connection and must
 * be used by one thread at a time. Open one handle per thread or process;
 * any number of them may share a directory. Every mutating call is one
 * transaction (all or nothing); lock contention is waited out internally,
 * so "database is locked" never reaches the caller.
 *
 * Errors: every function returns CLXS_OK or a clxs_code and fills err.
 * Lakehouse errors carry a Databricks error class: err->detail holds the
 * class (e.g. "TABLE_OR_VIEW_NOT_FOUND") and err->message starts with it
 * in brackets, as Databricks prints it ("[TABLE_OR_VIEW_NOT_FOUND] ...").
 *
 * JSON results are new json-c objects owned by the caller (json_object_put).
 * History values (operationParameters, operationMetrics) are strings, as in
 * Delta's log. */
#ifndef CLXS_LAKEHOUSE_STORE_H
#define CLXS_LAKEHOUSE_STORE_H

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clxs/error.h"

typedef struct clxs_lh clxs_lh;

/* ---- handle --------------------------------------------------------------- */

/* Open (creating when missing) the lakehouse in directory dir; the database
 * file is dir/lakehouse.db. */
clxs_code clxs_lh_open(const char *dir, clxs_lh **out, clxs_error *err);
void clxs_lh_close(clxs_lh *lh);
/* The user recorded as owner/created_by and as history userName
 * (default "local-user"). */
void clxs_lh_set_user(clxs_lh *lh, const char *user);
/* spark.databricks.delta.retentionDurationCheck.enabled (default true). */
void clxs_lh_set_retention_check(clxs_lh *lh, bool enabled);
/* The connection, for the SQL front end to run the queries it builds from
 * clxs_lh_table_snapshot_sql(). Do not write metastore tables through it. */
sqlite3 *clxs_lh_db(clxs_lh *lh);

/* ---- names ----------------------------------------------------------------- */

/* A three-part name. Parts are case-insensitive and stored lowercased. */
typedef struct {
	const char *catalog;
	const char *schema;
	const char *name;
} clxs_lh_name;

/* Owner/comment/properties changes. NULL fields leave a value alone. */
typedef struct {
	const char *owner;
	bool set_comment;           /* with comment == NULL: remove it */
	const char *comment;
	json_object *set_properties;   /* object of string values, merged in */
	json_object *unset_properties; /* array of keys */
	bool unset_if_exists;          /* else unsetting a missing key fails */
} clxs_lh_update;

/* ---- catalogs and schemas --------------------------------------------------- */

typedef struct {
	const char *name;
	const char *owner;        /* NULL: the handle's user */
	const char *comment;
	const char *storage_root;
	json_object *properties;  /* object of strings or NULL */
} clxs_lh_container_spec;

/* Creating a catalog also creates its "default" schema, as Databricks does. */
clxs_code clxs_lh_catalog_create(clxs_lh *lh, const clxs_lh_container_spec *spec,
				 bool if_not_exists, clxs_error *err);
/* Without cascade a catalog holding anything beyond an empty "default"
 * schema is not dropped. */
clxs_code clxs_lh_catalog_drop(clxs_lh *lh, const char *name, bool if_exists,
			       bool cascade, clxs_error *err);
clxs_code clxs_lh_catalog_get(clxs_lh *lh, const char *name, json_object **out,
			      clxs_error *err);
/* {"catalogs": [...], "next_page_token": "..."} sorted by name; max_results
 * 0 means all; page_token is the previous answer's next_page_token. */
clxs_code clxs_lh_catalog_list(clxs_lh *lh, const char *page_token, int max_results,
			       json_object **out, clxs_error *err);
clxs_code clxs_lh_catalog_update(clxs_lh *lh, const char *name,
				 const clxs_lh_update *upd, clxs_error *err);

/* spec->name is the schema name; catalog names its catalog. */
clxs_code clxs_lh_schema_create(clxs_lh *lh, const char *catalog,
				const clxs_lh_container_spec *spec, bool if_not_exists,
				clxs_error *err);
clxs_code clxs_lh_schema_drop(clxs_lh *lh, const char *catalog, const char *name,
			      bool if_exists, bool cascade, clxs_error *err);
clxs_code clxs_lh_schema_get(clxs_lh *lh, const char *catalog, const char *name,
			     json_object **out, clxs_error *err);
clxs_code clxs_lh_schema_list(clxs_lh *lh, const char *catalog, const char *page_token,
			      int max_results, json_object **out, clxs_error *err);
clxs_code clxs_lh_schema_update(clxs_lh *lh, const char *catalog, const char *name,
				const clxs_lh_update *upd, clxs_error *err);

/* ---- tables ------------------------------------------------------------------ */

typedef struct {
	const char *name;       /* case kept; unique case-insensitively */
	const char *type_text;  /* as Databricks writes it: "BIGINT", "DECIMAL(10,2)" */
	bool nullable;
	const char *comment;
} clxs_lh_column;

typedef enum {
	CLXS_LH_CHECK = 0,
	CLXS_LH_PRIMARY_KEY,
	CLXS_LH_FOREIGN_KEY,
} clxs_lh_constraint_kind;

typedef struct {
	const char *name;
	clxs_lh_constraint_kind kind;
	/* CHECK: the expression as the user wrote it (shown back), and its
	 * SQLite translation over the table's columns (enforced on every
	 * write; NULL means the same text). A row violates it unless the
	 * expression is true (NULL violates, as in Delta). */
	const char *expression;
	const char *sqlite_expression;
	/* PRIMARY KEY / FOREIGN KEY (informational, as in Unity Catalog). */
	const char *const *columns;
	size_t ncolumns;
	clxs_lh_name ref_table;
	const char *const *ref_columns;
	size_t nref_columns;
} clxs_lh_constraint;

typedef struct {
	clxs_lh_name name;
	const char *table_type;          /* MANAGED (default), EXTERNAL, VIEW */
	const char *data_source_format;  /* DELTA (default), PARQUET, ... */
	const char *owner;               /* NULL: the handle's user */
	const char *comment;
	const char *storage_location;    /* NULL: a generated managed location */
	const clxs_lh_column *columns;
	size_t ncolumns;
	const char *const *partition_columns;
	size_t npartition_columns;
	json_object *properties;
	const clxs_lh_constraint *constraints;
	size_t nconstraints;
	const char *view_definition;     /* VIEW only */
	/* CTAS: trusted SQLite SELECT whose columns match `columns` in order;
	 * its rows become version 0 in the same transaction. */
	const char *as_select_sql;
	bool if_not_exists;
	bool or_replace;
} clxs_lh_table_spec;

clxs_code clxs_lh_table_create(clxs_lh *lh, const clxs_lh_table_spec *spec, clxs_error *err);
/* Dropping keeps data still referenced by shallow clones readable. */
clxs_code clxs_lh_table_drop(clxs_lh *lh, const clxs_lh_name *t, bool if_exists,
			     clxs_error *err);
/* TableInfo as Unity Catalog REST 2.1 shapes it (columns, constraints...). */
clxs_code clxs_lh_table_get(clxs_lh *lh, const clxs_lh_name *t, json_object **out,
			    clxs_error *err);
/* {"tables": [...], "next_page_token": ...}; t->name is ignored. */
clxs_code clxs_lh_table_list(clxs_lh *lh, const char *catalog, const char *schema,
			     const char *page_token, int max_results, json_object **out,
			     clxs_error *err);
/* Property and comment changes add a SET/UNSET TBLPROPERTIES version to
 * Delta tables; an owner change does not. */
clxs_code clxs_lh_table_update(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_update *upd,
			       clxs_error *err);

/* ---- reading: snapshots and time travel ------------------------------------- */

typedef enum {
	CLXS_LH_AT_LATEST = 0,
	CLXS_LH_AT_VERSION,
	CLXS_LH_AT_TIMESTAMP,   /* epoch ms: the last version committed at or before */
} clxs_lh_at_kind;

typedef struct {
	clxs_lh_at_kind kind;
	int64_t version;
	int64_t timestamp_ms;
} clxs_lh_at;

/* A parenthesised SQLite subquery producing the table's rows at `at`, e.g.
 * (SELECT "id","v" FROM "d_7" WHERE "_lh_rid" BETWEEN 1 AND 500), for the
 * front end to put where the table reference was. *sql is malloc'd.
 * columns_out (optional) receives the column array of that version.
 * Fails with DELTA_FILE_NOT_FOUND_DETAILED when the version's data was
 * vacuumed, DELTA_VERSION_NOT_FOUND / DELTA_TIMESTAMP_* for bad time travel. */
clxs_code clxs_lh_table_snapshot_sql(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_at *at,
				     char **sql, json_object **columns_out, clxs_error *err);

/* DESCRIBE HISTORY: array, latest first; limit 0 means all. */
clxs_code clxs_lh_table_history(clxs_lh *lh, const clxs_lh_name *t, int limit,
				json_object **out, clxs_error *err);
/* DESCRIBE DETAIL: one object (format, id, name, location, numFiles, ...). */
clxs_code clxs_lh_table_detail(clxs_lh *lh, const clxs_lh_name *t, json_object **out,
			       clxs_error *err);

/* ---- writing ---------------------------------------------------------------- */

/* A write batch: several steps committed as ONE version in ONE transaction
 * (MERGE = update + delete + append). Begin opens the write transaction;
 * each step is atomic on its own (a failed step leaves the batch as it was
 * before that step); commit writes the version, abort discards everything.
 * While a batch is open, other calls on the same handle see its changes. */
typedef struct clxs_lh_write clxs_lh_write;

clxs_code clxs_lh_write_begin(clxs_lh *lh, const clxs_lh_name *t, clxs_lh_write **out,
			      clxs_error *err);
/* Append the rows of a trusted SQLite SELECT (or VALUES) whose columns are
 * the table's, in order. One new segment. */
clxs_code clxs_lh_write_append(clxs_lh_write *w, const char *select_sql, int64_t *nrows,
			       clxs_error *err);
/* Delete rows where the trusted SQLite predicate over the table's columns is
 * true (NULL predicate: all rows). Only touched segments are rewritten. */
clxs_code clxs_lh_write_delete(clxs_lh_write *w, const char *where_sql, int64_t *nrows,
			       clxs_error *err);
/* Set columns[i] = exprs[i] (trusted SQLite expressions over the old row)
 * where the predicate is true (NULL: all rows). */
clxs_code clxs_lh_write_update(clxs_lh_write *w, const char *const *columns,
			       const char *const *exprs, size_t nset, const char *where_sql,
			       int64_t *nrows, clxs_error *err);
/* Remove every live segment (INSERT OVERWRITE, before the append). */
clxs_code clxs_lh_write_truncate(clxs_lh_write *w, clxs_error *err);
/* The batch's current state as a subquery (see clxs_lh_table_snapshot_sql). */
clxs_code clxs_lh_write_snapshot_sql(clxs_lh_write *w, char **sql, clxs_error *err);
/* Commit as one version. operation is the history name ("WRITE", "DELETE",
 * "UPDATE", "MERGE", ...); params (borrowed, may be NULL) becomes
 * operationParameters; metrics are derived from the steps. The batch is
 * freed whatever the result; *version (optional) receives the new version.
 * A batch with no step commits nothing and returns the current version. */
clxs_code clxs_lh_write_commit(clxs_lh_write *w, const char *operation, json_object *params,
			       int64_t *version, clxs_error *err);
void clxs_lh_write_abort(clxs_lh_write *w);

/* One-step conveniences (one version each). */
clxs_code clxs_lh_insert(clxs_lh *lh, const clxs_lh_name *t, const char *select_sql,
			 bool overwrite, int64_t *nrows, clxs_error *err);
clxs_code clxs_lh_delete(clxs_lh *lh, const clxs_lh_name *t, const char *where_sql,
			 int64_t *nrows, clxs_error *err);
clxs_code clxs_lh_update_rows(clxs_lh *lh, const clxs_lh_name *t, const char *const *columns,
			      const char *const *exprs, size_t nset, const char *where_sql,
			      int64_t *nrows, clxs_error *err);

/* ---- clone and maintenance --------------------------------------------------- */

typedef struct {
	clxs_lh_name source;
	clxs_lh_at at;
	clxs_lh_name target;
	bool shallow;
	bool or_replace;
	bool if_not_exists;
	json_object *properties;   /* TBLPROPERTIES for the clone, same commit */
	const char *comment;       /* NULL: the source's comment */
} clxs_lh_clone_spec;

/* CREATE [OR REPLACE] TABLE target [SHALLOW|DEEP] CLONE source. metrics_out
 * (optional) receives the CLONE version's operationMetrics. */
clxs_code clxs_lh_clone(clxs_lh *lh, const clxs_lh_clone_spec *spec, json_object **metrics_out,
			clxs_error *err);

/* RESTORE TABLE t TO VERSION|TIMESTAMP AS OF at. */
clxs_code clxs_lh_restore(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_at *at,
			  json_object **metrics_out, clxs_error *err);

/* VACUUM t [RETAIN hours HOURS] [DRY RUN]; retain_hours < 0 means the
 * default 168. out: {"numDeletedFiles", "files": ["segment-<id>", ...],
 * "dryRun"}. */
clxs_code clxs_lh_vacuum(clxs_lh *lh, const clxs_lh_name *t, double retain_hours, bool dry_run,
			 json_object **out, clxs_error *err);

/* OPTIMIZE t [ZORDER BY cols]: merges live segments into one. */
clxs_code clxs_lh_optimize(clxs_lh *lh, const clxs_lh_name *t, const char *const *zorder_cols,
			   size_t nzorder, json_object **metrics_out, clxs_error *err);

#endif
