/* clxs audit: the clone audit trail (clone_operations, and with --job the
 * run log) from the audit catalog, on the embedded lakehouse by default. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/audit.h"
#include "clxs/cli.h"
#include "clxs/config.h"
#include "clxs/json.h"
#include "clxs/target.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: clxs audit [--job ID] [--limit N] [--json] [where options]\n"
		"\n"
		"Show the clone audit trail kept in the audit catalog (config audit_trail,\n"
		"default clone_audit.logs): one line per clone job, newest first. With --job,\n"
		"that job's full run log (status, user, totals and log lines).\n"
		"\n"
		"      --job ID             one job's run log\n"
		"      --limit N            at most N entries (default 20)\n"
		"      --catalog NAME / --schema NAME   another audit location\n"
		"Where (default: the embedded lakehouse in $CLXS_STATE_DIR/lakehouse, in-process):\n"
		"      --host URL           a Databricks workspace (token from DATABRICKS_TOKEN or\n"
		"                           --token-env VAR)\n"
		"      --profile NAME       a ~/.databrickscfg profile\n"
		"      --warehouse-id ID    the SQL warehouse to run statements on\n"
		"      --lakehouse-dir DIR  the embedded lakehouse's data directory\n"
		"      --json               machine-readable output\n");
}

static void print_table(json_object *rows)
{
	printf("%-16s %-24s %-9s %-18s %-18s %-14s %7s %10s %12s\n", "JOB", "COMPLETED", "STATUS", "SOURCE",
	       "DESTINATION", "USER", "TABLES", "ROWS", "BYTES");
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		json_object *r = json_object_array_get_idx(rows, i);
		printf("%-16.16s %-24.24s %-9.9s %-18.18s %-18.18s %-14.14s %7lld %10lld %12lld\n",
		       clxs_json_str(r, "job_id", ""), clxs_json_str(r, "completed_at", ""), clxs_json_str(r, "status", ""),
		       clxs_json_str(r, "source_catalog", ""), clxs_json_str(r, "destination_catalog", ""),
		       clxs_json_str(r, "user_name", ""), (long long)clxs_json_int(r, "tables_cloned", 0),
		       (long long)clxs_json_int(r, "total_rows", 0), (long long)clxs_json_int(r, "total_size_bytes", 0));
	}
	if (json_object_array_length(rows) == 0)
		printf("(no clone has been recorded yet)\n");
}

static void print_run(json_object *r)
{
	static const char *const keys[] = {"job_id", "origin", "status", "source_catalog", "destination_catalog",
					   "clone_type", "load_type", "user_name", "host", "started_at", "completed_at",
					   "error_message"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (clxs_json_str(r, keys[i], NULL))
			printf("%-20s %s\n", keys[i], clxs_json_str(r, keys[i], ""));
	printf("%-20s %.1f\n", "duration_seconds", clxs_json_double(r, "duration_seconds", 0));
	json_object *lines = json_object_object_get(r, "log_lines");
	printf("log (%zu lines):\n", json_object_array_length(lines));
	for (size_t i = 0; i < json_object_array_length(lines); i++)
		printf("  %s\n", json_object_get_string(json_object_array_get_idx(lines, i)));
}

int clxs_cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"job", required_argument, NULL, 'j'},
		{"limit", required_argument, NULL, 'n'},
		{"catalog", required_argument, NULL, 'c'},
		{"schema", required_argument, NULL, 's'},
		{"host", required_argument, NULL, 1001},
		{"token-env", required_argument, NULL, 1002},
		{"profile", required_argument, NULL, 1003},
		{"warehouse-id", required_argument, NULL, 1004},
		{"lakehouse-dir", required_argument, NULL, 1005},
		{"json", no_argument, NULL, 1006},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	json_object *target = json_object_new_object(), *cfg = NULL, *out = NULL;
	const char *job = NULL, *cat = NULL, *sch = NULL;
	long limit = 20;
	bool json_out = false;
	int o, rc = 2;
	char *end;
	optind = 1;
	while ((o = getopt_long(argc, argv, "j:n:h", opts, NULL)) != -1) {
		switch (o) {
		case 'j': job = optarg; break;
		case 'n':
			limit = strtol(optarg, &end, 10);
			if (*end || limit < 1 || limit > 10000) {
				fprintf(stderr, "clxs: --limit must be 1..10000\n");
				goto out;
			}
			break;
		case 'c': cat = optarg; break;
		case 's': sch = optarg; break;
		case 1001: clxs_json_set_str(target, "host", optarg); break;
		case 1002: {
			/* Tokens come from the environment so they never show in ps. */
			const char *tok = getenv(optarg);
			if (!tok || !*tok) {
				fprintf(stderr, "clxs: environment variable %s is empty\n", optarg);
				goto out;
			}
			clxs_json_set_str(target, "token", tok);
			break;
		}
		case 1003: clxs_json_set_str(target, "profile", optarg); break;
		case 1004: clxs_json_set_str(target, "warehouse_id", optarg); break;
		case 1005: clxs_json_set_str(target, "lakehouse_dir", optarg); break;
		case 1006: json_out = true; break;
		case 'h': usage(stdout); rc = 0; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "clxs: unexpected argument '%s' (see clxs audit --help)\n", argv[optind]);
		goto out;
	}
	clxs_error err;
	clxs_error_clear(&err);
	clxs_audit_loc loc;
	const char *path = clxs_config_default_path();
	if (path && access(path, R_OK) == 0)
		cfg = clxs_config_load_file(path, NULL, NULL, NULL);
	clxs_audit_loc_from_config(cfg, &loc);
	if (clxs_audit_loc_set(&loc, cat, sch, &err) != CLXS_OK) {
		fprintf(stderr, "clxs: %s\n", err.message);
		goto out;
	}
	rc = 1;
	clxs_target t;
	if (clxs_target_open(target, &t, &err) != CLXS_OK) {
		fprintf(stderr, "clxs: cannot reach the workspace: %s\n", err.message);
		goto out;
	}
	clxs_code c = job ? clxs_audit_run_log(t.ws, t.warehouse_id, &loc, job, &out, &err)
			  : clxs_audit_list(t.ws, t.warehouse_id, &loc, NULL, (int)limit, &out, &err);
	clxs_target_close(&t);
	if (c != CLXS_OK) {
		fprintf(stderr, "clxs: %s\n", err.message);
		goto out;
	}
	if (json_out)
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (job)
		print_run(out);
	else
		print_table(out);
	rc = 0;
out:
	json_object_put(out);
	json_object_put(cfg);
	json_object_put(target);
	return rc;
}
