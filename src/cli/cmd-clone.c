/* clxs clone | plan | demo-data: the clone engine from the command line, on
 * the embedded lakehouse by default or on a Databricks workspace. Flags map
 * one-to-one onto the fields of POST /api/clone and go through the same
 * validation as the API. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/audit.h"
#include "clxs/cli.h"
#include "clxs/clone.h"
#include "clxs/clone_snapshot.h"
#include "clxs/config.h"
#include "clxs/daemon.h"
#include "clxs/demo.h"
#include "clxs/json.h"
#include "clxs/sql_token.h"
#include "clxs/store.h"
#include "clxs/target.h"
#include "clxs/util.h"
#include "clxs/workspace.h"

typedef struct {
	json_object *body;   /* the clone request being built from flags */
	json_object *target; /* where: host/token/profile/warehouse_id/lakehouse_dir */
	bool json_out, resume;
	const char *capture_sql;
	char checkpoint_path[4900];
	bool tty;
	json_object *logs; /* every log line of the run, for the audit trail (may be NULL) */
} clone_cli;

/* Table threads log concurrently. */
static pthread_mutex_t logs_lock = PTHREAD_MUTEX_INITIALIZER;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("clxs: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static json_object *csv_list(const char *s)
{
	json_object *arr = json_object_new_array();
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n)
			json_object_array_add(arr, json_object_new_string_len(s, (int)n));
		s += n;
		if (*s == ',')
			s++;
	}
	return arr;
}

/* Options shared by every engine command: where to work. */
#define TARGET_OPTIONS                                                        \
	{"host", required_argument, NULL, 1001},                              \
	{"token-env", required_argument, NULL, 1002},                         \
	{"profile", required_argument, NULL, 1003},                           \
	{"warehouse-id", required_argument, NULL, 1004},                      \
	{"lakehouse-dir", required_argument, NULL, 1005},                     \
	{"json", no_argument, NULL, 1006}

#define TARGET_HELP                                                                               \
	"Where (default: the embedded lakehouse in $CLXS_STATE_DIR/lakehouse, in-process):\n"     \
	"      --host URL           a Databricks workspace (token from DATABRICKS_TOKEN or\n"     \
	"                           --token-env VAR; never on the command line)\n"                \
	"      --profile NAME       a ~/.databrickscfg profile\n"                                \
	"      --warehouse-id ID    the SQL warehouse to run statements on\n"                     \
	"      --lakehouse-dir DIR  the embedded lakehouse's data directory\n"                    \
	"      --json               machine-readable output\n"

static int target_opt(clone_cli *c, int opt, const char *arg)
{
	switch (opt) {
	case 1001: clxs_json_set_str(c->target, "host", arg); return 1;
	case 1002: {
		/* Tokens come from the environment so they never show in ps. */
		const char *tok = getenv(arg);
		if (!tok || !*tok) {
			fail("environment variable %s is empty", arg);
			return -1;
		}
		clxs_json_set_str(c->target, "token", tok);
		return 1;
	}
	case 1003: clxs_json_set_str(c->target, "profile", arg); return 1;
	case 1004: clxs_json_set_str(c->target, "warehouse_id", arg); return 1;
	case 1005: clxs_json_set_str(c->target, "lakehouse_dir", arg); return 1;
	case 1006: c->json_out = true; return 1;
	}
	return 0;
}

static void clone_usage(FILE *out, const char *cmd)
{
	fprintf(out,
		"Usage: clxs %s --source CATALOG --dest CATALOG [options]\n"
		"\n"
		"%s\n"
		"\n"
		"What:\n"
		"  -s, --source NAME            source catalog (required)\n"
		"  -d, --dest NAME              destination catalog (required)\n"
		"      --shallow                SHALLOW clone (default DEEP)\n"
		"      --incremental            load_type INCREMENTAL (default FULL)\n"
		"      --include-schemas A,B    only these schemas\n"
		"      --exclude-schemas A,B    skip these (default information_schema,default)\n"
		"      --include-tables-regex R / --exclude-tables-regex R\n"
		"      --as-of-version N | --as-of-timestamp TS   clone the source as it was\n"
		"      --source-snapshot-id ID  every table at the version clone snapshot ID\n"
		"                               captured (POST /api/clone-snapshots)\n"
		"      --where SCHEMA.TABLE=PRED  filtered DEEP copy of one table (* = all); repeatable\n"
		"      --tblproperty KEY=VALUE  TBLPROPERTIES on every CLONE; repeatable\n"
		"      --no-permissions, --no-ownership, --no-tags, --no-comments,\n"
		"      --no-constraints, --no-security   leave that class out\n"
		"      --order-by-size asc|desc\n"
		"How:\n"
		"      --parallel-tables N      tables cloned at once (default 1)\n"
		"      --max-rps R              request rate limit (0 = none)\n"
		"      --dry-run                print the plan, change nothing\n"
		"      --resume                 continue an interrupted clone of the same plan\n"
		"      --no-rollback            do not record a rollback point first\n"
		"      --auto-rollback          roll back when an object fails or validation finds\n"
		"                               more than --rollback-threshold %% (default 5) differing\n"
		"      --validate [--checksum]  compare row counts (and content checksums) of\n"
		"                               every table afterwards; validate: only that\n"
		"      --capture-sql FILE       (plan) write the ordered statements to FILE\n"
		TARGET_HELP
		"\n"
		"Exit status: 0 when every object was cloned or deliberately skipped, 1 when any\n"
		"object failed or the clone could not run, 2 for bad options.\n",
		cmd, strcmp(cmd, "plan") == 0 ? "Print the complete ordered statement list a clone would run."
		: strcmp(cmd, "validate") == 0
			     ? "Compare every table of a clone with its source: row counts, and with\n"
			       "--checksum an order-independent content checksum. Exit 1 on any mismatch."
			     : "Clone a Unity Catalog catalog: schemas, tables, functions, views, volumes,\n"
			       "grants, owners, tags, constraints, row filters and column masks.");
}

