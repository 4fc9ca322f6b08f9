/* Metastore changes and governance objects above the storage core
 * (clxs/lakehouse_store.h), shared by the SQL front end and the REST
 * service (src/lakehouse/svc_gov.c):
 *
 *   - table changes the core has no call for: ADD/DROP CONSTRAINT, column
 *     comments, CONVERT TO DELTA (src/lakehouse/lh_alter.c);
 *   - governance tables (src/lakehouse/gov_*.c, the one definition of
 *     them): volumes, functions, grants, tags on every securable and
 *     column, row filters and column masks. Where SQL and REST word
 *     things differently (validation, error messages, result shapes) each
 *     has its own call over the same statements.
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

/* Column changes (lh_evolve.c): ALTER TABLE ADD COLUMNS, ALTER COLUMN TYPE
 * (widening only), ALTER COLUMN SET|DROP NOT NULL, DROP COLUMNS (needs
 * delta.columnMapping.mode = 'name'). All changes of one statement are one
 * version (ADD COLUMNS, CHANGE COLUMN or DROP COLUMNS). */
typedef enum {
	CLXS_LH_COL_ADD,      /* name, type_text, nullable (must be true), comment */
	CLXS_LH_COL_TYPE,     /* name, type_text */
	CLXS_LH_COL_NULLABLE, /* name, nullable */
	CLXS_LH_COL_DROP,     /* name */
} clxs_lh_col_change_kind;

typedef struct {
	clxs_lh_col_change_kind kind;
	const char *name;
	const char *type_text;
	bool nullable;
	const char *comment;
} clxs_lh_col_change;

/* if_exists: DROP of a missing column is no error. */
clxs_code clxs_lh_columns_alter(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_col_change *changes,
				size_t n, bool if_exists, clxs_error *err);

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

/* "catalog", "SCHEMA", ... (any case). */
bool clxs_lh_sec_kind_parse(const char *s, clxs_lh_sec_kind *out);

/* A resolved securable: kind, metastore row id, its parents' ids and
 * lowercased names (for a catalog only catalog is set; for a schema catalog
 * and schema; schema_id is 0 for a catalog). */
typedef struct {
	clxs_lh_sec_kind kind;
	int64_t id, catalog_id, schema_id;
	char catalog[256], schema[256], name[256];
} clxs_lh_sec;

/* Resolve n (name->catalog / schema / name as the kind needs). found
 * (optional) works as in the core's table lookup: a missing table, volume or
 * function sets it false instead of failing (missing parents still fail). */
clxs_code clxs_lh_sec_resolve(clxs_lh *lh, clxs_lh_sec_kind kind, const clxs_lh_name *n,
			      clxs_lh_sec *out, bool *found, clxs_error *err);
/* Id of the volume or function called name (already lowercased) in a schema;
 * *found tells whether there is one. */
clxs_code clxs_lh_object_id(clxs_lh *lh, clxs_lh_sec_kind kind, int64_t schema_id,
			    const char *name, int64_t *id, bool *found, clxs_error *err);

/* Grants (lh_grants, src/lakehouse/gov_grants.c). Privileges are upper-case
 * Databricks names. SQL form: GRANT/REVOKE of any known privilege ("ALL"
 * means ALL_PRIVILEGES). */
clxs_code clxs_lh_grant(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			const char *const *privileges, size_t n, bool revoke, clxs_error *err);
/* [{"principal","privilege","object_type","object_key"}] of the securable
 * (principal optional). */
clxs_code clxs_lh_grants_list(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			      json_object **out, clxs_error *err);
/* REST form: apply [{"principal","add":[...],"remove":[...]}] atomically;
 * each privilege must apply to the securable's kind. */
clxs_code clxs_lh_grants_update(clxs_lh *lh, const clxs_lh_sec *s, json_object *changes,
				clxs_error *err);
/* {"privilege_assignments": [{"principal", "privileges": [...]}]} of the
 * securable itself (principal optional); effective adds the privileges
 * inherited from its catalog and schema ({"privilege",
 * "inherited_from_type", "inherited_from_name"} objects). */
clxs_code clxs_lh_grants_assignments(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
				     bool effective, json_object **out, clxs_error *err);
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

/* REST form: create from a Unity Catalog CreateFunction (checked, with
 * Databricks' defaults for a SQL function); *out is the FunctionInfo. */
clxs_code clxs_lh_function_create_info(clxs_lh *lh, const char *metastore_id, json_object *info,
				       json_object **out, clxs_error *err);

/* Volumes (lh_volumes): volume_type MANAGED or EXTERNAL. A managed volume's
 * files live in <data dir>/volumes/<volume uuid>. */
clxs_code clxs_lh_volume_create(clxs_lh *lh, const clxs_lh_name *v, bool external,
				const char *location, const char *comment, bool if_not_exists,
				clxs_error *err);
clxs_code clxs_lh_volume_drop(clxs_lh *lh, const clxs_lh_name *v, bool if_exists,
			      clxs_error *err);

/* REST form of a volume (a Unity Catalog CreateVolumeRequestContent). */
typedef struct {
	const char *catalog, *schema, *name;
	const char *volume_type;         /* MANAGED (default) | EXTERNAL */
	const char *storage_location;    /* EXTERNAL only */
	const char *comment;
} clxs_lh_volume_spec;

/* *out is the new VolumeInfo. */
clxs_code clxs_lh_volume_create_info(clxs_lh *lh, const char *metastore_id,
				     const clxs_lh_volume_spec *spec, json_object **out,
				     clxs_error *err);
/* Rename a resolved volume inside its schema. */
clxs_code clxs_lh_volume_rename(clxs_lh *lh, const clxs_lh_sec *s, const char *new_name,
				clxs_error *err);
/* The uuid naming a resolved volume's file directory. */
clxs_code clxs_lh_volume_uuid(clxs_lh *lh, const clxs_lh_sec *s, char uuid[37], clxs_error *err);
/* Whether a volume (still) has this uuid; true when that cannot be told. */
bool clxs_lh_volume_uuid_used(clxs_lh *lh, const char *uuid);

/* Drop a resolved volume or function. */
clxs_code clxs_lh_sec_drop(clxs_lh *lh, const clxs_lh_sec *s, clxs_error *err);

/* ---- Unity Catalog VolumeInfo / FunctionInfo (gov_info.c) ---------------------------- */

/* The info of a resolved volume (kind VOLUME) or function (FUNCTION). */
clxs_code clxs_lh_object_info(clxs_lh *lh, const char *metastore_id, const clxs_lh_sec *s,
			      json_object **out, clxs_error *err);
/* {"volumes"|"functions": [...], "next_page_token"} of a schema, by name
 * after page_token; max_results 0 for all. */
clxs_code clxs_lh_object_list(clxs_lh *lh, clxs_lh_sec_kind kind, const char *metastore_id,
			      const char *catalog, const char *schema, const char *page_token,
			      int max_results, json_object **out, clxs_error *err);

#endif
