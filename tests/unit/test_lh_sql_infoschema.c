/* SQL front end, information_schema: every view answers with Databricks'
 * column names, per catalog and across catalogs (system), and reflects
 * grants, tags, comments, constraints, masks and row filters set by SQL. */
#include "lh_sql_test_util.h"

static int setup(void **state)
{
	if (sql_setup(state))
		return -1;
	clxs_lh *lh = ((lh_fixture *)*state)->lh;
	const char *stmts[] = {
		"CREATE CATALOG other",
		"CREATE SCHEMA main.s COMMENT 'sales'",
		"CREATE TABLE main.s.cust (id BIGINT NOT NULL, email STRING COMMENT 'mail', amt DECIMAL(8,2),"
		" CONSTRAINT cust_pk PRIMARY KEY (id), CONSTRAINT pos CHECK (amt >= 0)) PARTITIONED BY (email)"
		" COMMENT 'customers'",
		"CREATE TABLE main.s.ord (oid INT, cid BIGINT, CONSTRAINT ord_fk FOREIGN KEY (cid)"
		" REFERENCES main.s.cust (id))",
		"CREATE VIEW main.s.v AS SELECT id FROM main.s.cust",
		"CREATE FUNCTION main.s.m(e STRING) RETURNS STRING RETURN '***'",
		"CREATE FUNCTION main.s.f(i BIGINT) RETURNS BOOLEAN RETURN i > 0",
		"CREATE VOLUME main.s.vol COMMENT 'files'",
		"CREATE TABLE other.default.x (a INT)",
		"GRANT SELECT ON TABLE main.s.cust TO `analysts`",
		"GRANT USE SCHEMA ON SCHEMA main.s TO `analysts`",
		"GRANT USE CATALOG ON CATALOG main TO `analysts`",
		"GRANT READ VOLUME ON VOLUME main.s.vol TO `analysts`",
		"GRANT EXECUTE ON FUNCTION main.s.m TO `analysts`",
		"ALTER CATALOG main SET TAGS ('env' = 'prod')",
		"ALTER SCHEMA main.s SET TAGS ('team' = 'core')",
		"ALTER TABLE main.s.cust SET TAGS ('pii' = 'yes')",
		"ALTER TABLE main.s.cust ALTER COLUMN email SET TAGS ('pii' = 'email')",
		"ALTER VOLUME main.s.vol SET TAGS ('k' = 'v')",
		"ALTER TABLE main.s.cust ALTER COLUMN email SET MASK main.s.m",
		"ALTER TABLE main.s.cust SET ROW FILTER main.s.f ON (id)",
	};
	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		clxs_lh_result r;
		clxs_error e = {0};
		if (sql_run(lh, stmts[i], &r, &e) != CLXS_OK) {
			fprintf(stderr, "setup: %s: %s\n", stmts[i], e.message);
			return -1;
		}
		clxs_lh_result_free(&r);
	}
	return 0;
}

