/* Unit tests for the LMDB store and the job queue on top of it. Real LMDB in
 * a temporary directory; the claim race uses real processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/store.h"
#include "clxs/util.h"

struct fixture {
	char dir[64];
	clxs_store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/clxs-test-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	clxs_error e;
	if (clxs_store_open(f->dir, 0, &f->st, &e))
		return -1;
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	clxs_store_close(f->st);
	int rc = nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return rc;
}

static int collect(const char *key, json_object *val, void *ud)
{
	(void)val;
	json_object_array_add(ud, json_object_new_string(key));
	return 0;
}

static void test_put_get_scan(void **state)
{
	struct fixture *f = *state;
	clxs_error e;
	const char *keys[] = {"a:1", "a:2", "a:3", "b:1"};
	for (int i = 0; i < 4; i++) {
		json_object *v = json_object_new_object();
		clxs_json_set_int(v, "i", i);
		assert_int_equal(clxs_store_put(f->st, CLXS_DB_KV, keys[i], v, &e), CLXS_OK);
		json_object_put(v);
	}
	json_object *v = clxs_store_get(f->st, CLXS_DB_KV, "a:2", &e);
	assert_non_null(v);
	assert_int_equal(clxs_json_int(v, "i", -1), 1);
	json_object_put(v);
	assert_null(clxs_store_get(f->st, CLXS_DB_KV, "zzz", &e));
	assert_int_equal(e.code, CLXS_ENOTFOUND);

	clxs_txn *t;
	assert_int_equal(clxs_txn_begin(f->st, false, &t, &e), CLXS_OK);
	json_object *fw = json_object_new_array(), *bw = json_object_new_array();
	assert_int_equal(clxs_txn_scan(t, CLXS_DB_KV, "a:", false, collect, fw, &e), CLXS_OK);
	assert_int_equal(clxs_txn_scan(t, CLXS_DB_KV, "a:", true, collect, bw, &e), CLXS_OK);
	clxs_txn_abort(t);
	assert_string_equal(clxs_json_text(fw), "[\"a:1\",\"a:2\",\"a:3\"]");
	assert_string_equal(clxs_json_text(bw), "[\"a:3\",\"a:2\",\"a:1\"]");
	json_object_put(fw);
	json_object_put(bw);
}

static void test_txn_abort_discards(void **state)
{
	struct fixture *f = *state;
	clxs_error e;
	clxs_txn *t;
	json_object *v = json_object_new_string("x");
	assert_int_equal(clxs_txn_begin(f->st, true, &t, &e), CLXS_OK);
	assert_int_equal(clxs_txn_put(t, CLXS_DB_KV, "k1", v, &e), CLXS_OK);
	assert_int_equal(clxs_txn_put(t, CLXS_DB_KV, "k2", v, &e), CLXS_OK);
	clxs_txn_abort(t);
	json_object_put(v);
	assert_null(clxs_store_get(f->st, CLXS_DB_KV, "k1", &e));
	assert_null(clxs_store_get(f->st, CLXS_DB_KV, "k2", &e));
	size_t n = 99;
	assert_int_equal(clxs_store_count(f->st, CLXS_DB_KV, &n, &e), CLXS_OK);
	assert_int_equal(n, 0);
}

static void test_job_lifecycle(void **state)
{
	struct fixture *f = *state;
	clxs_error e;
	char id[CLXS_JOB_ID_LEN + 1];
	json_object *params = json_object_new_object();
	clxs_json_set_int(params, "seconds", 3);
	assert_int_equal(clxs_job_submit(f->st, "sleep", params, NULL, id, &e), CLXS_OK);
	json_object_put(params);
	assert_int_equal(clxs_job_submit(f->st, "explode", NULL, NULL, id + 0, &e), CLXS_EVALIDATION);
	assert_string_equal(e.detail, "job_type");

	json_object *job = clxs_job_claim(f->st, "r1", 10000, &e);
	assert_non_null(job);
	assert_string_equal(clxs_json_str(job, "job_id", ""), id);
	assert_string_equal(clxs_json_str(job, "status", ""), "running");
	json_object_put(job);
	assert_null(clxs_job_claim(f->st, "r2", 10000, &e));
	assert_int_equal(e.code, CLXS_ENOTFOUND);

	bool cancel = true;
	assert_int_equal(clxs_job_heartbeat(f->st, id, "r1", 10000, &cancel, &e), CLXS_OK);
	assert_false(cancel);
	assert_int_equal(clxs_job_heartbeat(f->st, id, "r2", 10000, &cancel, &e), CLXS_ECONFLICT);
	assert_int_equal(clxs_job_progress(f->st, id, 2, 3, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_job_log(f->st, id, "info", "step 2", &e), CLXS_OK);
	assert_int_equal(clxs_job_log(f->st, id, "info", "step 3", &e), CLXS_OK);
	json_object *res = json_object_new_object();
	clxs_json_set_bool(res, "ok", true);
	assert_int_equal(clxs_job_finish(f->st, id, "r2", "completed", res, NULL, &e), CLXS_ECONFLICT);
	assert_int_equal(clxs_job_finish(f->st, id, "r1", "completed", res, NULL, &e), CLXS_OK);
	json_object_put(res);

	job = clxs_job_get(f->st, id, &e);
	assert_string_equal(clxs_json_str(job, "status", ""), "completed");
	assert_non_null(clxs_json_str(job, "completed_at", NULL));
	json_object *progress;
	assert_true(json_object_object_get_ex(job, "progress", &progress));
	assert_int_equal(clxs_json_int(progress, "completed", 0), 2);
	json_object_put(job);

	json_object *ev = clxs_job_events(f->st, id, 1, &e);
	assert_int_equal(json_object_array_length(ev), 1);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(ev, 0), "message", ""), "step 3");
	json_object_put(ev);

	char st[16];
	assert_int_equal(clxs_job_cancel(f->st, id, st, &e), CLXS_ECONFLICT);
	assert_int_equal(clxs_job_cancel(f->st, "nope", st, &e), CLXS_ENOTFOUND);
}

static void test_cancel(void **state)
{
	struct fixture *f = *state;
	clxs_error e;
	char queued[CLXS_JOB_ID_LEN + 1], running[CLXS_JOB_ID_LEN + 1], st[16];
	assert_int_equal(clxs_job_submit(f->st, "sleep", NULL, NULL, running, &e), CLXS_OK);
	clxs_sleep_ms(2);
	assert_int_equal(clxs_job_submit(f->st, "noop", NULL, NULL, queued, &e), CLXS_OK);
	json_object *job = clxs_job_claim(f->st, "r1", 10000, &e);
	assert_string_equal(clxs_json_str(job, "job_id", ""), running);
	json_object_put(job);

	assert_int_equal(clxs_job_cancel(f->st, queued, st, &e), CLXS_OK);
	assert_string_equal(st, "cancelled");
	/* A cancelled queued job is never handed to a runner. */
	assert_null(clxs_job_claim(f->st, "r1", 10000, &e));

	assert_int_equal(clxs_job_cancel(f->st, running, st, &e), CLXS_OK);
	assert_string_equal(st, "cancelling");
	bool cancel = false;
	assert_int_equal(clxs_job_heartbeat(f->st, running, "r1", 10000, &cancel, &e), CLXS_OK);
	assert_true(cancel);
	assert_int_equal(clxs_job_finish(f->st, running, "r1", "cancelled", NULL, NULL, &e), CLXS_OK);

	json_object *list = clxs_job_list(f->st, NULL, 0, &e);
	assert_int_equal(json_object_array_length(list), 2);
	/* newest first */
	assert_string_equal(clxs_json_str(json_object_array_get_idx(list, 0), "job_id", ""), queued);
	json_object_put(list);
	list = clxs_job_list(f->st, "noop", 0, &e);
	assert_int_equal(json_object_array_length(list), 1);
	json_object_put(list);
}

