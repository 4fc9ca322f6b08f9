/* information_schema: Databricks' views over the metastore, per catalog
 * (<catalog>.information_schema.<view>, or information_schema.<view> in the
 * current catalog) and across all catalogs (system.information_schema).
 * A reference becomes a subquery over the lh_* tables at translation time,
 * so these views are always current and compose with joins, filters and
 * aggregates like any table. View and column names follow Databricks'
 * documentation; each column is declared once here with its type. */
#include "sql_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TS(x) "strftime('%Y-%m-%d %H:%M:%f', (" x ") / 1000.0, 'unixepoch')"

typedef struct {
	const char *name, *type, *expr;
} iscol;

typedef struct {
	const char *view;
	const char *from;       /* FROM ... [WHERE ...] (no trailing WHERE keyword needed) */
	bool has_where;         /* from already holds a WHERE */
	const char *cat_expr;   /* the catalog column to filter on */
	const iscol *cols;
} isview;

#define C(n, t, e) {n, t, e}
#define END {NULL, NULL, NULL}

static const iscol catalogs_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("catalog_owner", "STRING", "c.owner"),
	C("comment", "STRING", "c.comment"), C("created", "TIMESTAMP", TS("c.created_at")),
	C("created_by", "STRING", "c.created_by"), C("last_altered", "TIMESTAMP", TS("c.updated_at")),
	C("last_altered_by", "STRING", "c.updated_by"), END};

static const iscol schemata_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("schema_name", "STRING", "s.name"),
	C("schema_owner", "STRING", "s.owner"), C("comment", "STRING", "s.comment"),
	C("created", "TIMESTAMP", TS("s.created_at")), C("created_by", "STRING", "s.created_by"),
	C("last_altered", "TIMESTAMP", TS("s.updated_at")),
	C("last_altered_by", "STRING", "s.updated_by"), END};

static const iscol tables_cols[] = {
	C("table_catalog", "STRING", "c.name"), C("table_schema", "STRING", "s.name"),
	C("table_name", "STRING", "t.name"), C("table_type", "STRING", "t.table_type"),
	C("is_insertable_into", "STRING", "CASE WHEN t.table_type = 'VIEW' THEN 'NO' ELSE 'YES' END"),
	C("commit_action", "STRING", "'PRESERVE'"), C("table_owner", "STRING", "t.owner"),
	C("comment", "STRING", "t.comment"), C("created", "TIMESTAMP", TS("t.created_at")),
	C("created_by", "STRING", "t.created_by"), C("last_altered", "TIMESTAMP", TS("t.updated_at")),
	C("last_altered_by", "STRING", "t.updated_by"),
	C("data_source_format", "STRING",
	  "CASE WHEN t.table_type = 'VIEW' THEN NULL ELSE upper(coalesce(t.data_source_format, 'DELTA')) END"),
	C("storage_sub_directory", "STRING", "NULL"),
	C("storage_path", "STRING", "t.storage_location"), END};

static const iscol columns_cols[] = {
	C("table_catalog", "STRING", "c.name"), C("table_schema", "STRING", "s.name"),
	C("table_name", "STRING", "t.name"), C("column_name", "STRING", "col.name"),
	C("ordinal_position", "INT", "col.position + 1"), C("column_default", "STRING", "NULL"),
	C("is_nullable", "STRING", "CASE WHEN col.nullable THEN 'YES' ELSE 'NO' END"),
	C("full_data_type", "STRING", "__lh_type_canon(col.type_text)"),
	C("data_type", "STRING", "__lh_type_name(col.type_text)"),
	C("character_maximum_length", "BIGINT", "NULL"), C("character_octet_length", "BIGINT", "NULL"),
	C("numeric_precision", "INT", "__lh_type_prec(col.type_text, 0)"),
	C("numeric_precision_radix", "INT", "CASE WHEN __lh_type_prec(col.type_text, 0) IS NULL THEN NULL ELSE 10 END"),
	C("numeric_scale", "INT", "__lh_type_prec(col.type_text, 1)"),
	C("datetime_precision", "INT", "NULL"), C("interval_type", "STRING", "NULL"),
	C("interval_precision", "INT", "NULL"), C("maximum_cardinality", "BIGINT", "NULL"),
	C("is_identity", "STRING", "'NO'"), C("identity_generation", "STRING", "NULL"),
	C("identity_start", "STRING", "NULL"), C("identity_increment", "STRING", "NULL"),
	C("identity_maximum", "STRING", "NULL"), C("identity_minimum", "STRING", "NULL"),
	C("identity_cycle", "STRING", "NULL"), C("is_generated", "STRING", "'NO'"),
	C("generation_expression", "STRING", "NULL"), C("is_system_time_period_start", "STRING", "'NO'"),
	C("is_system_time_period_end", "STRING", "'NO'"),
	C("system_time_period_timestamp_generation", "STRING", "NULL"),
	C("is_updatable", "STRING", "CASE WHEN t.table_type = 'VIEW' THEN 'NO' ELSE 'YES' END"),
	C("partition_index", "INT",
	  "(SELECT j.key FROM json_each(t.partition_columns) AS j WHERE lower(j.value) = lower(col.name))"),
	C("comment", "STRING", "col.comment"), END};