static void test_catalog_views(void **state)
{
	lh_fixture *f = *state;
	clxs_lh_result r;
	sql_res(f->lh, "SELECT * FROM main.information_schema.catalogs", &r);
	assert_int_equal(r.row_count, 1);
	assert_string_equal(col_attr(&r, 0, "name"), "catalog_name");
	assert_string_equal(col_attr(&r, 3, "name"), "created");
	assert_string_equal(col_attr(&r, 3, "type_name"), "TIMESTAMP");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT count(*) FROM system.information_schema.catalogs", "2");
	assert_val(f->lh, "SELECT comment FROM information_schema.schemata WHERE schema_name = 's'", "sales");
	sql_res(f->lh,
		"SELECT table_name, table_type, data_source_format, comment, table_owner, storage_path "
		"FROM information_schema.tables WHERE table_schema = 's' ORDER BY table_name", &r);
	assert_int_equal(r.row_count, 3);
	assert_string_equal(cell(&r, 0, 0), "cust");
	assert_string_equal(cell(&r, 0, 1), "MANAGED");
	assert_string_equal(cell(&r, 0, 2), "DELTA");
	assert_string_equal(cell(&r, 0, 3), "customers");
	assert_string_equal(cell(&r, 0, 4), "local-user");
	assert_non_null(cell(&r, 0, 5));
	assert_string_equal(cell(&r, 2, 1), "VIEW");
	assert_null(cell(&r, 2, 2));
	clxs_lh_result_free(&r);
	sql_res(f->lh,
		"SELECT column_name, ordinal_position, data_type, full_data_type, is_nullable, comment, "
		"numeric_precision, numeric_scale, partition_index FROM main.information_schema.columns "
		"WHERE table_name = 'cust' ORDER BY ordinal_position", &r);
	assert_int_equal(r.row_count, 3);
	assert_string_equal(col_attr(&r, 1, "type_name"), "INT");
	assert_string_equal(cell(&r, 0, 1), "1");
	assert_string_equal(cell(&r, 0, 2), "LONG");
	assert_string_equal(cell(&r, 0, 3), "bigint");
	assert_string_equal(cell(&r, 0, 4), "NO");
	assert_string_equal(cell(&r, 1, 5), "mail");
	assert_string_equal(cell(&r, 1, 8), "0");
	assert_string_equal(cell(&r, 2, 3), "decimal(8,2)");
	assert_string_equal(cell(&r, 2, 6), "8");
	assert_string_equal(cell(&r, 2, 7), "2");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT view_definition FROM information_schema.views", "SELECT id FROM main.s.cust");
	assert_val(f->lh, "SELECT routine_definition FROM information_schema.routines WHERE routine_name = 'f'",
		   "i > 0");
	assert_val(f->lh, "SELECT data_type FROM information_schema.routines WHERE routine_name = 'f'", "BOOLEAN");
	sql_res(f->lh, "SELECT specific_name, ordinal_position, parameter_name, data_type, full_data_type "
		       "FROM information_schema.parameters ORDER BY specific_name", &r);
	assert_int_equal(r.row_count, 2);
	assert_string_equal(cell(&r, 0, 0), "f");
	assert_string_equal(cell(&r, 0, 1), "1");
	assert_string_equal(cell(&r, 0, 2), "i");
	assert_string_equal(cell(&r, 0, 3), "LONG");
	assert_string_equal(cell(&r, 0, 4), "bigint");
	assert_string_equal(cell(&r, 1, 2), "e");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT volume_type || ':' || comment FROM information_schema.volumes", "MANAGED:files");
	/* other catalogs are not listed per catalog, but are in system */
	assert_val(f->lh, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'x'", "0");
	assert_val(f->lh, "SELECT count(*) FROM system.information_schema.tables WHERE table_name = 'x'", "1");
	sql_fail(f->lh, "SELECT * FROM information_schema.nope", "TABLE_OR_VIEW_NOT_FOUND");
	sql_fail(f->lh, "SELECT * FROM nocat.information_schema.tables", "NO_SUCH_CATALOG_EXCEPTION");
}

static void test_governance_views(void **state)
{
	lh_fixture *f = *state;
	assert_val(f->lh, "SELECT privilege_type FROM information_schema.table_privileges WHERE grantee = 'analysts'",
		   "SELECT");
	assert_val(f->lh, "SELECT privilege_type FROM information_schema.schema_privileges", "USE SCHEMA");
	assert_val(f->lh, "SELECT privilege_type FROM information_schema.catalog_privileges", "USE CATALOG");
	assert_val(f->lh, "SELECT volume_name FROM information_schema.volume_privileges", "vol");
	assert_val(f->lh, "SELECT routine_name FROM information_schema.routine_privileges", "m");
	assert_val(f->lh, "SELECT tag_value FROM information_schema.catalog_tags WHERE tag_name = 'env'", "prod");
	assert_val(f->lh, "SELECT tag_value FROM information_schema.schema_tags", "core");
	assert_val(f->lh, "SELECT tag_value FROM information_schema.table_tags", "yes");
	assert_val(f->lh, "SELECT column_name || '=' || tag_value FROM information_schema.column_tags", "email=email");
	assert_val(f->lh, "SELECT tag_value FROM information_schema.volume_tags", "v");
	clxs_lh_result r;
	sql_res(f->lh, "SELECT constraint_name, constraint_type, enforced FROM information_schema.table_constraints "
		       "ORDER BY constraint_name", &r);
	assert_int_equal(r.row_count, 3);
	assert_string_equal(cell(&r, 0, 0), "cust_pk");
	assert_string_equal(cell(&r, 0, 1), "PRIMARY KEY");
	assert_string_equal(cell(&r, 1, 1), "FOREIGN KEY");
	assert_string_equal(cell(&r, 2, 1), "CHECK");
	assert_string_equal(cell(&r, 2, 2), "YES");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT check_clause FROM information_schema.check_constraints", "amt >= 0");
	assert_val(f->lh, "SELECT count(*) FROM information_schema.key_column_usage", "2");
	assert_val(f->lh, "SELECT table_name || '.' || column_name FROM information_schema.constraint_column_usage "
			  "WHERE constraint_name = 'ord_fk'", "cust.id");
	assert_val(f->lh, "SELECT unique_constraint_name FROM information_schema.referential_constraints", "cust_pk");
	assert_val(f->lh, "SELECT filter_name || '(' || filter_col_usage || ')' FROM information_schema.row_filters",
		   "f(id)");
	assert_val(f->lh, "SELECT mask_name FROM information_schema.column_masks WHERE column_name = 'email'", "m");
	/* joins with real tables work like any other relation */
	assert_val(f->lh, "SELECT count(*) FROM information_schema.tables t JOIN information_schema.columns c "
			  "ON c.table_name = t.table_name WHERE t.table_type = 'MANAGED'", "5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_catalog_views, setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_governance_views, setup, lh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
