/* Metastore changes and governance objects above the storage core
 * (clxs/lakehouse_store.h), used by the SQL front end and meant to be
 * shared with the REST service:
 *
 *   - table changes the core has no call for: ADD/DROP CONSTRAINT, column
 *     comments, CONVERT TO DELTA (src/lakehouse/lh_alter.c);
 *   - governance tables: tags on every securable and column, row filters
 *     and column masks (src/lakehouse/gov_*.c). Volumes, functions and
 *     grants live in the tables the REST service defined (lh_volumes,
 *     lh_functions, lh_grants; same DDL, created by whichever side runs
 *     first).
 *
 * Same conventions as the core: every call is one transaction (a savepoint
 * inside an open one), errors carry a Databricks error class in
 * err->detail. Names are (catalog, schema, name) triples, case-insensitive. */
#ifndef CLXS_LAKEHOUSE_GOV_H
#define CLXS_LAKEHOUSE_GOV_H

#include <json-c/json.h>
#include <stdbool.h>

#include "clxs/error.h"
#include "clxs/lakehouse_store.h"

/* ---- table changes (lh_alter.c) ----------------------------------------------- */

/* ALTER TABLE t ADD CONSTRAINT: a CHECK is verified against the current rows
 * (DELTA_NEW_CHECK_CONSTRAINT_VIOLATION) and commits an ADD CONSTRAINT
 * version; PRIMARY/FOREIGN KEY constraints are informational metadata. */
clxs_code clxs_lh_constraint_add(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_constraint *k,
				 clxs_error *err);
clxs_code clxs_lh_constraint_drop(clxs_lh *lh, const clxs_lh_name *t, const char *name,
				  bool if_exists, clxs_error *err);
/* ALTER TABLE t ALTER COLUMN c COMMENT '...' (NULL removes it); a CHANGE
 * COLUMN version on Delta tables. */
clxs_code clxs_lh_column_comment(clxs_lh *lh, const clxs_lh_name *t, const char *column,
				 const char *comment, clxs_error *err);
/* CONVERT TO DELTA: a table kept as another format becomes DELTA with a
 * CONVERT version; a Delta table is left as it is. */
clxs_code clxs_lh_convert_to_delta(clxs_lh *lh, const clxs_lh_name *t, clxs_error *err);

/* ---- governance tables (gov_schema.c) -------------------------------------------- */

/* Create the governance tables when missing (idempotent, cheap). */
clxs_code clxs_lh_gov_init(clxs_lh *lh, clxs_error *err);

typedef enum {
	CLXS_LH_SEC_CATALOG = 0,
	CLXS_LH_SEC_SCHEMA,
	CLXS_LH_SEC_TABLE,     /* tables and views */
	CLXS_LH_SEC_VOLUME,
	CLXS_LH_SEC_FUNCTION,
} clxs_lh_sec_kind;

const char *clxs_lh_sec_kind_name(clxs_lh_sec_kind k);   /* "CATALOG", ... */

/* A resolved securable: kind, metastore row id and lowercased names (for a
 * catalog only catalog is set; for a schema catalog and schema). */
typedef struct {
	clxs_lh_sec_kind kind;
	int64_t id;
	char catalog[256], schema[256], name[256];
} clxs_lh_sec;

/* Resolve n (name->catalog / schema / name as the kind needs). */
clxs_code clxs_lh_sec_resolve(clxs_lh *lh, clxs_lh_sec_kind kind, const clxs_lh_name *n,
			      clxs_lh_sec *out, clxs_error *err);

/* Grants (lh_grants). Privileges are upper-case Databricks names. */
clxs_code clxs_lh_grant(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			const char *const *privileges, size_t n, bool revoke, clxs_error *err);
/* [{"principal","privilege","object_type","object_key"}] of the securable
 * (principal optional). */
clxs_code clxs_lh_grants_list(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			      json_object **out, clxs_error *err);
/* Change the owner of a volume or function (catalogs, schemas and tables go
 * through the core's update calls). */
clxs_code clxs_lh_sec_set_owner(clxs_lh *lh, const clxs_lh_sec *s, const char *owner,
				clxs_error *err);
clxs_code clxs_lh_sec_set_comment(clxs_lh *lh, const clxs_lh_sec *s, const char *comment,
				  clxs_error *err);

/* Tags (lh_tags): column NULL for the securable itself. set is an object of
 * string values; unset an array of keys. */
clxs_code clxs_lh_tags_set(clxs_lh *lh, const clxs_lh_sec *s, const char *column,
			   json_object *set, clxs_error *err);
clxs_code clxs_lh_tags_unset(clxs_lh *lh, const clxs_lh_sec *s, const char *column,
			     json_object *keys, clxs_error *err);

/* Row filters and column masks (one filter per table, one mask per column).
 * function is a three-part name; columns are the function's arguments. */
clxs_code clxs_lh_row_filter_set(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_name *function,
				 json_object *columns, clxs_error *err);
clxs_code clxs_lh_row_filter_drop(clxs_lh *lh, const clxs_lh_name *t, clxs_error *err);
clxs_code clxs_lh_column_mask_set(clxs_lh *lh, const clxs_lh_name *t, const char *column,
				  const clxs_lh_name *function, json_object *using_columns,
				  clxs_error *err);
clxs_code clxs_lh_column_mask_drop(clxs_lh *lh, const clxs_lh_name *t, const char *column,
				   clxs_error *err);

/* SQL functions (lh_functions): info is a Unity Catalog FunctionInfo
 * (input_params.parameters, data_type, full_data_type, routine_definition,
 * comment ...). */
clxs_code clxs_lh_function_create(clxs_lh *lh, const clxs_lh_name *f, json_object *info,
				  bool or_replace, bool if_not_exists, clxs_error *err);
clxs_code clxs_lh_function_drop(clxs_lh *lh, const clxs_lh_name *f, bool if_exists,
				clxs_error *err);
/* The stored info ({} shape as above) or CLXS_ENOTFOUND / ROUTINE_NOT_FOUND. */
clxs_code clxs_lh_function_get(clxs_lh *lh, const clxs_lh_name *f, json_object **out,
			       clxs_error *err);

/* Volumes (lh_volumes): volume_type MANAGED or EXTERNAL. */
clxs_code clxs_lh_volume_create(clxs_lh *lh, const clxs_lh_name *v, bool external,
				const char *location, const char *comment, bool if_not_exists,
				clxs_error *err);
clxs_code clxs_lh_volume_drop(clxs_lh *lh, const clxs_lh_name *v, bool if_exists,
			      clxs_error *err);

#endif
