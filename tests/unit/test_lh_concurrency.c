/* Lakehouse concurrency: writers on their own connections (threads and a
 * forked process) commit every write and never see "database is locked". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sys/wait.h>

#include "lh_test_util.h"

#define WRITES 200

typedef struct {
	const char *dir;
	const char *table;
	int ok, busy, failed;
	char last_error[512];
} writer;

static void *write_loop(void *arg)
{
	writer *w = arg;
	clxs_lh *lh = NULL;
	clxs_error e = {0};
	if (clxs_lh_open(w->dir, &lh, &e) != CLXS_OK) {
		w->failed = WRITES;
		snprintf(w->last_error, sizeof(w->last_error), "%s", e.message);
		return NULL;
	}
	clxs_lh_name n = {"c", "s", w->table};
	for (int i = 1; i <= WRITES; i++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "VALUES (%d)", i);
		clxs_code rc = clxs_lh_insert(lh, &n, sql, false, NULL, &e);
		if (rc == CLXS_OK) {
			w->ok++;
		} else {
			if (rc == CLXS_EUNAVAILABLE || strstr(e.message, "locked"))
				w->busy++;
			w->failed++;
			snprintf(w->last_error, sizeof(w->last_error), "%s", e.message);
		}
		/* Interleave reads too: they must never fail either. */
		if (i % 50 == 0) {
			json_object *h = NULL;
			if (clxs_lh_table_history(lh, &n, 1, &h, &e) != CLXS_OK)
				w->failed++;
			json_object_put(h);
		}
	}
	clxs_lh_close(lh);
	return NULL;
}

static void create_tables(clxs_lh *lh, int n)
{
	clxs_error e = {0};
	clxs_lh_container_spec cs = {.name = "c"}, ss = {.name = "s"};
	assert_int_equal(clxs_lh_catalog_create(lh, &cs, false, &e), CLXS_OK);
	assert_int_equal(clxs_lh_schema_create(lh, "c", &ss, false, &e), CLXS_OK);
	static const clxs_lh_column cols[] = {{"i", "INT", false, NULL}};
	for (int k = 0; k < n; k++) {
		char name[16];
		snprintf(name, sizeof(name), "t%d", k);
		clxs_lh_table_spec spec = {.name = {"c", "s", name}, .columns = cols, .ncolumns = 1};
		assert_int_equal(clxs_lh_table_create(lh, &spec, &e), CLXS_OK);
	}
}

static void check_table(clxs_lh *lh, const char *name)
{
	clxs_error e = {0};
	clxs_lh_name n = {"c", "s", name};
	assert_int_equal(lh_count(lh, &n), WRITES);
	assert_int_equal(lh_snap_int(lh, &n, NULL, "sum(i)", &e), WRITES * (WRITES + 1) / 2);
	json_object *h;
	json_object *x = lh_latest_entry(lh, &n, &h);
	assert_int_equal(clxs_json_int(x, "version", -1), WRITES);
	json_object_put(h);
}

static void test_two_threads(void **state)
{
	lh_fixture *f = *state;
	create_tables(f->lh, 2);
	writer w[2] = {{.dir = f->dir, .table = "t0"}, {.dir = f->dir, .table = "t1"}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, write_loop, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++) {
		if (w[i].failed)
			fprintf(stderr, "writer %d: %s\n", i, w[i].last_error);
		assert_int_equal(w[i].busy, 0);
		assert_int_equal(w[i].failed, 0);
		assert_int_equal(w[i].ok, WRITES);
	}
	check_table(f->lh, "t0");
	check_table(f->lh, "t1");
}

static void test_process_and_thread_same_table_family(void **state)
{
	lh_fixture *f = *state;
	create_tables(f->lh, 3);
	/* A child process writes t2 while two threads here write t0 and t1. */
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		writer cw = {.dir = f->dir, .table = "t2"};
		write_loop(&cw);
		_exit(cw.ok == WRITES && cw.failed == 0 ? 0 : 1);
	}
	writer w[2] = {{.dir = f->dir, .table = "t0"}, {.dir = f->dir, .table = "t1"}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, write_loop, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(w[i].busy, 0);
		assert_int_equal(w[i].failed, 0);
	}
	check_table(f->lh, "t0");
	check_table(f->lh, "t1");
	check_table(f->lh, "t2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_threads, lh_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_process_and_thread_same_table_family, lh_setup,
						lh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