static const iscol views_cols[] = {
	C("table_catalog", "STRING", "c.name"), C("table_schema", "STRING", "s.name"),
	C("table_name", "STRING", "t.name"), C("view_definition", "STRING", "t.view_definition"),
	C("check_option", "STRING", "'NONE'"), C("is_updatable", "STRING", "'NO'"),
	C("is_insertable_into", "STRING", "'NO'"), C("sql_path", "STRING", "NULL"),
	C("is_materialized", "STRING", "'NO'"), END};

static const iscol routines_cols[] = {
	C("specific_catalog", "STRING", "c.name"), C("specific_schema", "STRING", "s.name"),
	C("specific_name", "STRING", "f.name"), C("routine_catalog", "STRING", "c.name"),
	C("routine_schema", "STRING", "s.name"), C("routine_name", "STRING", "f.name"),
	C("routine_owner", "STRING", "f.owner"), C("routine_type", "STRING", "'FUNCTION'"),
	C("data_type", "STRING", "f.info ->> '$.data_type'"),
	C("full_data_type", "STRING", "f.info ->> '$.full_data_type'"),
	C("character_maximum_length", "INT", "NULL"), C("character_octet_length", "INT", "NULL"),
	C("numeric_precision", "INT", "NULL"), C("numeric_precision_radix", "INT", "NULL"),
	C("numeric_scale", "INT", "NULL"), C("datetime_precision", "INT", "NULL"),
	C("interval_type", "STRING", "NULL"), C("interval_precision", "INT", "NULL"),
	C("maximum_cardinality", "INT", "NULL"),
	C("routine_body", "STRING", "coalesce(f.info ->> '$.routine_body', 'SQL')"),
	C("routine_definition", "STRING", "f.info ->> '$.routine_definition'"),
	C("external_name", "STRING", "NULL"), C("external_language", "STRING", "NULL"),
	C("parameter_style", "STRING", "'SQL'"),
	C("is_deterministic", "STRING",
	  "CASE WHEN coalesce(f.info ->> '$.is_deterministic', 1) THEN 'YES' ELSE 'NO' END"),
	C("sql_data_access", "STRING", "'CONTAINS'"), C("is_null_call", "STRING", "'NO'"),
	C("sql_path", "STRING", "NULL"), C("security_type", "STRING", "'DEFINER'"),
	C("as_locator", "STRING", "'NO'"), C("comment", "STRING", "f.comment"),
	C("created", "TIMESTAMP", TS("f.created_at")), C("created_by", "STRING", "f.created_by"),
	C("last_altered", "TIMESTAMP", TS("f.updated_at")),
	C("last_altered_by", "STRING", "f.updated_by"), END};

