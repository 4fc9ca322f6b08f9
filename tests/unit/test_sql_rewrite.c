/* Unit tests for statement splitting, catalog rewriting and reference
 * listing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/sql_token.h"

/* ---- split ---------------------------------------------------------- */

/* want: the expected statements, NULL-terminated. */
static void expect_split(const char *sql, const char *const *want)
{
	clxs_sql_stmt *st;
	size_t n;
	clxs_error e;
	assert_int_equal(clxs_sql_split(sql, strlen(sql), &st, &n, &e), CLXS_OK);
	size_t nwant = 0;
	while (want[nwant])
		nwant++;
	if (n != nwant)
		fail_msg("split of [%s]: %zu statements, want %zu", sql, n, nwant);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(st[i].text, want[i]);
		assert_int_equal(st[i].len, strlen(want[i]));
		assert_memory_equal(sql + st[i].start, want[i], st[i].len);
	}
	clxs_sql_stmts_free(st, n);
}

static void test_split(void **state)
{
	(void)state;
	expect_split("SELECT 1; SELECT 2", (const char *[]){"SELECT 1", "SELECT 2", NULL});
	expect_split("  SELECT 1 ;\n\n;; ;  ", (const char *[]){"SELECT 1", NULL});
	expect_split("", (const char *[]){NULL});
	expect_split(" ; -- only a comment\n ; /* x */", (const char *[]){NULL});
	expect_split("SELECT 'a;b', \"c;d\", `e;f` FROM t; SELECT 2",
		     (const char *[]){"SELECT 'a;b', \"c;d\", `e;f` FROM t", "SELECT 2", NULL});
	expect_split("SELECT 1 -- not; here\n; /* nor; /* here; */ */ SELECT 'x\\';y'",
		     (const char *[]){"SELECT 1", "SELECT 'x\\';y'", NULL});
	/* Leading and trailing comments are trimmed, inner ones kept. */
	expect_split("-- header\nSELECT /*+ HINT */ 1 -- tail\n;",
		     (const char *[]){"SELECT /*+ HINT */ 1", NULL});

	clxs_sql_stmt *st;
	size_t n;
	clxs_error e;
	const char *sql = "SELECT 1;\n  SELECT\n2";
	assert_int_equal(clxs_sql_split(sql, strlen(sql), &st, &n, &e), CLXS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(st[1].line, 2);
	assert_int_equal(st[1].col, 3);
	assert_int_equal(st[1].start, 12);
	clxs_sql_stmts_free(st, n);

	assert_int_equal(clxs_sql_split("SELECT 1; SELECT 'x", 19, &st, &n, &e), CLXS_EINVAL);
	assert_null(st);
	assert_int_equal(n, 0);
	assert_non_null(strstr(e.message, "1:18"));
}

static void test_split_compound(void **state)
{
	(void)state;
	expect_split("BEGIN DECLARE x INT; SET x = 1; END; SELECT 2",
		     (const char *[]){"BEGIN DECLARE x INT; SET x = 1; END", "SELECT 2", NULL});
	expect_split("BEGIN\n IF x > 1 THEN SELECT 1; ELSE SELECT CASE WHEN a THEN 1 END; END IF;\n"
		     " WHILE c DO SET c = c - 1; END WHILE;\n"
		     " lbl: LOOP LEAVE lbl; END LOOP;\n"
		     " REPEAT SET c = 1; UNTIL c END REPEAT;\n"
		     " FOR r AS SELECT 1 DO SELECT 2; END FOR;\n"
		     " BEGIN SELECT 3; END;\n"
		     "END;\nSELECT 4;",
		     (const char *[]){
			     "BEGIN\n IF x > 1 THEN SELECT 1; ELSE SELECT CASE WHEN a THEN 1 END; END IF;\n"
			     " WHILE c DO SET c = c - 1; END WHILE;\n"
			     " lbl: LOOP LEAVE lbl; END LOOP;\n"
			     " REPEAT SET c = 1; UNTIL c END REPEAT;\n"
			     " FOR r AS SELECT 1 DO SELECT 2; END FOR;\n"
			     " BEGIN SELECT 3; END;\n"
			     "END",
			     "SELECT 4", NULL});
	expect_split("outer: BEGIN SELECT 1; END outer; SELECT 2",
		     (const char *[]){"outer: BEGIN SELECT 1; END outer", "SELECT 2", NULL});
	/* BEGIN TRANSACTION is not a block; IF() outside a block is a function. */
	expect_split("BEGIN TRANSACTION; SELECT IF(a, 1, 2) FROM t; COMMIT",
		     (const char *[]){"BEGIN TRANSACTION", "SELECT IF(a, 1, 2) FROM t", "COMMIT",
				      NULL});
	expect_split("begin; select 1", (const char *[]){"begin", "select 1", NULL});
	/* CASE outside a compound statement does not matter. */
	expect_split("SELECT CASE WHEN 1 THEN 2 END; SELECT 3",
		     (const char *[]){"SELECT CASE WHEN 1 THEN 2 END", "SELECT 3", NULL});
}

/* ---- rewrite -------------------------------------------------------- */

static void expect_rewrite(const char *sql, const char *from, const char *to, const char *want)
{
	char *out = NULL;
	clxs_error e;
	assert_int_equal(clxs_sql_rewrite_catalog(sql, from, to, &out, &e), CLXS_OK);
	if (strcmp(out, want) != 0)
		fail_msg("rewrite of [%s]\n  got  %s\n  want %s", sql, out, want);
	free(out);
}

static void test_rewrite(void **state)
{
	(void)state;
	expect_rewrite("SELECT * FROM prod.sales.orders", "prod", "dev",
		       "SELECT * FROM `dev`.sales.orders");
	/* Backticked and mixed-case references; case-insensitive match. */
	expect_rewrite("SELECT * FROM `prod`.`sales`.orders JOIN PROD.hr.emp e ON 1=1 "
		       "JOIN `Prod`.x.y", "prod", "dev",
		       "SELECT * FROM `dev`.`sales`.orders JOIN `dev`.hr.emp e ON 1=1 JOIN `dev`.x.y");
	/* Strings, comments, 2-part names and alias.col stay as they are. */
	expect_rewrite("SELECT prod.col, 'prod.sales.orders', \"prod.a.b\", r'prod.a.b' "
		       "-- prod.sales.orders\n/* prod.a.b */ FROM prod.orders prod "
		       "WHERE prod.x = 1", "prod", "dev",
		       "SELECT prod.col, 'prod.sales.orders', \"prod.a.b\", r'prod.a.b' "
		       "-- prod.sales.orders\n/* prod.a.b */ FROM prod.orders prod "
		       "WHERE prod.x = 1");
	/* Only the first part of a chain is a catalog. */
	expect_rewrite("SELECT x.prod.a.b, prod.prod.prod FROM t", "prod", "dev",
		       "SELECT x.prod.a.b, `dev`.prod.prod FROM t");
	/* Four-part column references carry the catalog too. */
	expect_rewrite("SELECT prod.s.t.c FROM prod.s.t", "prod", "dev",
		       "SELECT `dev`.s.t.c FROM `dev`.s.t");
	/* Whitespace and comments between parts, as Spark allows. */
	expect_rewrite("FROM prod . s /* c */ . t", "prod", "dev", "FROM `dev` . s /* c */ . t");
	/* JOINs across schemas, functions, multiple statements. */
	expect_rewrite("CREATE VIEW prod.rpt.v AS SELECT prod.fn.mask(o.id) FROM prod.sales.orders o "
		       "LEFT JOIN prod.crm.customers c ON o.cid = c.id; SELECT 1",
		       "prod", "dev",
		       "CREATE VIEW `dev`.rpt.v AS SELECT `dev`.fn.mask(o.id) FROM `dev`.sales.orders o "
		       "LEFT JOIN `dev`.crm.customers c ON o.cid = c.id; SELECT 1");
	/* A catalog that is a prefix of another name is not matched. */
	expect_rewrite("SELECT * FROM prod2.a.b, `prod.x`.a.b", "prod", "dev",
		       "SELECT * FROM prod2.a.b, `prod.x`.a.b");
	/* The target name is quoted properly, whatever it holds. */
	expect_rewrite("SELECT * FROM prod.a.b", "prod", "my `cat`; DROP",
		       "SELECT * FROM `my ``cat``; DROP`.a.b");
	/* Backticked source names match by value. */
	expect_rewrite("SELECT * FROM `we``ird`.a.b", "we`ird", "ok", "SELECT * FROM `ok`.a.b");
	/* Adjacent backtick: keep the two identifiers apart. */
	expect_rewrite("`q`prod.a.b", "prod", "dev", "`q` `dev`.a.b");
	expect_rewrite("", "prod", "dev", "");

	char *out = (char *)1;
	clxs_error e;
	assert_int_equal(clxs_sql_rewrite_catalog("SELECT 'x", "prod", "dev", &out, &e),
			 CLXS_EINVAL);
	assert_null(out);
	assert_int_equal(clxs_sql_rewrite_catalog("SELECT 1", "", "dev", &out, &e), CLXS_EINVAL);
	assert_string_equal(e.detail, "from_catalog");
	assert_int_equal(clxs_sql_rewrite_catalog("SELECT 1", "prod", "", &out, &e), CLXS_EINVAL);
	assert_int_equal(clxs_sql_rewrite_catalog("SELECT 1", "prod", NULL, &out, &e),
			 CLXS_EINVAL);
	assert_int_equal(clxs_sql_rewrite_catalog(NULL, "prod", "dev", &out, &e), CLXS_EINVAL);
}

/* ---- references ----------------------------------------------------- */

static void test_references(void **state)
{
	(void)state;
	clxs_sql_ref *r;
	size_t n;
	clxs_error e;
	const char *sql =
		"CREATE VIEW main.rpt.v AS SELECT o.id, main.sales.orders.amount "
		"FROM main.sales.orders o JOIN `Main`.`Sales`.`ORDERS` x "
		"JOIN other.crm.`cust``s` c ON 1 = 1 "
		"WHERE 'a.b.c' <> \"d.e.f\" -- g.h.i\n AND sch.tbl.col > 0 AND x.y.z.w.v = 1";
	assert_int_equal(clxs_sql_references(sql, &r, &n, &e), CLXS_OK);
	const char *want[][3] = {
		{"main", "rpt", "v"},      {"main", "sales", "orders"}, {"other", "crm", "cust`s"},
		{"sch", "tbl", "col"},     {"x", "y", "z"},
	};
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(r[i].catalog, want[i][0]);
		assert_string_equal(r[i].schema, want[i][1]);
		assert_string_equal(r[i].name, want[i][2]);
	}
	clxs_sql_refs_free(r, n);

	assert_int_equal(clxs_sql_references("SELECT a.b FROM t", &r, &n, &e), CLXS_OK);
	assert_int_equal(n, 0);
	assert_null(r);
	assert_int_equal(clxs_sql_references("SELECT `x", &r, &n, &e), CLXS_EINVAL);
	assert_non_null(strstr(e.message, "1:8"));
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Property: on random SQL-ish text, splitting and rewriting never crash;
 * a rewrite of valid text tokenizes again, and afterwards no reference to
 * the old catalog is left. */
static void test_random_rewrite(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"p", "P", "`p`", "`p``q`", "s", "t", ".", ".", ".", " ", "\n", ";", "'", "\"",
		"--", "/*", "*/", "x", "1", "(", ")", ",", "BEGIN", "END", "CASE", "r'", "\\",
		" p.s.t ", " P . s . t ", " `p`.`s`.t ", " x.p.s.t ", " p.s ", " ", " ", " ",
		" ", "a", "b", "c", "d", "e", "f", "g", ".", "2", "3",
	};
	uint32_t seed = 0xBADC0DEu;
	char sql[512];
	size_t rewritten = 0;
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = 0;
		int np = (int)(rng_next(&seed) % 24);
		for (int i = 0; i < np; i++) {
			const char *pc = pieces[rng_next(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t pl = strlen(pc);
			memcpy(sql + len, pc, pl);
			len += pl;
		}
		sql[len] = '\0';
		clxs_error e;
		clxs_sql_stmt *st;
		size_t n;
		clxs_code rc = clxs_sql_split(sql, len, &st, &n, &e);
		if (rc == CLXS_OK)
			clxs_sql_stmts_free(st, n);
		char *out;
		rc = clxs_sql_rewrite_catalog(sql, "p", "new", &out, &e);
		if (rc != CLXS_OK) {
			assert_int_equal(rc, CLXS_EINVAL);
			continue;
		}
		clxs_sql_ref *r;
		assert_int_equal(clxs_sql_references(out, &r, &n, &e), CLXS_OK);
		for (size_t i = 0; i < n; i++)
			assert_string_not_equal(r[i].catalog, "p");
		if (strcmp(out, sql) != 0)
			rewritten++;
		clxs_sql_refs_free(r, n);
		free(out);
	}
	assert_true(rewritten > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_compound),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_random_rewrite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