static int kv_into(json_object *obj, const char *arg, const char *what)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		fprintf(stderr, "clxs: %s wants KEY=VALUE, got '%s'\n", what, arg);
		return -1;
	}
	char key[512];
	snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
	clxs_json_set_str(obj, key, eq + 1);
	return 0;
}

static int parse_clone(int argc, char **argv, clone_cli *c, const char *cmd)
{
	static const struct option opts[] = {
		{"source", required_argument, NULL, 's'},
		{"dest", required_argument, NULL, 'd'},
		{"shallow", no_argument, NULL, 2001},
		{"incremental", no_argument, NULL, 2002},
		{"include-schemas", required_argument, NULL, 2003},
		{"exclude-schemas", required_argument, NULL, 2004},
		{"include-tables-regex", required_argument, NULL, 2005},
		{"exclude-tables-regex", required_argument, NULL, 2006},
		{"as-of-version", required_argument, NULL, 2007},
		{"as-of-timestamp", required_argument, NULL, 2008},
		{"where", required_argument, NULL, 2009},
		{"tblproperty", required_argument, NULL, 2010},
		{"no-permissions", no_argument, NULL, 2011},
		{"no-ownership", no_argument, NULL, 2012},
		{"no-tags", no_argument, NULL, 2013},
		{"no-comments", no_argument, NULL, 2014},
		{"no-constraints", no_argument, NULL, 2015},
		{"no-security", no_argument, NULL, 2016},
		{"order-by-size", required_argument, NULL, 2017},
		{"parallel-tables", required_argument, NULL, 2018},
		{"max-rps", required_argument, NULL, 2019},
		{"dry-run", no_argument, NULL, 2020},
		{"resume", no_argument, NULL, 2021},
		{"capture-sql", required_argument, NULL, 2022},
		{"validate", no_argument, NULL, 2023},
		{"no-rollback", no_argument, NULL, 2025},
		{"auto-rollback", no_argument, NULL, 2026},
		{"rollback-threshold", required_argument, NULL, 2027},
		{"checksum", no_argument, NULL, 2024},
		{"source-snapshot-id", required_argument, NULL, 2028},
		{"help", no_argument, NULL, 'h'},
		TARGET_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	static const char *const no_flags[] = {"copy_permissions", "copy_ownership", "copy_tags",
					       "copy_comments", "copy_constraints", "copy_security"};
	int o;
	char *end;
	optind = 1;
	while ((o = getopt_long(argc, argv, "s:d:h", opts, NULL)) != -1) {
		int t = target_opt(c, o, optarg);
		if (t < 0)
			return 2;
		if (t > 0)
			continue;
		switch (o) {
		case 's': clxs_json_set_str(c->body, "source_catalog", optarg); break;
		case 'd': clxs_json_set_str(c->body, "destination_catalog", optarg); break;
		case 2001: clxs_json_set_str(c->body, "clone_type", "SHALLOW"); break;
		case 2002: clxs_json_set_str(c->body, "load_type", "INCREMENTAL"); break;
		case 2003: json_object_object_add(c->body, "include_schemas", csv_list(optarg)); break;
		case 2004: json_object_object_add(c->body, "exclude_schemas", csv_list(optarg)); break;
		case 2005: clxs_json_set_str(c->body, "include_tables_regex", optarg); break;
		case 2006: clxs_json_set_str(c->body, "exclude_tables_regex", optarg); break;
		case 2007: {
			long long v = strtoll(optarg, &end, 10);
			if (*end || v < 0)
				return fail("--as-of-version wants a version number"), 2;
			clxs_json_set_int(c->body, "as_of_version", v);
			break;
		}
		case 2008: clxs_json_set_str(c->body, "as_of_timestamp", optarg); break;
		case 2009:
		case 2010: {
			const char *key = o == 2009 ? "where_clauses" : "clone_tbl_properties";
			json_object *m = json_object_object_get(c->body, key);
			if (!m) {
				m = json_object_new_object();
				json_object_object_add(c->body, key, m);
			}
			if (kv_into(m, optarg, o == 2009 ? "--where" : "--tblproperty"))
				return 2;
			break;
		}
		case 2011: case 2012: case 2013: case 2014: case 2015: case 2016:
			clxs_json_set_bool(c->body, no_flags[o - 2011], false);
			break;
		case 2017: clxs_json_set_str(c->body, "order_by_size", optarg); break;
		case 2018: {
			long v = strtol(optarg, &end, 10);
			if (*end)
				return fail("--parallel-tables wants a number"), 2;
			clxs_json_set_int(c->body, "parallel_tables", v);
			break;
		}
		case 2019: {
			double v = strtod(optarg, &end);
			if (*end)
				return fail("--max-rps wants a number"), 2;
			json_object_object_add(c->body, "max_rps", json_object_new_double(v));
			clxs_json_set_int(c->target, "max_rps", (int64_t)v);
			break;
		}
		case 2020: clxs_json_set_bool(c->body, "dry_run", true); break;
		case 2021: c->resume = true; break;
		case 2022: c->capture_sql = optarg; break;
		case 2023: clxs_json_set_bool(c->body, "validate_after_clone", true); break;
		case 2024: clxs_json_set_bool(c->body, "validate_checksum", true); break;
		case 2025: clxs_json_set_bool(c->body, "enable_rollback", false); break;
		case 2026: clxs_json_set_bool(c->body, "auto_rollback_on_failure", true); break;
		case 2027: {
			double v = strtod(optarg, &end);
			if (*end)
				return fail("--rollback-threshold wants a percentage"), 2;
			json_object_object_add(c->body, "rollback_threshold", json_object_new_double(v));
			break;
		}
		case 2028: clxs_json_set_str(c->body, "source_snapshot_id", optarg); break;
		case 'h': clone_usage(stdout, cmd); return -1;
		default: clone_usage(stderr, cmd); return 2;
		}
	}
	if (optind < argc)
		return fail("unexpected argument '%s' (see clxs %s --help)", argv[optind], cmd), 2;
	return 0;
}

/* ---- progress and checkpoint ------------------------------------------------- */

static void on_progress(void *ud, int64_t done, int64_t total, json_object *cp)
{
	clone_cli *c = ud;
	if (c->checkpoint_path[0]) {
		char tmp[5000];
		snprintf(tmp, sizeof(tmp), "%s.tmp", c->checkpoint_path);
		if (json_object_to_file(tmp, cp) == 0)
			rename(tmp, c->checkpoint_path);
	}
	if (c->tty && !c->json_out) {
		int width = 30, filled = total ? (int)(done * width / total) : width;
		fprintf(stderr, "\r[%.*s%*s] %lld/%lld statements", filled,
			"##############################", width - filled, "", (long long)done, (long long)total);
		if (done == total)
			fputc('\n', stderr);
	}
}

static void on_log(void *ud, const char *level, const char *msg)
{
	clone_cli *c = ud;
	if (c->logs) {
		char iso[32], line[1200];
		clxs_iso8601(clxs_now_ms(), iso);
		snprintf(line, sizeof(line), "%s [%s] %s", iso, level, msg);
		pthread_mutex_lock(&logs_lock);
		json_object_array_add(c->logs, json_object_new_string(line));
		pthread_mutex_unlock(&logs_lock);
	}
	if (!strcmp(level, "error") || (!c->tty && !c->json_out))
		fprintf(stderr, "%s%s: %s\n", c->tty ? "\n" : "", level, msg);
}

static void checkpoint_path(clone_cli *c, json_object *opts)
{
	char state[4096], dir[4200];
	if (clxs_state_dir_default(state, sizeof(state), NULL) ||
	    clxs_path_join(dir, sizeof(dir), state, "clones", NULL) || clxs_mkdir_p(dir, 0700, NULL))
		return;
	/* The file name is derived from the catalog names with anything but
	 * [A-Za-z0-9_-] replaced, so no name can leave the folder. */
	char name[600];
	snprintf(name, sizeof(name), "%s--%s.json", clxs_json_str(opts, "source_catalog", ""),
		 clxs_json_str(opts, "destination_catalog", ""));
	for (char *p = name; *p; p++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.", *p) ||
		    (*p == '.' && strcmp(p, ".json") != 0))
			*p = '_';
	snprintf(c->checkpoint_path, sizeof(c->checkpoint_path), "%s/%s", dir, name);
}

static clxs_store *open_state_store(clxs_error *err)
{
	char sdir[4096], lmdb[4200];
	clxs_store *st = NULL;
	if (clxs_state_dir_default(sdir, sizeof(sdir), err) || clxs_mkdir_p(sdir, 0700, err) ||
	    clxs_path_join(lmdb, sizeof(lmdb), sdir, CLXS_STATE_LMDB, err) || clxs_store_open(lmdb, 0, &st, err))
		return NULL;
	return st;
}

static clxs_code save_rollback(clxs_store *st, json_object *rec, clxs_error *err)
{
	char key[64];
	/* created_at first in the key: a prefix scan lists them in time order */
	snprintf(key, sizeof(key), "rollback/%s", clxs_json_str(rec, "rollback_id", ""));
	return clxs_store_put(st, CLXS_DB_KV, key, rec, err);
}

static void print_summary(json_object *result, json_object *model)
{
	if (clxs_json_str(result, "rollback_id", NULL))
		printf("rollback id: %s (undo with: clxs rollback %s)\n", clxs_json_str(result, "rollback_id", ""),
		       clxs_json_str(result, "rollback_id", ""));
	printf("tables cloned: %lld, failed: %lld; objects failed: %lld, skipped: %lld; "
	       "%lld statements in %.1f s\n",
	       (long long)clxs_json_int(result, "tables_cloned", 0), (long long)clxs_json_int(result, "tables_failed", 0),
	       (long long)clxs_json_int(result, "objects_failed", 0), (long long)clxs_json_int(result, "objects_skipped", 0),
	       (long long)clxs_json_int(result, "statements_total", 0),
	       (double)clxs_json_int(result, "duration_ms", 0) / 1000.0);
	if (clxs_json_int(result, "volume_files_copied", 0) + clxs_json_int(result, "volume_files_failed", 0) > 0)
		printf("volume files copied: %lld (%lld bytes), failed: %lld\n",
		       (long long)clxs_json_int(result, "volume_files_copied", 0),
		       (long long)clxs_json_int(result, "volume_bytes_copied", 0),
		       (long long)clxs_json_int(result, "volume_files_failed", 0));
	json_object *audit = json_object_object_get(result, "audit");
	if (audit && !strcmp(clxs_json_str(audit, "status", ""), "recorded"))
		printf("audit: job %s by %s recorded (%lld rows, %lld bytes)\n", clxs_json_str(audit, "job_id", ""),
		       clxs_json_str(audit, "user_name", ""), (long long)clxs_json_int(audit, "total_rows", 0),
		       (long long)clxs_json_int(audit, "total_size_bytes", 0));
	json_object *objs = json_object_object_get(result, "objects");
	for (size_t i = 0; objs && i < json_object_array_length(objs); i++) {
		json_object *o = json_object_array_get_idx(objs, i);
		const char *st = clxs_json_str(o, "status", "");
		if (!strcmp(st, "failed"))
			printf("  FAILED  %s %s: %s\n", clxs_json_str(o, "object_type", ""), clxs_json_str(o, "object", ""),
			       clxs_json_str(o, "error", ""));
		else if (!strcmp(st, "skipped"))
			printf("  skipped %s %s: %s\n", clxs_json_str(o, "object_type", ""), clxs_json_str(o, "object", ""),
			       clxs_json_str(o, "reason", ""));
	}
	json_object *w = json_object_object_get(model, "warnings");
	for (size_t i = 0; w && i < json_object_array_length(w); i++)
		printf("  warning: %s\n", json_object_get_string(json_object_array_get_idx(w, i)));
}

static void print_validation(json_object *report, bool json_out)
{
	if (json_out) {
		printf("%s\n", json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		return;
	}
	json_object *tables = json_object_object_get(report, "tables");
	for (size_t i = 0; tables && i < json_object_array_length(tables); i++) {
		json_object *t = json_object_array_get_idx(tables, i);
		const char *st = clxs_json_str(t, "status", "");
		printf("  %-8s %s", st, clxs_json_str(t, "table", ""));
		if (!strcmp(st, "error"))
			printf(": %s", clxs_json_str(t, "error", ""));
		else if (!strcmp(st, "skipped"))
			printf(": %s", clxs_json_str(t, "reason", ""));
		else
			printf(" (rows %s / %s%s%s%s%s)", clxs_json_str(t, "source_rows", ""), clxs_json_str(t, "dest_rows", ""),
			       clxs_json_bool(report, "checksum", false) ? ", checksum " : "",
			       clxs_json_str(t, "source_checksum", ""), clxs_json_bool(report, "checksum", false) ? " / " : "",
			       clxs_json_str(t, "dest_checksum", ""));
		putchar('\n');
	}
	printf("validation: %lld tables checked, %lld mismatched, %lld errors\n",
	       (long long)clxs_json_int(report, "checked", 0), (long long)clxs_json_int(report, "mismatched", 0),
	       (long long)clxs_json_int(report, "errors", 0));
}

/* ---- audit trail --------------------------------------------------------------- */

/* audit_trail from the config file in use by default ($CLXS_CONFIG or the
 * system one), else clone_audit.logs. */
static void cli_audit_location(clxs_audit_loc *loc)
{
	json_object *cfg = NULL;
	const char *path = clxs_config_default_path();
	if (path && access(path, R_OK) == 0)
		cfg = clxs_config_load_file(path, NULL, NULL, NULL);
	clxs_audit_loc_from_config(cfg, loc);
	json_object_put(cfg);
}

/* Write the run's audit rows. A failure is reported (stderr and
 * result.audit) and never changes the clone's outcome. */
static void cli_audit(clone_cli *c, clxs_target *t, const clxs_audit_loc *loc, json_object *opts, json_object *model,
		      json_object *result, int64_t started, const char *status, const char *error)
{
	char id[17];
	clxs_id_hex(id, 16);
	clxs_audit_clone a = {0};
	a.job_id = id;
	a.origin = "cli";
	a.status = status;
	a.error_message = error;
	a.started_ms = started;
	a.completed_ms = clxs_now_ms();
	a.opts = opts;
	a.result = result;
	a.model = model;
	a.logs = c->logs;
	json_object *summary = NULL;
	clxs_error aerr;
	clxs_error_clear(&aerr);
	if (clxs_audit_record_clone(t->ws, t->warehouse_id, loc, &a, &summary, &aerr) == CLXS_OK) {
		clxs_json_set_str(summary, "status", "recorded");
		clxs_json_set_str(summary, "job_id", id);
		if (result)
			json_object_object_add(result, "audit", summary);
		else
			json_object_put(summary);
		return;
	}
	fprintf(stderr, "clxs: warning: could not write the audit rows to %s.%s: %s\n", loc->catalog, loc->schema,
		aerr.message);
	if (result) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "status", "failed");
		clxs_json_set_str(o, "error", aerr.message);
		json_object_object_add(result, "audit", o);
	}
}