static const iscol parameters_cols[] = {
	C("specific_catalog", "STRING", "c.name"), C("specific_schema", "STRING", "s.name"),
	C("specific_name", "STRING", "f.name"),
	/* 1-based here; UC's parameter position is 0-based */
	C("ordinal_position", "INT", "coalesce(p.value ->> '$.position', p.key) + 1"),
	C("parameter_mode", "STRING", "coalesce(p.value ->> '$.parameter_mode', 'IN')"),
	C("is_result", "STRING", "'NO'"), C("as_locator", "STRING", "'NO'"),
	C("parameter_name", "STRING", "p.value ->> '$.name'"),
	C("data_type", "STRING", "coalesce(p.value ->> '$.type_name', __lh_type_name(p.value ->> '$.type_text'))"),
	C("full_data_type", "STRING", "__lh_type_canon(p.value ->> '$.type_text')"),
	C("character_maximum_length", "INT", "NULL"), C("character_octet_length", "STRING", "NULL"),
	C("numeric_precision", "INT", "__lh_type_prec(p.value ->> '$.type_text', 0)"),
	C("numeric_precision_radix", "INT",
	  "CASE WHEN __lh_type_prec(p.value ->> '$.type_text', 0) IS NULL THEN NULL ELSE 10 END"),
	C("numeric_scale", "INT", "__lh_type_prec(p.value ->> '$.type_text', 1)"),
	C("datetime_precision", "INT", "NULL"), C("interval_type", "STRING", "NULL"),
	C("interval_precision", "INT", "NULL"), C("maximum_cardinality", "INT", "NULL"),
	C("parameter_default", "STRING", "p.value ->> '$.parameter_default'"),
	C("comment", "STRING", "p.value ->> '$.comment'"), END};

static const iscol volumes_cols[] = {
	C("volume_catalog", "STRING", "c.name"), C("volume_schema", "STRING", "s.name"),
	C("volume_name", "STRING", "v.name"), C("volume_type", "STRING", "v.volume_type"),
	C("volume_owner", "STRING", "v.owner"), C("comment", "STRING", "v.comment"),
	C("storage_location", "STRING", "v.storage_location"),
	C("created", "TIMESTAMP", TS("v.created_at")), C("created_by", "STRING", "v.created_by"),
	C("last_altered", "TIMESTAMP", TS("v.updated_at")),
	C("last_altered_by", "STRING", "v.updated_by"), END};

#define PRIV_TAIL                                                                         \
	C("privilege_type", "STRING", "replace(g.privilege, '_', ' ')"),                  \
		C("is_grantable", "STRING", "'NO'"), C("inherited_from", "STRING", "'NONE'"), END

static const iscol catalog_priv_cols[] = {
	C("grantor", "STRING", "c.owner"), C("grantee", "STRING", "g.principal"),
	C("catalog_name", "STRING", "c.name"), PRIV_TAIL};

static const iscol schema_priv_cols[] = {
	C("grantor", "STRING", "s.owner"), C("grantee", "STRING", "g.principal"),
	C("catalog_name", "STRING", "c.name"), C("schema_name", "STRING", "s.name"), PRIV_TAIL};

static const iscol table_priv_cols[] = {
	C("grantor", "STRING", "t.owner"), C("grantee", "STRING", "g.principal"),
	C("table_catalog", "STRING", "c.name"), C("table_schema", "STRING", "s.name"),
	C("table_name", "STRING", "t.name"), PRIV_TAIL};

static const iscol volume_priv_cols[] = {
	C("grantor", "STRING", "v.owner"), C("grantee", "STRING", "g.principal"),
	C("volume_catalog", "STRING", "c.name"), C("volume_schema", "STRING", "s.name"),
	C("volume_name", "STRING", "v.name"), PRIV_TAIL};

static const iscol routine_priv_cols[] = {
	C("grantor", "STRING", "f.owner"), C("grantee", "STRING", "g.principal"),
	C("specific_catalog", "STRING", "c.name"), C("specific_schema", "STRING", "s.name"),
	C("specific_name", "STRING", "f.name"), C("routine_catalog", "STRING", "c.name"),
	C("routine_schema", "STRING", "s.name"), C("routine_name", "STRING", "f.name"), PRIV_TAIL};

static const iscol catalog_tags_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("tag_name", "STRING", "g.tag_key"),
	C("tag_value", "STRING", "g.tag_value"), END};