static bool nobody_alive(const char *runner_id)
{
	(void)runner_id;
	return false;
}

static bool everybody_alive(const char *runner_id)
{
	(void)runner_id;
	return true;
}

static void test_recover(void **state)
{
	struct fixture *f = *state;
	clxs_error e;
	char id[CLXS_JOB_ID_LEN + 1];
	int n = -1;
	assert_int_equal(clxs_job_submit(f->st, "sleep", NULL, NULL, id, &e), CLXS_OK);
	json_object *job = clxs_job_claim(f->st, "r1", 60000, &e);
	json_object_put(job);
	json_object *cp = json_object_new_object();
	clxs_json_set_int(cp, "step", 4);
	assert_int_equal(clxs_job_progress(f->st, id, 4, 10, cp, &e), CLXS_OK);
	json_object_put(cp);

	/* Live owner, lease not expired: untouched. */
	assert_int_equal(clxs_job_recover(f->st, everybody_alive, &n, &e), CLXS_OK);
	assert_int_equal(n, 0);
	/* Owner process gone: requeued at once with the resume marker. */
	assert_int_equal(clxs_job_recover(f->st, nobody_alive, &n, &e), CLXS_OK);
	assert_int_equal(n, 1);
	job = clxs_job_get(f->st, id, &e);
	assert_string_equal(clxs_json_str(job, "status", ""), "queued");
	assert_true(clxs_json_bool(job, "resume", false));
	assert_int_equal(clxs_json_int(job, "attempts", 0), 1);
	json_object *cpt;
	assert_true(json_object_object_get_ex(job, "checkpoint", &cpt));
	assert_int_equal(clxs_json_int(cpt, "step", 0), 4);
	json_object_put(job);

	/* Lease expiry alone also recovers; after the attempt cap it fails. */
	for (int i = 0; i < CLXS_JOB_MAX_ATTEMPTS - 1; i++) {
		job = clxs_job_claim(f->st, "r2", 1, &e);
		assert_non_null(job);
		json_object_put(job);
		clxs_sleep_ms(5);
		assert_int_equal(clxs_job_recover(f->st, NULL, &n, &e), CLXS_OK);
		assert_int_equal(n, 1);
	}
	job = clxs_job_get(f->st, id, &e);
	assert_string_equal(clxs_json_str(job, "status", ""), "failed");
	assert_non_null(strstr(clxs_json_str(job, "error", ""), "lease expired"));
	json_object_put(job);
	assert_null(clxs_job_claim(f->st, "r3", 1000, &e));
}

