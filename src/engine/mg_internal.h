/* Helpers shared by the management operations (src/engine/mg_*.c). */
#ifndef CLXS_MG_INTERNAL_H
#define CLXS_MG_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "clxs/buf.h"
#include "clxs/json.h"
#include "clxs/manage.h"
#include "clxs/sql.h"
#include "clxs/workspace.h"

/* Build a statement with clxs_sql_appendf's directives and run it; r must be
 * zeroed and is freed by the caller in every case. */
clxs_code mg_sql(clxs_mg_ctx *c, clxs_ws_result *r, clxs_error *err, const char *fmt, ...);
/* Same with named parameters. */
clxs_code mg_sqlp(clxs_mg_ctx *c, clxs_ws_result *r, const clxs_ws_param *p, size_t np, clxs_error *err,
		  const char *fmt, ...);
/* Run an already built statement (no result wanted). */
clxs_code mg_exec(clxs_mg_ctx *c, const char *sql, clxs_error *err);

/* Cell (row, column name) as a string or NULL. */
const char *mg_cell(const clxs_ws_result *r, size_t row, const char *col);
/* Row i as an object, values typed by the column types (numbers, booleans;
 * DECIMAL stays a string so no digit is lost). */
json_object *mg_row_object(const clxs_ws_result *r, size_t row);

/* Is schema left out by the request's exclude_schemas (information_schema
 * always is)? */
bool mg_excluded(json_object *req, const char *schema);

/* Tables and views of a catalog, one query each for tables and columns:
 *   {"s.t": {"schema", "name", "table_type", "format",
 *            "columns": [{"name", "type", "nullable", "position"}]}}
 * schema (may be NULL) restricts to one schema; excluded schemas of req
 * (may be NULL) are left out. A missing catalog is CLXS_ENOTFOUND naming
 * field. */
clxs_code mg_catalog_tables(clxs_mg_ctx *c, const char *catalog, const char *schema, json_object *req,
			    const char *field, json_object **out, clxs_error *err);
/* Does the catalog exist? */
clxs_code mg_catalog_exists(clxs_mg_ctx *c, const char *catalog, bool *exists, clxs_error *err);

/* The latest version of a table (DESCRIBE HISTORY ... LIMIT 1), -1 when unknown. */
clxs_code mg_table_version(clxs_mg_ctx *c, const char *cat, const char *schema, const char *name,
			   int64_t *version, clxs_error *err);
/* SELECT count(*) of a table. */
clxs_code mg_row_count(clxs_mg_ctx *c, const char *cat, const char *schema, const char *name, int64_t *n,
		       clxs_error *err);

/* A job's log line / stop check; no-ops outside jobs. */
void mg_log(clxs_mg_ctx *c, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
clxs_code mg_gate(clxs_mg_ctx *c);

/* Row filter and column mask statements that give the tables keys ("s.t")
 * of dst the security of the same tables of src (mg_sync.c). */
clxs_code mg_security_statements(clxs_mg_ctx *c, const char *src, const char *dst, json_object *keys,
				 void (*add)(void *ud, const char *key, clxs_buf *sql), void *ud, clxs_error *err);

/* "s.n" into buf. */
const char *mg_key(char *buf, size_t len, const char *schema, const char *name);
/* Split "a.b.c" (no quoting: names with dots need the array form) into at
 * most 3 parts; returns the number of parts, 0 when empty or more than 3. */
int mg_split_fqn(const char *fqn, char parts[3][256]);

/* Sorted copy of an object's keys as a JSON array. */
json_object *mg_sorted_keys(json_object *obj);
/* Append a string to an array. */
void mg_push(json_object *arr, const char *s);

#endif