static const iscol schema_tags_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("schema_name", "STRING", "s.name"),
	C("tag_name", "STRING", "g.tag_key"), C("tag_value", "STRING", "g.tag_value"), END};
static const iscol table_tags_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("schema_name", "STRING", "s.name"),
	C("table_name", "STRING", "t.name"), C("tag_name", "STRING", "g.tag_key"),
	C("tag_value", "STRING", "g.tag_value"), END};
static const iscol column_tags_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("schema_name", "STRING", "s.name"),
	C("table_name", "STRING", "t.name"), C("column_name", "STRING", "g.column_name"),
	C("tag_name", "STRING", "g.tag_key"), C("tag_value", "STRING", "g.tag_value"), END};
static const iscol volume_tags_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("schema_name", "STRING", "s.name"),
	C("volume_name", "STRING", "v.name"), C("tag_name", "STRING", "g.tag_key"),
	C("tag_value", "STRING", "g.tag_value"), END};

static const iscol table_constraints_cols[] = {
	C("constraint_catalog", "STRING", "c.name"), C("constraint_schema", "STRING", "s.name"),
	C("constraint_name", "STRING", "k.name"), C("table_catalog", "STRING", "c.name"),
	C("table_schema", "STRING", "s.name"), C("table_name", "STRING", "t.name"),
	C("constraint_type", "STRING", "k.kind"),
	C("is_deferrable", "STRING", "CASE WHEN k.kind = 'CHECK' THEN 'NO' ELSE 'YES' END"),
	C("initially_deferred", "STRING", "CASE WHEN k.kind = 'CHECK' THEN 'NO' ELSE 'YES' END"),
	C("enforced", "STRING", "CASE WHEN k.kind = 'CHECK' THEN 'YES' ELSE 'NO' END"),
	C("comment", "STRING", "NULL"), END};

static const iscol key_column_usage_cols[] = {
	C("constraint_catalog", "STRING", "c.name"), C("constraint_schema", "STRING", "s.name"),
	C("constraint_name", "STRING", "k.name"), C("table_catalog", "STRING", "c.name"),
	C("table_schema", "STRING", "s.name"), C("table_name", "STRING", "t.name"),
	C("column_name", "STRING", "j.value"), C("ordinal_position", "INT", "j.key + 1"),
	C("position_in_unique_constraint", "INT",
	  "CASE WHEN k.kind = 'FOREIGN KEY' THEN j.key + 1 ELSE NULL END"), END};

static const iscol constraint_column_usage_cols[] = {
	C("table_catalog", "STRING", "CASE WHEN k.kind = 'FOREIGN KEY' THEN k.ref_catalog ELSE c.name END"),
	C("table_schema", "STRING", "CASE WHEN k.kind = 'FOREIGN KEY' THEN k.ref_schema ELSE s.name END"),
	C("table_name", "STRING", "CASE WHEN k.kind = 'FOREIGN KEY' THEN k.ref_table ELSE t.name END"),
	C("column_name", "STRING", "j.value"), C("constraint_catalog", "STRING", "c.name"),
	C("constraint_schema", "STRING", "s.name"), C("constraint_name", "STRING", "k.name"), END};

static const iscol referential_cols[] = {
	C("constraint_catalog", "STRING", "c.name"), C("constraint_schema", "STRING", "s.name"),
	C("constraint_name", "STRING", "k.name"),
	C("unique_constraint_catalog", "STRING", "k.ref_catalog"),
	C("unique_constraint_schema", "STRING", "k.ref_schema"),
	C("unique_constraint_name", "STRING",
	  "(SELECT pk.name FROM lh_constraints pk JOIN lh_tables pt ON pt.id = pk.table_id"
	  " JOIN lh_schemas ps ON ps.id = pt.schema_id JOIN lh_catalogs pc ON pc.id = ps.catalog_id"
	  " WHERE pk.kind = 'PRIMARY KEY' AND pc.name = k.ref_catalog AND ps.name = k.ref_schema"
	  " AND pt.name = k.ref_table)"),
	C("match_option", "STRING", "'FULL'"), C("update_rule", "STRING", "'NO ACTION'"),
	C("delete_rule", "STRING", "'NO ACTION'"), END};