/* Four processes race to claim 40 jobs: each job is claimed exactly once. */
static void test_claim_race(void **state)
{
	struct fixture *f = *state;
	clxs_error e;
	enum { JOBS = 40, PROCS = 4 };
	char ids[JOBS][CLXS_JOB_ID_LEN + 1];
	for (int i = 0; i < JOBS; i++)
		assert_int_equal(clxs_job_submit(f->st, "noop", NULL, NULL, ids[i], &e), CLXS_OK);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	for (int p = 0; p < PROCS; p++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			/* LMDB environments must not cross fork: reopen. */
			clxs_store *st;
			if (clxs_store_open(f->dir, 0, &st, NULL))
				_exit(2);
			json_object *job;
			char runner[16];
			snprintf(runner, sizeof(runner), "p%d", p);
			while ((job = clxs_job_claim(st, runner, 10000, NULL))) {
				char line[CLXS_JOB_ID_LEN + 2];
				snprintf(line, sizeof(line), "%s\n", clxs_json_str(job, "job_id", ""));
				if (write(fds[1], line, strlen(line)) < 0)
					_exit(3);
				json_object_put(job);
			}
			clxs_store_close(st);
			_exit(0);
		}
	}
	close(fds[1]);
	char buf[JOBS * (CLXS_JOB_ID_LEN + 1) + 64];
	size_t got = 0;
	ssize_t r;
	while ((r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	buf[got] = '\0';
	for (int p = 0; p < PROCS; p++) {
		int status;
		wait(&status);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(got, (size_t)JOBS * (CLXS_JOB_ID_LEN + 1));
	for (int i = 0; i < JOBS; i++) {
		char *first = strstr(buf, ids[i]);
		assert_non_null(first);
		assert_null(strstr(first + 1, ids[i]));
	}
}

/* The list index: summaries follow every state change made through the job
 * API, newest first, per type and overall, without the heavy fields. */
static void test_list_index(void **state)
{
	struct fixture *f = *state;
	clxs_error e;
	char c1[CLXS_JOB_ID_LEN + 1], c2[CLXS_JOB_ID_LEN + 1], n1[CLXS_JOB_ID_LEN + 1], st[16];
	json_object *fields = json_object_new_object(), *params = json_object_new_object();
	clxs_json_set_str(fields, "source_catalog", "prod");
	clxs_json_set_str(params, "secret_ish", "not in summaries");
	assert_int_equal(clxs_job_submit(f->st, "clone", params, fields, c1, &e), CLXS_OK);
	clxs_sleep_ms(2);
	assert_int_equal(clxs_job_submit(f->st, "noop", NULL, NULL, n1, &e), CLXS_OK);
	clxs_sleep_ms(2);
	assert_int_equal(clxs_job_submit(f->st, "clone", params, fields, c2, &e), CLXS_OK);
	json_object_put(fields);
	json_object_put(params);

	json_object *l = clxs_job_list_summary(f->st, "clone", 0, &e);
	assert_non_null(l);
	assert_int_equal(json_object_array_length(l), 2);
	json_object *first = json_object_array_get_idx(l, 0);
	assert_string_equal(clxs_json_str(first, "job_id", ""), c2);
	assert_string_equal(clxs_json_str(first, "source_catalog", ""), "prod");
	assert_string_equal(clxs_json_str(first, "status", ""), "queued");
	assert_non_null(json_object_object_get(first, "created_at"));
	assert_null(json_object_object_get(first, "params"));
	assert_null(json_object_object_get(first, "result"));
	json_object_put(l);

	/* Claim (oldest first: c1), progress, finish: each shows in the list. */
	json_object *job = clxs_job_claim(f->st, "r1", 10000, &e);
	assert_string_equal(clxs_json_str(job, "job_id", ""), c1);
	json_object_put(job);
	assert_int_equal(clxs_job_progress(f->st, c1, 3, 7, NULL, &e), CLXS_OK);
	l = clxs_job_list_summary(f->st, "clone", 0, &e);
	first = json_object_array_get_idx(l, 1);
	assert_string_equal(clxs_json_str(first, "status", ""), "running");
	assert_int_equal(clxs_json_int(json_object_object_get(first, "progress"), "completed", 0), 3);
	assert_int_equal(clxs_json_int(json_object_object_get(first, "progress"), "total", 0), 7);
	assert_null(json_object_object_get(first, "runner_id"));
	json_object_put(l);

	assert_int_equal(clxs_job_cancel(f->st, c1, st, &e), CLXS_OK);
	l = clxs_job_list_summary(f->st, "clone", 1, &e);
	assert_int_equal(json_object_array_length(l), 1); /* limit */
	json_object_put(l);
	l = clxs_job_list_summary(f->st, NULL, 0, &e);
	assert_int_equal(json_object_array_length(l), 3);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(l, 1), "job_id", ""), n1);
	first = json_object_array_get_idx(l, 2);
	assert_true(clxs_json_bool(first, "cancel_requested", false));
	json_object_put(l);

	json_object *result = json_object_new_object();
	clxs_json_set_int(result, "tables_cloned", 5);
	assert_int_equal(clxs_job_finish(f->st, c1, "r1", "completed", result, NULL, &e), CLXS_OK);
	json_object_put(result);
	l = clxs_job_list_summary(f->st, "clone", 0, &e);
	first = json_object_array_get_idx(l, 1);
	assert_string_equal(clxs_json_str(first, "status", ""), "completed");
	assert_non_null(json_object_object_get(first, "completed_at"));
	assert_null(json_object_object_get(first, "result"));
	json_object_put(l);

	/* The full list reads the records behind the same index. */
	l = clxs_job_list(f->st, "clone", 0, &e);
	assert_int_equal(json_object_array_length(l), 2);
	first = json_object_array_get_idx(l, 1);
	assert_string_equal(clxs_json_str(first, "job_id", ""), c1);
	assert_int_equal(clxs_json_int(json_object_object_get(first, "result"), "tables_cloned", 0), 5);
	assert_string_equal(clxs_json_str(json_object_object_get(first, "params"), "secret_ish", ""),
			    "not in summaries");
	json_object_put(l);
	l = clxs_job_list(f->st, NULL, 2, &e);
	assert_int_equal(json_object_array_length(l), 2);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(l, 0), "job_id", ""), c2);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(l, 1), "job_id", ""), n1);
	json_object_put(l);
}

