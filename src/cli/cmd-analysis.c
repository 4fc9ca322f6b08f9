/* clxs diff | compare | schema-drift | diff-detail | stats | search |
 * profile | profile-table | profile-results | estimate | storage-metrics |
 * export | permissions-audit | stale-scan: the analysis operations from the
 * command line. Flags map one-to-one onto the API's body fields and go
 * through the same validation (clxs_an_validate) and the same engine call
 * (clxs_an_run), on the embedded lakehouse by default.
 *
 * Exit status: 0 success; 1 the operation failed; 2 bad options; 3 (diff,
 * compare, schema-drift, diff-detail) the catalogs differ. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/analysis.h"
#include "clxs/cli.h"
#include "clxs/daemon.h"
#include "clxs/json.h"
#include "clxs/target.h"

#define EXIT_DIFFERENT 3

typedef struct {
	const char *name;
	const char *summary;
	const char *usage;     /* positional / required options */
	const char *positional; /* body field of the one positional argument, or NULL */
} an_cmd;

static const an_cmd cmds[] = {
	{"diff", "Compare two catalogs: schemas, tables, views, functions, volumes and their files, grants, "
		 "owners, tags, comments, properties, constraints, row filters, column masks, view definitions.",
	 "--source CATALOG --dest CATALOG", NULL},
	{"compare", "Column-level comparison of two catalogs: names, types, nullability and order.",
	 "--source CATALOG --dest CATALOG", NULL},
	{"schema-drift", "Added, removed and modified columns between two catalogs.", "--source CATALOG --dest CATALOG",
	 NULL},
	{"diff-detail", "Presence, column drift and size delta between two catalogs.", "--source CATALOG --dest CATALOG",
	 NULL},
	{"stats", "Catalog statistics: sizes, row counts, file counts and top tables.", "--source CATALOG", NULL},
	{"search", "Tables (and with --columns, columns) whose name matches a regular expression.",
	 "--source CATALOG PATTERN", "pattern"},
	{"profile", "Per-column null, distinct, min and max of every table of a catalog.", "--source CATALOG", NULL},
	{"profile-table", "Deep profile of one table: histograms, top values, lengths.", "CATALOG.SCHEMA.TABLE",
	 "table_fqn"},
	{"profile-results", "Deep profile of a query's result, computed in the warehouse.", "'SELECT ...'", "sql"},
	{"estimate", "Storage cost estimate of a catalog.", "--source CATALOG", NULL},
	{"storage-metrics", "Active, vacuumable and time-travel bytes per table.", "--source CATALOG", NULL},
	{"export", "Export catalog metadata (one row per column) to CSV or JSON in STATE/exports.",
	 "--source CATALOG", NULL},
	{"permissions-audit", "Risky table grants (public groups, ALL PRIVILEGES) by risk level.", "--source CATALOG",
	 NULL},
	{"stale-scan", "Tables idle for longer than a threshold, with risk and a suggested action.", "--source CATALOG",
	 NULL},
};