static const iscol check_cols[] = {
	C("constraint_catalog", "STRING", "c.name"), C("constraint_schema", "STRING", "s.name"),
	C("constraint_name", "STRING", "k.name"), C("check_clause", "STRING", "k.expression"),
	C("sql_path", "STRING", "NULL"), END};

static const iscol row_filters_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("schema_name", "STRING", "s.name"),
	C("table_name", "STRING", "t.name"), C("filter_catalog", "STRING", "rf.function_catalog"),
	C("filter_schema", "STRING", "rf.function_schema"), C("filter_name", "STRING", "rf.function_name"),
	C("filter_col_usage", "STRING",
	  "coalesce((SELECT group_concat(j.value, ',') FROM json_each(rf.columns) AS j), '')"), END};

static const iscol column_masks_cols[] = {
	C("catalog_name", "STRING", "c.name"), C("schema_name", "STRING", "s.name"),
	C("table_name", "STRING", "t.name"), C("column_name", "STRING", "m.column_name"),
	C("mask_catalog", "STRING", "m.function_catalog"), C("mask_schema", "STRING", "m.function_schema"),
	C("mask_name", "STRING", "m.function_name"),
	C("mask_col_usage", "STRING",
	  "(SELECT group_concat(j.value, ',') FROM json_each(m.using_columns) AS j)"), END};

#define TJ(cond) " JOIN lh_tables t ON " cond " JOIN lh_schemas s ON s.id = t.schema_id JOIN lh_catalogs c ON c.id = s.catalog_id"
#define TSC "lh_tables t JOIN lh_schemas s ON s.id = t.schema_id JOIN lh_catalogs c ON c.id = s.catalog_id"

static const isview views[] = {
	{"catalogs", "lh_catalogs c", false, "c.name", catalogs_cols},
	{"schemata", "lh_schemas s JOIN lh_catalogs c ON c.id = s.catalog_id", false, "c.name", schemata_cols},
	{"tables", TSC, false, "c.name", tables_cols},
	{"columns", "lh_columns col" TJ("t.id = col.table_id") "", false, "c.name", columns_cols},
	{"views", TSC " WHERE t.table_type = 'VIEW'", true, "c.name", views_cols},
	{"routines", "lh_functions f JOIN lh_schemas s ON s.id = f.schema_id JOIN lh_catalogs c ON c.id = s.catalog_id",
	 false, "c.name", routines_cols},
	{"parameters", "lh_functions f JOIN lh_schemas s ON s.id = f.schema_id JOIN lh_catalogs c ON c.id = s.catalog_id,"
	 " json_each(f.info, '$.input_params.parameters') AS p", false, "c.name", parameters_cols},
	{"volumes", "lh_volumes v JOIN lh_schemas s ON s.id = v.schema_id JOIN lh_catalogs c ON c.id = s.catalog_id",
	 false, "c.name", volumes_cols},
	{"catalog_privileges", "lh_grants g JOIN lh_catalogs c ON c.id = g.catalog_id", false, "c.name",
	 catalog_priv_cols},
	{"schema_privileges", "lh_grants g JOIN lh_schemas s ON s.id = g.schema_id JOIN lh_catalogs c ON c.id = s.catalog_id",
	 false, "c.name", schema_priv_cols},
	{"table_privileges", "lh_grants g" TJ("t.id = g.table_id") "", false, "c.name", table_priv_cols},
	{"volume_privileges", "lh_grants g JOIN lh_volumes v ON v.id = g.volume_id JOIN lh_schemas s ON s.id = v.schema_id"
	 " JOIN lh_catalogs c ON c.id = s.catalog_id", false, "c.name", volume_priv_cols},
	{"routine_privileges", "lh_grants g JOIN lh_functions f ON f.id = g.function_id JOIN lh_schemas s ON s.id = f.schema_id"
	 " JOIN lh_catalogs c ON c.id = s.catalog_id", false, "c.name", routine_priv_cols},
	{"catalog_tags", "lh_tags g JOIN lh_catalogs c ON c.id = g.catalog_id", false, "c.name", catalog_tags_cols},
	{"schema_tags", "lh_tags g JOIN lh_schemas s ON s.id = g.schema_id JOIN lh_catalogs c ON c.id = s.catalog_id",
	 false, "c.name", schema_tags_cols},
	{"table_tags", "lh_tags g" TJ("t.id = g.table_id") " WHERE g.column_name = ''", true, "c.name",
	 table_tags_cols},
	{"column_tags", "lh_tags g" TJ("t.id = g.table_id") " WHERE g.column_name <> ''", true, "c.name",
	 column_tags_cols},
	{"volume_tags", "lh_tags g JOIN lh_volumes v ON v.id = g.volume_id JOIN lh_schemas s ON s.id = v.schema_id"
	 " JOIN lh_catalogs c ON c.id = s.catalog_id", false, "c.name", volume_tags_cols},
	{"table_constraints", "lh_constraints k" TJ("t.id = k.table_id") "", false, "c.name",
	 table_constraints_cols},
	{"key_column_usage", "lh_constraints k" TJ("t.id = k.table_id") ", json_each(k.columns) AS j"
	 " WHERE k.kind IN ('PRIMARY KEY', 'FOREIGN KEY')", true, "c.name", key_column_usage_cols},
	{"constraint_column_usage", "lh_constraints k" TJ("t.id = k.table_id") ","
	 " json_each(CASE WHEN k.kind = 'FOREIGN KEY' THEN k.ref_columns ELSE k.columns END) AS j"
	 " WHERE k.kind IN ('PRIMARY KEY', 'FOREIGN KEY')", true, "c.name", constraint_column_usage_cols},
	{"referential_constraints", "lh_constraints k" TJ("t.id = k.table_id") " WHERE k.kind = 'FOREIGN KEY'",
	 true, "c.name", referential_cols},
	{"check_constraints", "lh_constraints k" TJ("t.id = k.table_id") " WHERE k.kind = 'CHECK'", true,
	 "c.name", check_cols},
	{"row_filters", "lh_row_filters rf" TJ("t.id = rf.table_id") "", false, "c.name", row_filters_cols},
	{"column_masks", "lh_column_masks m" TJ("t.id = m.table_id") "", false, "c.name", column_masks_cols},
};

