/* Internals shared by the lakehouse storage files; not a public header. */
#ifndef CLXS_LH_INTERNAL_H
#define CLXS_LH_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "clxs/json.h"
#include "clxs/lakehouse_store.h"

#define LH_NAME_MAX 255
/* How the physical data tables' rowid is addressed. They are plain rowid
 * tables (no INTEGER PRIMARY KEY, no index) so that SQLite's transfer
 * optimisation can copy them at raw speed; user columns may be called
 * "rowid" or "oid" but not "_rowid_", which would hide the rowid. */
#define LH_RID "_rowid_"
/* Above this many rowid ranges a snapshot joins a JSON range list instead
 * of chaining BETWEEN terms (SQLite's expression depth stays small). */
#define LH_MAX_OR_RANGES 32

struct clxs_lh {
	sqlite3 *db;
	char *path;
	char user[256];
	bool retention_check;
	int depth;              /* transaction nesting: 0 none, 1 BEGIN, >1 savepoints */
	clxs_lh_write *batch;   /* the open write batch, if any */
};

/* ---- growing string ---- */
typedef struct {
	char *p;
	size_t len, cap;
	bool oom;
} lh_sb;

void lh_sb_add(lh_sb *b, const char *s);
void lh_sb_addf(lh_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a double-quoted SQLite identifier, inner quotes doubled. */
void lh_sb_ident(lh_sb *b, const char *s);
/* The string (caller frees) or NULL with CLXS_ENOMEM in err. */
char *lh_sb_take(lh_sb *b, clxs_error *err);
void lh_sb_free(lh_sb *b);

/* ---- errors ---- */
/* Fail with a Databricks error class: message "[CLASS] text", detail CLASS. */
clxs_code lh_fail(clxs_error *err, clxs_code code, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Fail from the connection's last SQLite error. */
clxs_code lh_sqlfail(clxs_lh *lh, clxs_error *err, const char *what);

/* ---- transactions: nest with savepoints; writes take the lock up front ---- */
clxs_code lh_begin(clxs_lh *lh, bool write, clxs_error *err);
/* Commit when rc == CLXS_OK, else roll back; returns the final code. */
clxs_code lh_end(clxs_lh *lh, clxs_code rc, clxs_error *err);

/* ---- statements. types: 't' const char * (NULL binds NULL), 'i' int64_t,
 * 'd' double, 'n' NULL (no argument) ---- */
clxs_code lh_stmt(clxs_lh *lh, clxs_error *err, sqlite3_stmt **st, const char *sql,
		  const char *types, ...);
clxs_code lh_run(clxs_lh *lh, clxs_error *err, const char *sql, const char *types, ...);
/* First column of the first row; *found (optional) tells whether a row came. */
clxs_code lh_int(clxs_lh *lh, clxs_error *err, int64_t *out, bool *found, const char *sql,
		 const char *types, ...);
/* Run a statement of trusted SQL text, checking it is a single statement. */
clxs_code lh_exec_one(clxs_lh *lh, clxs_error *err, const char *sql, int64_t *changes);
char *lh_strdup(const char *s, clxs_error *err);
const char *lh_col_text(sqlite3_stmt *st, int i);

/* ---- names ---- */
/* Lowercase a UC name into out (LH_NAME_MAX + 1 bytes) after validating it. */
clxs_code lh_name_norm(const char *in, const char *what, char *out, clxs_error *err);
/* `a`.`b`.`c` with backticks doubled, for messages and history. */
void lh_fullname(char *out, size_t outsz, const char *c, const char *s, const char *t);

typedef struct {
	int64_t id, schema_id, catalog_id;
	char catalog[LH_NAME_MAX + 1], schema[LH_NAME_MAX + 1], name[LH_NAME_MAX + 1];
	char full[3 * (2 * LH_NAME_MAX + 3) + 3];
	char table_type[32];
	int64_t data_id;        /* own physical data table, 0 when none yet */
	int64_t created_at;
	bool is_view;
} lh_tbl;

clxs_code lh_catalog_id(clxs_lh *lh, const char *catalog, int64_t *id, clxs_error *err);
clxs_code lh_schema_id(clxs_lh *lh, const char *catalog, const char *schema, int64_t *id,
		       clxs_error *err);
/* Resolve a table; *found (optional) avoids the not-found error. */
clxs_code lh_tbl_resolve(clxs_lh *lh, const clxs_lh_name *n, lh_tbl *t, bool *found,
			   clxs_error *err);
/* Resolve the table an operation (VACUUM, RESTORE, ...) needs: a view fails
 * with EXPECT_TABLE_NOT_VIEW. */
clxs_code lh_tbl_resolve_table(clxs_lh *lh, const clxs_lh_name *n, const char *op, lh_tbl *t,
			       clxs_error *err);

/* ---- paged lists (lh_meta.c) ---- */
/* One row of a list as JSON; ctx is lh_list_page's. */
typedef clxs_code (*lh_row_fn)(clxs_lh *lh, sqlite3_stmt *st, void *ctx, json_object **out,
			       clxs_error *err);
/* {key: [row(...) for each row of st], "next_page_token"} with at most
 * max_results rows (0: all); st must select rows by name after the page
 * token, ordered by name, with a "name" in each row's JSON. what names the
 * list in an SQLite error. */
clxs_code lh_list_page(clxs_lh *lh, sqlite3_stmt *st, const char *key, const char *what,
		       int max_results, lh_row_fn row, void *ctx, json_object **out,
		       clxs_error *err);

/* ---- properties ---- */
/* Apply upd's property set/unset to a JSON text; returns the new text. */
clxs_code lh_props_apply(const char *old_json, const clxs_lh_update *upd, char **out,
			 clxs_error *err);
clxs_code lh_props_text(json_object *props, char **out, clxs_error *err);
json_object *lh_json_or_empty(const char *text, json_type type);

/* ---- columns ---- */
typedef struct {
	char *name, *type_text, *comment;
	bool nullable;
} lh_col;

typedef struct {
	lh_col *v;
	size_t n;
} lh_cols;

clxs_code lh_cols_load(clxs_lh *lh, int64_t table_id, lh_cols *c, clxs_error *err);
clxs_code lh_cols_from_json(json_object *arr, lh_cols *c, clxs_error *err);
json_object *lh_cols_json(const lh_cols *c);
void lh_cols_free(lh_cols *c);
/* Same column names (exactly) and types (in any case), in the same order. */
bool lh_cols_same(const lh_cols *a, const lh_cols *b);
/* Column list `"a","b"` (optionally with a table alias prefix). */
void lh_sb_collist(lh_sb *b, const lh_cols *c, const char *prefix);
const char *lh_type_affinity(const char *type_text);
const char *lh_type_name(const char *type_text);
/* Replace the table's column rows with c. */
clxs_code lh_cols_store(clxs_lh *lh, int64_t table_id, const lh_cols *c, clxs_error *err);

/* ---- Delta log and segments ---- */
typedef struct {
	int64_t id, physical_id, lo, hi, rows, bytes, copied_from;
	bool vacuumed;
} lh_seg;

typedef struct {
	lh_seg *v;
	size_t n, cap;
} lh_segs;

void lh_segs_free(lh_segs *s);
clxs_code lh_segs_push(lh_segs *s, const lh_seg *g, clxs_error *err);
/* Segments live at version (-1: the current state, including an open
 * batch's changes), ordered by physical table and rowid. */
clxs_code lh_live_segments(clxs_lh *lh, int64_t table_id, int64_t version, lh_segs *s,
			   clxs_error *err);
/* Latest committed version, -1 when the table has none. */
clxs_code lh_latest_version(clxs_lh *lh, int64_t table_id, int64_t *v, clxs_error *err);
/* Resolve `at` to a committed version with Databricks' errors. */
clxs_code lh_resolve_at(clxs_lh *lh, const lh_tbl *t, const clxs_lh_at *at, int64_t *version,
			clxs_error *err);
/* The columns of version v (from the log's schema). */
clxs_code lh_version_cols(clxs_lh *lh, int64_t table_id, int64_t v, lh_cols *c,
			  clxs_error *err);
/* Make sure the table has its own physical data table matching its
 * current columns; sets t->data_id. */
clxs_code lh_physical_ensure(clxs_lh *lh, lh_tbl *t, const lh_cols *c, clxs_error *err);
/* INSERT INTO the physical table (cols) <select_sql>: the rows become one
 * new segment. An empty result adds no segment (out->id == 0). */
clxs_code lh_segment_append(clxs_lh *lh, int64_t phys, const lh_cols *c, const char *select_sql,
			    int64_t copied_from, lh_seg *out, clxs_error *err);
/* INSERT INTO the physical table <insert_tail> ("(cols) SELECT ..." or
 * " SELECT * FROM ..."): the new rows are one contiguous, never reused
 * rowid range [*lo, *lo + *n - 1]. */
clxs_code lh_insert_rows(clxs_lh *lh, int64_t phys, const char *insert_tail, int64_t *lo,
			 int64_t *n, clxs_error *err);
/* Record an existing range [lo,hi] just inserted into phys as a segment. */
clxs_code lh_segment_record(clxs_lh *lh, int64_t phys, int64_t lo, int64_t hi, int64_t bytes,
			    int64_t copied_from, lh_seg *out, clxs_error *err);
clxs_code lh_ts_add(clxs_lh *lh, int64_t table_id, int64_t seg, int64_t version, clxs_error *err);
clxs_code lh_ts_remove(clxs_lh *lh, int64_t table_id, int64_t seg, int64_t version,
		       clxs_error *err);
/* Append version `version` to the log (timestamps strictly increase). */
clxs_code lh_commit_version(clxs_lh *lh, int64_t table_id, int64_t version, const char *op,
			    json_object *params, json_object *metrics, const lh_cols *schema,
			    clxs_error *err);
/* Subquery text over segments; fails when one was vacuumed. */
clxs_code lh_snapshot_build(clxs_lh *lh, const lh_tbl *t, const lh_segs *s, const lh_cols *c,
			    char **sql, clxs_error *err);
/* Drop physical tables no table owns or references any more. */
clxs_code lh_physical_gc(clxs_lh *lh, clxs_error *err);
/* Check CHECK and NOT NULL constraints over rows [lo,hi] of phys. */
clxs_code lh_check_rows(clxs_lh *lh, const lh_tbl *t, const lh_cols *c, int64_t phys,
			int64_t lo, int64_t hi, clxs_error *err);

/* String-valued map entries, as Delta keeps parameters and metrics. */
void lh_mset_int(json_object *o, const char *k, int64_t v);
void lh_mset_str(json_object *o, const char *k, const char *v);

/* Internal table creation inside an open transaction (also used by clone). */
typedef struct {
	const char *operation;      /* history entry to commit; NULL: the caller commits */
	json_object *op_params;     /* extra operationParameters (borrowed) */
	bool keep_segments;         /* replacing: keep the data (incremental deep clone) */
	bool allow_clone_type;      /* MANAGED_SHALLOW_CLONE allowed */
	int64_t clone_source_id;    /* 0: none */
	const char *clone_source_name;
	int64_t clone_source_version;
} lh_create_opts;

/* On success *next_version is the version the caller's commit must use
 * (0 for a new table; for a replaced one the removals are already recorded
 * at it). *existed tells that IF NOT EXISTS found the table. */
clxs_code lh_tbl_create_txn(clxs_lh *lh, const clxs_lh_table_spec *spec,
			      const lh_create_opts *opts, lh_tbl *out, bool *existed,
			      int64_t *next_version, clxs_error *err);
/* Remove a table's metastore rows (inside a transaction). */
clxs_code lh_tbl_drop_txn(clxs_lh *lh, const lh_tbl *t, clxs_error *err);

#endif