static void usage(FILE *out, const an_cmd *c)
{
	fprintf(out,
		"Usage: clxs %s %s [options]\n\n%s\n\n"
		"Options (each is the API field of the same name; the operation refuses\n"
		"fields it does not take):\n"
		"  -s, --source NAME          source_catalog\n"
		"  -d, --dest NAME            destination_catalog\n"
		"      --exclude-schemas A,B  exclude_schemas (default information_schema,default)\n"
		"      --include-schemas A,B  include_schemas (estimate)\n"
		"      --max-workers N        max_workers (profile)\n"
		"      --columns              search_columns (search)\n"
		"      --output FILE          output_path: a file name in STATE/exports (export, profile)\n"
		"      --format csv|json      format (export)\n"
		"      --price-per-gb X       price_per_gb (estimate, default 0.023)\n"
		"      --schema S / --table T schema_filter / table_filter (storage-metrics)\n"
		"      --pii                  pii_intersection (permissions-audit)\n"
		"      --days-threshold N, --min-age-days N, --min-size-bytes N, --small-files,\n"
		"      --catalogs A,B         (stale-scan) thresholds and several catalogs\n"
		"      --sample-limit N, --top-n N, --bins N   (profile-table, profile-results)\n"
		"      --skip CLASS,...       skip_classes (diff): e.g. volume_files,properties\n"
		"Where (default: the embedded lakehouse in $CLXS_STATE_DIR/lakehouse, in-process):\n"
		"      --host URL             a Databricks workspace (token from DATABRICKS_TOKEN or\n"
		"                             --token-env VAR; never on the command line)\n"
		"      --profile NAME         a ~/.databrickscfg profile\n"
		"      --warehouse-id ID      the SQL warehouse to run statements on\n"
		"      --lakehouse-dir DIR    the embedded lakehouse's data directory\n"
		"      --json                 print the API's JSON response\n\n"
		"Exit status: 0 done, 1 the operation failed, 2 bad options%s.\n",
		c->name, c->usage, c->summary,
		!strcmp(c->name, "diff") || !strcmp(c->name, "compare") || !strcmp(c->name, "schema-drift") ||
				!strcmp(c->name, "diff-detail")
			? ", 3 the catalogs differ"
			: "");
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

static int set_int(json_object *body, const char *field, const char *arg)
{
	char *end;
	long long v = strtoll(arg, &end, 10);
	if (!*arg || *end) {
		fprintf(stderr, "clxs: %s wants an integer, got '%s'\n", field, arg);
		return -1;
	}
	json_object_object_add(body, field, json_object_new_int64(v));
	return 0;
}

/* ---- human output ---------------------------------------------------------------- */

static const char *cell(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v = json_object_object_get(o, key);
	if (!v)
		return "";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	snprintf(buf, len, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	return buf;
}

/* A table: header, then one line per element of arr, columns padded to
 * their widest cell (capped at 60 characters). */
static void table(json_object *arr, const char *const *keys, size_t n)
{
	size_t w[16] = {0};
	char buf[512];
	for (size_t k = 0; k < n; k++)
		w[k] = strlen(keys[k]);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		for (size_t k = 0; k < n; k++) {
			size_t l = strlen(cell(json_object_array_get_idx(arr, i), keys[k], buf, sizeof(buf)));
			w[k] = l > w[k] ? (l > 60 ? 60 : l) : w[k];
		}
	for (size_t k = 0; k < n; k++)
		printf("%-*s%s", (int)w[k], keys[k], k + 1 < n ? "  " : "\n");
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		for (size_t k = 0; k < n; k++)
			printf("%-*.60s%s", (int)w[k], cell(json_object_array_get_idx(arr, i), keys[k], buf, sizeof(buf)),
			       k + 1 < n ? "  " : "\n");
}

static void names(const char *title, json_object *arr)
{
	printf("%-18s %zu", title, arr ? json_object_array_length(arr) : 0);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		printf("%s%s", i ? ", " : "  ", json_object_get_string(json_object_array_get_idx(arr, i)));
	printf("\n");
}

#define KEYS(...) (const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *)

static void print_human(const char *op, json_object *o)
{
	json_object *g;
	if (!strcmp(op, "diff")) {
		/* One line per class: its count, then what differs. */
		static const char *const what[] = {"schemas", "tables", "views"};
		for (size_t i = 0; i < 3; i++) {
			char k[64], t[64];
			snprintf(k, sizeof(k), "missing_%s", what[i]);
			snprintf(t, sizeof(t), "missing %s:", what[i]);
			names(t, json_object_object_get(o, k));
			snprintf(k, sizeof(k), "extra_%s", what[i]);
			snprintf(t, sizeof(t), "extra %s:", what[i]);
			names(t, json_object_object_get(o, k));
			snprintf(k, sizeof(k), "matching_%s", what[i]);
			printf("%-18s %zu\n", "matching:", json_object_array_length(json_object_object_get(o, k)));
		}
		printf("\n");
		json_object *sum = json_object_object_get(o, "summary"), *none = json_object_new_object();
		json_object_object_foreach(sum ? sum : none, cls, n) {
			json_object *c = json_object_object_get(o, cls);
			printf("%-18s %lld", cls, (long long)json_object_get_int64(n));
			const char *lists[] = {"missing", "extra", "changed"};
			int shown = 0;
			for (size_t l = 0; c && l < 3; l++) {
				json_object *a = json_object_object_get(c, lists[l]);
				for (size_t i = 0; a && i < json_object_array_length(a) && shown < 20; i++, shown++) {
					json_object *e = json_object_array_get_idx(a, i);
					printf("%s%s %s", shown ? "; " : "  ", lists[l],
					       json_object_is_type(e, json_type_string) ? json_object_get_string(e)
											: clxs_json_str(e, "object", ""));
				}
			}
			printf("%s\n", shown == 20 && (long long)json_object_get_int64(n) > 20 ? "; ..." : "");
		}
		json_object_put(none);
		json_object *sk = json_object_object_get(o, "skipped_classes"), *ce = json_object_object_get(o, "class_errors");
		for (size_t i = 0; sk && i < json_object_array_length(sk); i++)
			printf("%-18s skipped\n", json_object_get_string(json_object_array_get_idx(sk, i)));
		for (size_t i = 0; ce && i < json_object_array_length(ce); i++) {
			json_object *e = json_object_array_get_idx(ce, i);
			printf("%-18s NOT CHECKED: %s\n", clxs_json_str(e, "class", ""), clxs_json_str(e, "error", ""));
		}
		printf("total differences: %lld\n", (long long)clxs_json_int(o, "total_differences", 0));
	} else if (!strcmp(op, "compare")) {
		names("missing tables:", json_object_object_get(o, "missing_tables"));
		names("extra tables:", json_object_object_get(o, "extra_tables"));
		printf("%lld tables compared, %lld with differences\n\n", (long long)clxs_json_int(o, "tables_compared", 0),
		       (long long)clxs_json_int(o, "tables_with_differences", 0));
		table(json_object_object_get(o, "differences"), KEYS("table", "column", "issue", "source", "destination"));
	} else if (!strcmp(op, "schema-drift") || !strcmp(op, "diff-detail")) {
		json_object *t = json_object_object_get(o, "tables");
		names("missing tables:", t ? json_object_object_get(t, "missing") : json_object_object_get(o, "missing_tables"));
		names("extra tables:", t ? json_object_object_get(t, "extra") : json_object_object_get(o, "extra_tables"));
		printf("\n");
		if (t)
			table(json_object_object_get(o, "drift"),
			      KEYS("table_fqn", "added_columns", "removed_columns", "modified_columns", "size_delta_bytes"));
		else
			table(json_object_object_get(o, "drift"),
			      KEYS("table", "added_columns", "removed_columns", "modified_columns", "order_changed"));
	} else if (!strcmp(op, "stats")) {
		printf("catalog %s: %lld schemas, %lld tables, %lld views, %lld rows, %lld bytes in %lld files\n\n",
		       clxs_json_str(o, "catalog", ""), (long long)clxs_json_int(o, "total_schemas", 0),
		       (long long)clxs_json_int(o, "total_tables", 0), (long long)clxs_json_int(o, "total_views", 0),
		       (long long)clxs_json_int(o, "total_rows", 0), (long long)clxs_json_int(o, "total_size_bytes", 0),
		       (long long)clxs_json_int(o, "total_files", 0));
		table(json_object_object_get(o, "schemas"), KEYS("schema", "tables", "views", "rows", "size_bytes"));
		printf("\ntop tables by size:\n");
		table(json_object_object_get(o, "top_tables"), KEYS("table", "row_count", "size_bytes", "num_files"));
	} else if (!strcmp(op, "search")) {
		table(json_object_object_get(o, "matched_tables"), KEYS("fqn", "table_type"));
		if (json_object_array_length(json_object_object_get(o, "matched_columns"))) {
			printf("\n");
			table(json_object_object_get(o, "matched_columns"), KEYS("fqn", "column", "data_type"));
		}
	} else if (!strcmp(op, "estimate")) {
		printf("catalog %s: %lld tables, %lld bytes (%.6f GB) at $%.4f/GB: $%.2f a month, $%.2f a year\n\n",
		       clxs_json_str(o, "catalog", ""), (long long)clxs_json_int(o, "table_count", 0),
		       (long long)clxs_json_int(o, "total_size_bytes", 0), clxs_json_double(o, "total_size_gb", 0),
		       clxs_json_double(o, "price_per_gb", 0), clxs_json_double(o, "estimated_monthly_cost", 0),
		       clxs_json_double(o, "estimated_yearly_cost", 0));
		table(json_object_object_get(o, "schemas"), KEYS("schema", "tables", "size_bytes", "monthly_cost"));
	} else if (!strcmp(op, "storage-metrics")) {
		table(json_object_object_get(o, "tables"),
		      KEYS("schema", "table", "active_bytes", "vacuumable_bytes", "time_travel_bytes", "num_files"));
	} else if (!strcmp(op, "export")) {
		printf("%s (%lld rows, %s)\n", clxs_json_str(o, "output_path", ""), (long long)clxs_json_int(o, "rows", 0),
		       clxs_json_str(o, "format", ""));
	} else if (!strcmp(op, "permissions-audit")) {
		table(json_object_object_get(o, "audit_results"),
		      KEYS("risk_level", "table_fqn", "principal", "privilege", "suggested_action"));
	} else if (!strcmp(op, "stale-scan")) {
		table(json_object_object_get(o, "findings"),
		      KEYS("risk_level", "table_fqn", "last_write_days_ago", "table_size_bytes", "suggested_action"));
	} else if (!strcmp(op, "profile")) {
		json_object *t = json_object_object_get(o, "tables");
		for (size_t i = 0; i < json_object_array_length(t); i++) {
			json_object *x = json_object_array_get_idx(t, i);
			printf("%s%s (%lld rows)\n", i ? "\n" : "", clxs_json_str(x, "table", ""),
			       (long long)clxs_json_int(x, "row_count", 0));
			table(json_object_object_get(x, "columns"),
			      KEYS("column_name", "data_type", "null_count", "distinct_count", "min", "max"));
		}
	} else if ((g = json_object_object_get(o, "columns"))) { /* profile-table, profile-results */
		printf("%lld rows\n", (long long)clxs_json_int(o, "row_count", 0));
		table(g, KEYS("column_name", "data_type", "null_count", "distinct_count", "min", "max", "avg",
			      "avg_length"));
	} else {
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object *errs = json_object_object_get(o, "errors");
	for (size_t i = 0; errs && i < json_object_array_length(errs); i++)
		fprintf(stderr, "clxs: warning: %s\n", json_object_to_json_string(json_object_array_get_idx(errs, i)));
}

static bool differs(const char *op, json_object *o)
{
	if (!strcmp(op, "diff")) { /* a class that could not be checked is no proof of equality */
		json_object *ce = json_object_object_get(o, "class_errors");
		return clxs_json_int(o, "total_differences", 0) > 0 || (ce && json_object_array_length(ce) > 0);
	}
	if (!strcmp(op, "compare"))
		return clxs_json_int(o, "tables_with_differences", 0) ||
		       json_object_array_length(json_object_object_get(o, "missing_tables")) ||
		       json_object_array_length(json_object_object_get(o, "extra_tables"));
	if (!strcmp(op, "schema-drift"))
		return json_object_array_length(json_object_object_get(o, "drift")) ||
		       json_object_array_length(json_object_object_get(o, "missing_tables")) ||
		       json_object_array_length(json_object_object_get(o, "extra_tables"));
	if (!strcmp(op, "diff-detail")) {
		json_object *s = json_object_object_get(o, "schemas"), *t = json_object_object_get(o, "tables");
		return json_object_array_length(json_object_object_get(o, "drift")) ||
		       json_object_array_length(json_object_object_get(s, "missing")) ||
		       json_object_array_length(json_object_object_get(s, "extra")) ||
		       json_object_array_length(json_object_object_get(t, "missing")) ||
		       json_object_array_length(json_object_object_get(t, "extra"));
	}
	return false;
}

static int run(const an_cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"source", required_argument, NULL, 's'},
		{"dest", required_argument, NULL, 'd'},
		{"exclude-schemas", required_argument, NULL, 3001},
		{"include-schemas", required_argument, NULL, 3002},
		{"max-workers", required_argument, NULL, 3003},
		{"columns", no_argument, NULL, 3004},
		{"output", required_argument, NULL, 3005},
		{"format", required_argument, NULL, 3006},
		{"price-per-gb", required_argument, NULL, 3007},
		{"schema", required_argument, NULL, 3008},
		{"table", required_argument, NULL, 3009},
		{"pii", no_argument, NULL, 3010},
		{"days-threshold", required_argument, NULL, 3011},
		{"min-age-days", required_argument, NULL, 3012},
		{"min-size-bytes", required_argument, NULL, 3013},
		{"small-files", no_argument, NULL, 3014},
		{"catalogs", required_argument, NULL, 3015},
		{"sample-limit", required_argument, NULL, 3016},
		{"top-n", required_argument, NULL, 3017},
		{"bins", required_argument, NULL, 3018},
		{"skip", required_argument, NULL, 3019},
		{"host", required_argument, NULL, 1001},
		{"token-env", required_argument, NULL, 1002},
		{"profile", required_argument, NULL, 1003},
		{"warehouse-id", required_argument, NULL, 1004},
		{"lakehouse-dir", required_argument, NULL, 1005},
		{"json", no_argument, NULL, 1006},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	json_object *body = json_object_new_object(), *target = json_object_new_object(), *opts_v = NULL, *out = NULL;
	bool json_out = false;
	int o, rc = 2;
	char *end;
	optind = 1;
	while ((o = getopt_long(argc, argv, "s:d:h", opts, NULL)) != -1) {
		switch (o) {
		case 's': clxs_json_set_str(body, "source_catalog", optarg); break;
		case 'd': clxs_json_set_str(body, "destination_catalog", optarg); break;
		case 3001: json_object_object_add(body, "exclude_schemas", csv_list(optarg)); break;
		case 3002: json_object_object_add(body, "include_schemas", csv_list(optarg)); break;
		case 3003: if (set_int(body, "max_workers", optarg)) goto out; break;
		case 3004: clxs_json_set_bool(body, "search_columns", true); break;
		case 3005: clxs_json_set_str(body, "output_path", optarg); break;
		case 3006: clxs_json_set_str(body, "format", optarg); break;
		case 3007: {
			double v = strtod(optarg, &end);
			if (!*optarg || *end) {
				fprintf(stderr, "clxs: --price-per-gb wants a number\n");
				goto out;
			}
			json_object_object_add(body, "price_per_gb", json_object_new_double(v));
			break;
		}
		case 3008: clxs_json_set_str(body, "schema_filter", optarg); break;
		case 3009: clxs_json_set_str(body, "table_filter", optarg); break;
		case 3010: clxs_json_set_bool(body, "pii_intersection", true); break;
		case 3011: if (set_int(body, "days_threshold", optarg)) goto out; break;
		case 3012: if (set_int(body, "min_age_days", optarg)) goto out; break;
		case 3013: if (set_int(body, "min_size_bytes", optarg)) goto out; break;
		case 3014: clxs_json_set_bool(body, "check_small_files", true); break;
		case 3015: json_object_object_add(body, "source_catalogs", csv_list(optarg)); break;
		case 3016: if (set_int(body, "sample_limit", optarg)) goto out; break;
		case 3017: if (set_int(body, "top_n", optarg)) goto out; break;
		case 3018: if (set_int(body, "histogram_bins", optarg)) goto out; break;
		case 3019: json_object_object_add(body, "skip_classes", csv_list(optarg)); break;
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
		case 'h': usage(stdout, c); rc = 0; goto out;
		default: usage(stderr, c); goto out;
		}
	}
	if (c->positional && optind == argc - 1)
		clxs_json_set_str(body, c->positional, argv[optind++]);
	if (optind != argc) {
		fprintf(stderr, "clxs: unexpected argument '%s' (see clxs %s --help)\n", argv[optind], c->name);
		goto out;
	}
	clxs_error err;
	clxs_error_clear(&err);
	if (!(opts_v = clxs_an_validate(c->name, body, NULL, &err))) {
		fprintf(stderr, "clxs: %s%s%s\n", err.message, err.detail[0] ? " — field " : "", err.detail);
		goto out;
	}
	rc = 1;
	char state[4096];
	clxs_error serr;
	clxs_an_env env = {clxs_state_dir_default(state, sizeof(state), &serr) == CLXS_OK ? state : NULL, NULL};
	clxs_target t;
	memset(&t, 0, sizeof(t));
	if (clxs_target_open(target, &t, &err)) {
		fprintf(stderr, "clxs: cannot reach the workspace: %s\n", err.message);
		goto out;
	}
	if (clxs_an_run(t.ws, t.warehouse_id, c->name, opts_v, &env, &out, &err)) {
		fprintf(stderr, "clxs: %s: %s\n", c->name, err.message);
	} else {
		if (json_out)
			printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		else
			print_human(c->name, out);
		rc = differs(c->name, out) ? EXIT_DIFFERENT : 0;
	}
	clxs_target_close(&t);
out:
	json_object_put(out);
	json_object_put(opts_v);
	json_object_put(body);
	json_object_put(target);
	return rc;
}

static int dispatch(const char *name, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return run(&cmds[i], argc, argv);
	return 2;
}

int clxs_cmd_an_diff(int argc, char **argv) { return dispatch("diff", argc, argv); }
int clxs_cmd_an_compare(int argc, char **argv) { return dispatch("compare", argc, argv); }
int clxs_cmd_an_schema_drift(int argc, char **argv) { return dispatch("schema-drift", argc, argv); }
int clxs_cmd_an_diff_detail(int argc, char **argv) { return dispatch("diff-detail", argc, argv); }
int clxs_cmd_an_stats(int argc, char **argv) { return dispatch("stats", argc, argv); }
int clxs_cmd_an_search(int argc, char **argv) { return dispatch("search", argc, argv); }
int clxs_cmd_an_profile(int argc, char **argv) { return dispatch("profile", argc, argv); }
int clxs_cmd_an_profile_table(int argc, char **argv) { return dispatch("profile-table", argc, argv); }
int clxs_cmd_an_profile_results(int argc, char **argv) { return dispatch("profile-results", argc, argv); }
int clxs_cmd_an_estimate(int argc, char **argv) { return dispatch("estimate", argc, argv); }
int clxs_cmd_an_storage_metrics(int argc, char **argv) { return dispatch("storage-metrics", argc, argv); }
int clxs_cmd_an_export(int argc, char **argv) { return dispatch("export", argc, argv); }
int clxs_cmd_an_permissions_audit(int argc, char **argv) { return dispatch("permissions-audit", argc, argv); }
int clxs_cmd_an_stale_scan(int argc, char **argv) { return dispatch("stale-scan", argc, argv); }