int lhs_infoschema(lhs_ctx *c, const lhs_qname *q, clxs_buf *out, json_object **cols)
{
	*cols = NULL;
	const char *cat = NULL;
	if (q->n == 2 && !strcasecmp(q->part[0], "information_schema"))
		cat = c->catalog;
	else if (q->n == 3 && !strcasecmp(q->part[1], "information_schema"))
		cat = q->part[0];
	else
		return 0;
	const isview *v = NULL;
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (!strcasecmp(views[i].view, q->part[q->n - 1]))
			v = &views[i];
	if (!v) {
		lh_fail(c->err, CLXS_ENOTFOUND, "TABLE_OR_VIEW_NOT_FOUND",
			"The table or view `information_schema`.`%s` cannot be found.", q->part[q->n - 1]);
		return -1;
	}
	if (!cat) {
		lh_fail(c->err, CLXS_EINVAL, "TABLE_OR_VIEW_NOT_FOUND",
			"information_schema.%s needs a current catalog; qualify it with a catalog.", v->view);
		return -1;
	}
	bool all = !strcasecmp(cat, "system");
	char catn[LH_NAME_MAX + 1];
	if (!all) {
		if (lh_name_norm(cat, "catalog", catn, c->err))
			return -1;
		int64_t id;
		if (lh_catalog_id(c->lh, catn, &id, c->err))
			return -1;
	}
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
	if (!all) {
		clxs_buf_puts(out, v->has_where ? " AND " : " WHERE ");
		clxs_buf_puts(out, v->cat_expr);
		clxs_buf_puts(out, " = ");
		/* a normalised name; escaped as a SQLite literal all the same */
		lhs_sqlite_literal(out, catn, strlen(catn));
	}
	clxs_buf_puts(out, ")");
	*cols = a;
	return 1;
}