/* A store written before the index (records only) is indexed on its first
 * listing. */
static void test_list_index_backfill(void **state)
{
	struct fixture *f = *state;
	clxs_error e;
	static const char rec[] = "{\"job_id\":\"00000000000000aa\",\"job_type\":\"clone\","
				  "\"status\":\"completed\",\"created_ms\":1000,"
				  "\"result\":{\"big\":true},\"source_catalog\":\"old\"}";
	json_object *old = clxs_json_parse(rec, strlen(rec), &e);
	assert_non_null(old);
	assert_int_equal(clxs_store_put(f->st, CLXS_DB_JOBS, "00000000000000aa", old, &e), CLXS_OK);
	json_object_put(old);
	char id[CLXS_JOB_ID_LEN + 1];
	assert_int_equal(clxs_job_submit(f->st, "clone", NULL, NULL, id, &e), CLXS_OK);

	json_object *l = clxs_job_list_summary(f->st, "clone", 0, &e);
	assert_non_null(l);
	assert_int_equal(json_object_array_length(l), 2);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(l, 0), "job_id", ""), id);
	json_object *o = json_object_array_get_idx(l, 1);
	assert_string_equal(clxs_json_str(o, "source_catalog", ""), "old");
	assert_null(json_object_object_get(o, "result"));
	json_object_put(l);
	size_t n = 0;
	assert_int_equal(clxs_store_count(f->st, CLXS_DB_JOBLIST, &n, &e), CLXS_OK);
	assert_int_equal(n, 5); /* two entries per job and the mark */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_get_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_abort_discards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_index_backfill, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