static int run_clone(int argc, char **argv, const char *cmd)
{
	int64_t started = clxs_now_ms();
	clxs_audit_loc aloc;
	cli_audit_location(&aloc);
	clone_cli c = {json_object_new_object(), json_object_new_object(), false, false, NULL, "", false, NULL};
	int rc = parse_clone(argc, argv, &c, cmd);
	json_object *opts = NULL, *model = NULL, *plan = NULL, *result = NULL, *resume = NULL;
	clxs_target t;
	memset(&t, 0, sizeof(t));
	clxs_store *store = NULL;
	json_object *rollback = NULL;
	if (rc)
		goto out;
	rc = 1;
	c.tty = isatty(2);
	clxs_error err;
	clxs_error_clear(&err);
	if (!(opts = clxs_clone_validate(c.body, NULL, &err))) {
		fail("%s%s%s", err.message, err.detail[0] ? " — field " : "", err.detail);
		rc = 2;
		goto out;
	}
	json_object *warn = json_object_object_get(opts, "warnings");
	for (size_t i = 0; i < json_object_array_length(warn); i++)
		fprintf(stderr, "clxs: warning: %s\n", json_object_get_string(json_object_array_get_idx(warn, i)));
	if (clxs_target_open(c.target, &t, &err)) {
		fail("cannot reach the workspace: %s", err.message);
		goto out;
	}
	const char *src = clxs_json_str(opts, "source_catalog", "");
	if (clxs_clone_discover(t.ws, t.warehouse_id, src, &model, &err)) {
		fail("cannot read catalog '%s' on %s: %s", src, t.description, err.message);
		goto out;
	}
	/* --source-snapshot-id: every table at the snapshot's captured version. */
	if (clxs_clone_snapshot_apply(t.ws, t.warehouse_id, &aloc, model, opts, &err)) {
		fail("%s", err.message);
		rc = err.code == CLXS_ENOTFOUND || err.code == CLXS_EVALIDATION ? 2 : 1;
		goto out;
	}
	/* INCREMENTAL state and rollback records live in the same LMDB store as
	 * the jobs'. */
	bool needs_store = !strcmp(clxs_json_str(opts, "load_type", ""), "INCREMENTAL") ||
			   clxs_json_bool(opts, "enable_rollback", true);
	if (needs_store && !(store = open_state_store(&err))) {
		fail("cannot open the state store: %s", err.message);
		goto out;
	}
	clxs_clone_incremental_prepare(t.ws, t.warehouse_id, store, model, opts, &err);
	if (!(plan = clxs_clone_plan(model, opts, &err))) {
		fail("cannot plan the clone: %s", err.message);
		goto out;
	}
	if (!strcmp(cmd, "validate")) {
		json_object *report = NULL;
		clxs_clone_validate_run(t.ws, t.warehouse_id, model, opts,
					clxs_json_bool(opts, "validate_checksum", false), &report, &err);
		print_validation(report, c.json_out);
		rc = clxs_json_int(report, "mismatched", 0) + clxs_json_int(report, "errors", 0) > 0 ? 1 : 0;
		json_object_put(report);
		goto out;
	}
	bool dry = !strcmp(cmd, "plan") || clxs_json_bool(opts, "dry_run", false);
	if (c.capture_sql) {
		FILE *f = fopen(c.capture_sql, "we");
		if (!f) {
			fail("cannot write %s: %s", c.capture_sql, strerror(errno));
			goto out;
		}
		json_object *st = json_object_object_get(plan, "statements");
		for (size_t i = 0; i < json_object_array_length(st); i++) {
			json_object *s1 = json_object_array_get_idx(st, i);
			/* File copies are not SQL; they are noted as comments. */
			if (clxs_json_str(s1, "action", NULL))
				fprintf(f, "-- step %lld: %s (Files API)\n", (long long)clxs_json_int(s1, "step", 0),
					clxs_json_str(s1, "action", ""));
			else
				fprintf(f, "%s;\n", clxs_json_str(s1, "sql", ""));
		}
		fclose(f);
	}
	if (dry) {
		if (c.json_out) {
			printf("%s\n", json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		} else {
			json_object *st = json_object_object_get(plan, "statements");
			for (size_t i = 0; i < json_object_array_length(st); i++) {
				json_object *s = json_object_array_get_idx(st, i);
				if (clxs_json_str(s, "action", NULL))
					printf("%4lld  %-12s (copy the files of volume %s through the Files API)\n",
					       (long long)clxs_json_int(s, "step", 0), clxs_json_str(s, "phase", ""),
					       clxs_json_str(s, "object", ""));
				else
					printf("%4lld  %-12s %s;\n", (long long)clxs_json_int(s, "step", 0),
					       clxs_json_str(s, "phase", ""), clxs_json_str(s, "sql", ""));
			}
			json_object *sk = json_object_object_get(plan, "skipped");
			for (size_t i = 0; i < json_object_array_length(sk); i++) {
				json_object *s = json_object_array_get_idx(sk, i);
				printf("      skipped %s %s: %s\n", clxs_json_str(s, "object_type", ""),
				       clxs_json_str(s, "object", ""), clxs_json_str(s, "reason", ""));
			}
			printf("%zu statements, %zu skipped (dry run: nothing changed)\n",
			       json_object_array_length(st), json_object_array_length(sk));
		}
		rc = 0;
		goto out;
	}
	if (clxs_json_bool(opts, "enable_rollback", true)) {
		/* Before the first change: what the destination holds now. */
		if (clxs_rollback_prepare(t.ws, t.warehouse_id, opts, &rollback, &err) ||
		    save_rollback(store, rollback, &err)) {
			fail("cannot record the rollback point: %s", err.message);
			goto out;
		}
		clxs_error aerr;
		clxs_error_clear(&aerr);
		if (clxs_audit_record_rollback(t.ws, t.warehouse_id, &aloc, rollback, NULL, &aerr) != CLXS_OK)
			fprintf(stderr, "clxs: warning: rollback point not stored in %s.%s.rollback_logs (kept locally): %s\n",
				aloc.catalog, aloc.schema, aerr.message);
	}
	c.logs = json_object_new_array();
	checkpoint_path(&c, opts);
	if (c.resume && c.checkpoint_path[0])
		resume = json_object_from_file(c.checkpoint_path);
	clxs_clone_exec ex = {0};
	ex.ws = t.ws;
	ex.warehouse_id = t.warehouse_id;
	ex.progress = on_progress;
	ex.log = on_log;
	ex.ud = &c;
	ex.resume = resume;
	if (clxs_clone_execute(&ex, plan, opts, &result, &err)) {
		fail("clone stopped: %s", err.message);
		cli_audit(&c, &t, &aloc, opts, model, NULL, started, "failed", err.message);
		goto out;
	}
	clxs_clone_incremental_record(store, model, opts, result);
	if (clxs_json_bool(opts, "validate_after_clone", false)) {
		json_object *report = NULL;
		clxs_clone_validate_run(t.ws, t.warehouse_id, model, opts,
					clxs_json_bool(opts, "validate_checksum", false), &report, &err);
		json_object_object_add(result, "validation", report);
	}
	if (rollback)
		clxs_json_set_str(result, "rollback_id", clxs_json_str(rollback, "rollback_id", ""));
	if (rollback && clxs_clone_should_rollback(opts, result)) {
		json_object *report = NULL;
		fprintf(stderr, "clxs: the clone failed its checks; rolling it back (auto_rollback_on_failure)\n");
		clxs_rollback_run(t.ws, t.warehouse_id, rollback, &report, &err);
		clxs_error aerr;
		clxs_audit_mark_rolled_back(t.ws, t.warehouse_id, &aloc, clxs_json_str(rollback, "rollback_id", ""), report,
					    &aerr);
		json_object_object_add(result, "auto_rollback", report);
	}
	json_object_object_add(result, "metadata_queries",
			       json_object_new_int64(clxs_json_int(model, "metadata_queries", 0)));
	json_object_object_add(result, "warnings", json_object_get(json_object_object_get(model, "warnings")));
	{
		json_object *v = json_object_object_get(result, "validation");
		bool bad = clxs_json_int(result, "objects_failed", 0) > 0 || json_object_object_get(result, "auto_rollback") ||
			   clxs_json_int(v, "mismatched", 0) + clxs_json_int(v, "errors", 0) > 0;
		cli_audit(&c, &t, &aloc, opts, model, result, started, bad ? "failed" : "completed",
			  bad ? "some objects failed or differ from the source" : NULL);
		/* Round trips of the whole run (discovery, rollback point, plan,
		 * audit), next to "requests" (up to the end of execution). */
		clxs_ws_stats wst;
		clxs_ws_client_stats(t.ws, &wst);
		clxs_json_set_int(result, "requests_total", (int64_t)wst.requests);
		clxs_json_set_int(result, "statements_submitted", (int64_t)wst.statements);
	}
	if (c.json_out)
		printf("%s\n", json_object_to_json_string_ext(result, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_summary(result, model);
	json_object *val = json_object_object_get(result, "validation");
	if (val && !c.json_out)
		print_validation(val, false);
	rc = clxs_json_int(result, "objects_failed", 0) > 0 ||
			     clxs_json_int(val, "mismatched", 0) + clxs_json_int(val, "errors", 0) > 0
		     ? 1 : 0;
	if (json_object_object_get(result, "auto_rollback"))
		rc = 1;
	if (rc == 0 && c.checkpoint_path[0])
		unlink(c.checkpoint_path); /* finished: nothing to resume */
out:
	json_object_put(c.logs);
	json_object_put(rollback);
	clxs_store_close(store);
	clxs_target_close(&t);
	json_object_put(resume);
	json_object_put(result);
	json_object_put(plan);
	json_object_put(model);
	json_object_put(opts);
	json_object_put(c.body);
	json_object_put(c.target);
	return rc < 0 ? 0 : rc;
}

int clxs_cmd_clone(int argc, char **argv)
{
	return run_clone(argc, argv, "clone");
}

int clxs_cmd_plan(int argc, char **argv)
{
	return run_clone(argc, argv, "plan");
}

int clxs_cmd_validate(int argc, char **argv)
{
	return run_clone(argc, argv, "validate");
}

/* ---- demo data ------------------------------------------------------------------ */

static void demo_progress(void *ud, int64_t done, int64_t total)
{
	if (*(bool *)ud)
		fprintf(stderr, "\r%lld/%lld steps", (long long)done, (long long)total);
}

int clxs_cmd_demo_data(int argc, char **argv)
{
	static const struct option opts[] = {
		{"catalog", required_argument, NULL, 'c'},
		{"scale", required_argument, NULL, 'n'},
		{"industries", required_argument, NULL, 'i'},
		{"cleanup", no_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		TARGET_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	clone_cli c = {NULL, json_object_new_object(), false, false, NULL, "", false, NULL};
	json_object *body = json_object_new_object();
	const char *catalog = NULL;
	bool cleanup = false;
	int o, rc = 2;
	char *end;
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:n:h", opts, NULL)) != -1) {
		int t = target_opt(&c, o, optarg);
		if (t < 0)
			goto out;
		if (t > 0)
			continue;
		switch (o) {
		case 'c': catalog = optarg; break;
		case 'n': {
			double scale = strtod(optarg, &end);
			if (*end || !(scale > 0 && scale <= 1000)) {
				fail("--scale must be a number above 0 and at most 1000");
				goto out;
			}
			json_object_object_add(body, "scale_factor", json_object_new_double(scale));
			break;
		}
		case 'i': json_object_object_add(body, "industries", csv_list(optarg)); break;
		case 'x': cleanup = true; break;
		case 'h':
			printf("Usage: clxs demo-data --catalog NAME [--scale N] [--industries A,B] [--cleanup] [where options]\n\n"
			       "Build a realistic demo catalog (bronze/silver/gold over up to ten industries:\n"
			       "tables with constraints, PII, comments, properties, tags, grants, functions, a\n"
			       "column mask and a row filter, cross-schema views, a volume with files, table\n"
			       "histories), or drop one with --cleanup (only demo catalogs are dropped).\n"
			       "Scale N multiplies the rows (1 = 200 customers, 1000 orders, 100 patients, and\n"
			       "50 + 300 rows per other industry). Industries: retail, healthcare, financial,\n"
			       "manufacturing, telecom, energy, insurance, logistics, education, real_estate\n"
			       "(default all).\n\n"
			       TARGET_HELP);
			rc = 0;
			goto out;
		default: goto out;
		}
	}
	if (!catalog) {
		fail("--catalog is required (see clxs demo-data --help)");
		goto out;
	}
	rc = 1;
	clxs_error err;
	json_object_object_add(body, "catalog_name", json_object_new_string(catalog));
	json_object *dopts = clxs_demo_validate(body, &err);
	if (!dopts) {
		fail("%s", err.message);
		goto out;
	}
	clxs_target t;
	if (clxs_target_open(c.target, &t, &err)) {
		fail("cannot reach the workspace: %s", err.message);
		json_object_put(dopts);
		goto out;
	}
	json_object *res = NULL;
	bool tty = isatty(2) && !c.json_out;
	clxs_demo_hooks hooks = {NULL, demo_progress, NULL, &tty};
	clxs_code drc = cleanup ? clxs_demo_drop(t.ws, t.warehouse_id, catalog, &res, &err)
				: clxs_demo_build(t.ws, t.warehouse_id, dopts, &hooks, &res, &err);
	if (tty && !cleanup)
		fputc('\n', stderr);
	if (cleanup && drc == CLXS_ENOTFOUND)
		drc = CLXS_OK; /* nothing to clean up */
	if (drc) {
		fail("%s", err.message);
	} else {
		rc = 0;
		if (c.json_out)
			printf("%s\n", res ? json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN) : "{}");
		else if (cleanup)
			printf("dropped demo catalog %s on %s\n", catalog, t.description);
		else
			printf("built demo catalog %s on %s (%lld tables, %lld rows, %lld statements)\n", catalog,
			       t.description, (long long)clxs_json_int(res, "tables", 0),
			       (long long)clxs_json_int(res, "rows", 0), (long long)clxs_json_int(res, "statements", 0));
	}
	json_object_put(res);
	clxs_target_close(&t);
	json_object_put(dopts);
out:
	json_object_put(body);
	json_object_put(c.target);
	return rc;
}

/* ---- rollback ------------------------------------------------------------------- */

struct list_ctx {
	json_object *arr;
};

static int collect_rollback(const char *key, json_object *val, void *ud)
{
	(void)key;
	json_object_array_add(((struct list_ctx *)ud)->arr, json_object_get(val));
	return 0;
}

static int cmp_created(const void *a, const void *b)
{
	return -strcmp(clxs_json_str(*(json_object *const *)a, "created_at", ""),
		       clxs_json_str(*(json_object *const *)b, "created_at", ""));
}

int clxs_cmd_rollback(int argc, char **argv)
{
	static const struct option opts[] = {
		{"list", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		TARGET_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	clone_cli c = {NULL, json_object_new_object(), false, false, NULL, "", false, NULL};
	bool list = false;
	int o, rc = 2;
	clxs_store *st = NULL;
	json_object *rec = NULL, *report = NULL;
	clxs_target t;
	memset(&t, 0, sizeof(t));
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int tg = target_opt(&c, o, optarg);
		if (tg < 0)
			goto out;
		if (tg > 0)
			continue;
		switch (o) {
		case 'L': list = true; break;
		case 'h':
			printf("Usage: clxs rollback --list | clxs rollback ID [where options]\n\n"
			       "Undo a clone: tables that existed before it are RESTOREd to their version\n"
			       "before the clone, objects it created are dropped (the whole catalog when the\n"
			       "clone created it), nothing else is touched. Grants, tags and owners changed\n"
			       "on objects that existed before are not reverted.\n\n" TARGET_HELP);
			rc = 0;
			goto out;
		default: goto out;
		}
	}
	if (list == (optind < argc) || optind + (list ? 0 : 1) != argc) {
		fail("give --list or one rollback id (see clxs rollback --help)");
		goto out;
	}
	rc = 1;
	clxs_error err;
	if (!(st = open_state_store(&err))) {
		fail("cannot open the state store: %s", err.message);
		goto out;
	}
	if (list) {
		struct list_ctx lc = {json_object_new_array()};
		clxs_txn *txn;
		if (clxs_txn_begin(st, false, &txn, &err) == CLXS_OK) {
			clxs_txn_scan(txn, CLXS_DB_KV, "rollback/", false, collect_rollback, &lc, &err);
			clxs_txn_abort(txn);
		}
		json_object_array_sort(lc.arr, cmp_created);
		if (c.json_out) {
			printf("%s\n", clxs_json_text(lc.arr));
		} else {
			for (size_t i = 0; i < json_object_array_length(lc.arr); i++) {
				json_object *r = json_object_array_get_idx(lc.arr, i);
				printf("%s  %s  %s -> %s%s\n", clxs_json_str(r, "rollback_id", ""),
				       clxs_json_str(r, "created_at", ""), clxs_json_str(r, "source_catalog", ""),
				       clxs_json_str(r, "destination_catalog", ""),
				       clxs_json_bool(r, "catalog_existed", true) ? "" : " (catalog created)");
			}
		}
		json_object_put(lc.arr);
		rc = 0;
		goto out;
	}
	char key[300];
	snprintf(key, sizeof(key), "rollback/%.200s", argv[optind]);
	if (!(rec = clxs_store_get(st, CLXS_DB_KV, key, &err))) {
		fail("no rollback record '%s' (see clxs rollback --list)", argv[optind]);
		goto out;
	}
	if (clxs_target_open(c.target, &t, &err)) {
		fail("cannot reach the workspace: %s", err.message);
		goto out;
	}
	if (clxs_rollback_run(t.ws, t.warehouse_id, rec, &report, &err)) {
		fail("rollback failed: %s", err.message);
		json_object_put(report);
		report = NULL;
		goto out;
	}
	if (c.json_out) {
		printf("%s\n", json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		json_object *acts = json_object_object_get(report, "actions");
		for (size_t i = 0; i < json_object_array_length(acts); i++) {
			json_object *a = json_object_array_get_idx(acts, i);
			printf("  %-6s %s: %s%s%s\n", clxs_json_str(a, "status", ""), clxs_json_str(a, "action", ""),
			       clxs_json_str(a, "sql", ""), clxs_json_str(a, "error", NULL) ? " — " : "",
			       clxs_json_str(a, "error", ""));
		}
	}
	rc = clxs_json_int(report, "actions_failed", 0) > 0 ? 1 : 0;
out:
	json_object_put(report);
	json_object_put(rec);
	clxs_target_close(&t);
	clxs_store_close(st);
	json_object_put(c.target);
	return rc;
}

/* ---- sql ------------------------------------------------------------------------ */

/* clxs sql --file: every statement of a script, in order, through one
 * client (one process and one connection for the lot). Stops at the first
 * failure. */
static int run_script(clxs_target *t, const char *catalog, const char *schema, const char *path, bool json_out)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f)
		return fail("cannot read %s: %s", path, strerror(errno));
	clxs_buf text;
	clxs_buf_init(&text);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		clxs_buf_append(&text, chunk, n);
	if (f != stdin)
		fclose(f);
	clxs_sql_stmt *st = NULL;
	size_t count = 0, i = 0;
	clxs_error err;
	int rc = 1;
	if (clxs_buf_failed(&text)) {
		fail("out of memory reading %s", path);
	} else if (clxs_sql_split(clxs_buf_str(&text), text.len, &st, &count, &err) != CLXS_OK) {
		fail("%s: %s", path, err.message);
	} else {
		for (i = 0; i < count; i++) {
			clxs_ws_result res = {0};
			clxs_code c = clxs_ws_sql(t->ws, t->warehouse_id, catalog, schema, st[i].text, NULL, 0, NULL, &res, &err);
			clxs_ws_result_free(&res);
			if (c != CLXS_OK) {
				fail("%s:%u: statement %zu failed: %s", path, st[i].line, i + 1, err.message);
				break;
			}
		}
		if (i == count) {
			rc = 0;
			if (json_out)
				printf("{\"statements\":%zu}\n", count);
			else
				printf("%zu statements\n", count);
		}
	}
	clxs_sql_stmts_free(st, count);
	clxs_buf_free(&text);
	return rc;
}

int clxs_cmd_sql(int argc, char **argv)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"catalog", required_argument, NULL, 'c'},
		{"schema", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		TARGET_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	clone_cli c = {NULL, json_object_new_object(), false, false, NULL, "", false, NULL};
	const char *catalog = NULL, *schema = NULL, *file = NULL;
	int o, rc = 2;
	optind = 1;
	while ((o = getopt_long(argc, argv, "f:c:s:h", opts, NULL)) != -1) {
		int t = target_opt(&c, o, optarg);
		if (t < 0)
			goto out;
		if (t > 0)
			continue;
		switch (o) {
		case 'f': file = optarg; break;
		case 'c': catalog = optarg; break;
		case 's': schema = optarg; break;
		case 'h':
			printf("Usage: clxs sql [--catalog C] [--schema S] [where options] STATEMENT\n"
			       "       clxs sql --file FILE|- [...]\n\n"
			       "Run one SQL statement through the workspace client (the Statement Execution\n"
			       "API) and print its rows tab-separated (NULL for nulls), or {columns, rows}\n"
			       "with --json. --file runs every ;-separated statement of a script in order\n"
			       "(stopping at the first failure) and prints how many ran.\n\n" TARGET_HELP);
			rc = 0;
			goto out;
		default: goto out;
		}
	}
	if (file ? optind != argc : optind != argc - 1) {
		fail(file ? "--file takes no statement argument" : "give exactly one statement (see clxs sql --help)");
		goto out;
	}
	rc = 1;
	clxs_error err;
	clxs_target t;
	if (clxs_target_open(c.target, &t, &err)) {
		fail("cannot reach the workspace: %s", err.message);
		goto out;
	}
	if (file) {
		rc = run_script(&t, catalog, schema, file, c.json_out);
		clxs_target_close(&t);
		goto out;
	}
	clxs_ws_result res = {0};
	if (clxs_ws_sql(t.ws, t.warehouse_id, catalog, schema, argv[optind], NULL, 0, NULL, &res, &err)) {
		fail("%s", err.message);
	} else if (c.json_out) {
		json_object *o2 = json_object_new_object(), *cols = json_object_new_array();
		for (size_t i = 0; i < res.ncols; i++)
			json_object_array_add(cols, json_object_new_string(res.col_names[i]));
		json_object_object_add(o2, "columns", cols);
		json_object_object_add(o2, "rows", json_object_get(res.rows));
		printf("%s\n", clxs_json_text(o2));
		json_object_put(o2);
		rc = 0;
	} else {
		for (size_t r = 0; r < res.nrows; r++)
			for (size_t col = 0; col < res.ncols; col++) {
				const char *v = clxs_ws_result_cell(&res, r, col);
				printf("%s%s", v ? v : "NULL", col + 1 < res.ncols ? "\t" : "\n");
			}
		rc = 0;
	}
	clxs_ws_result_free(&res);
	clxs_target_close(&t);
out:
	json_object_put(c.target);
	return rc;
}
