/* clxs: the command line entry. Each command parses its own options. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clxs/cli.h"
#include "clxs/log.h"

static const clxs_cli_command commands[] = {
	{"serve", clxs_cmd_serve, "start nginx, the API worker pool and the job runner on loopback"},
	{"stop", clxs_cmd_stop, "stop everything `clxs serve` started"},
	{"status", clxs_cmd_status, "show which services run and whether the API answers"},
	{"clone", clxs_cmd_clone, "clone a catalog (default: on the embedded lakehouse)"},
	{"plan", clxs_cmd_plan, "print the ordered statements a clone would run"},
	{"validate", clxs_cmd_validate, "compare a clone with its source (row counts, checksums)"},
	{"rollback", clxs_cmd_rollback, "undo a clone (--list shows the rollback points)"},
	{"demo-data", clxs_cmd_demo_data, "build (or --cleanup) a realistic demo catalog"},
	{"sql", clxs_cmd_sql, "run one SQL statement (default: on the embedded lakehouse)"},
	/* -- commands: clone extras (audit) -- */
	{"audit", clxs_cmd_audit, "show the clone audit trail (run logs in the audit catalog)"},
	/* -- commands: analysis -- */
	{"diff", clxs_cmd_an_diff, "compare two catalogs' schemas, tables and views (exit 3 when they differ)"},
	{"compare", clxs_cmd_an_compare, "compare columns: names, types, nullability, order (exit 3 on differences)"},
	{"schema-drift", clxs_cmd_an_schema_drift, "added, removed and modified columns between two catalogs"},
	{"diff-detail", clxs_cmd_an_diff_detail, "presence, column drift and size delta between two catalogs"},
	{"stats", clxs_cmd_an_stats, "catalog sizes, row counts, file counts and top tables"},
	{"search", clxs_cmd_an_search, "find tables (and --columns) by regular expression"},
	{"profile", clxs_cmd_an_profile, "per-column nulls, distinct counts, min/max of a catalog"},
	{"profile-table", clxs_cmd_an_profile_table, "deep profile of one table (histograms, top values)"},
	{"profile-results", clxs_cmd_an_profile_results, "deep profile of a query's result"},
	{"estimate", clxs_cmd_an_estimate, "storage cost estimate of a catalog"},
	{"storage-metrics", clxs_cmd_an_storage_metrics, "active, vacuumable and time-travel bytes per table"},
	{"export", clxs_cmd_an_export, "export catalog metadata to CSV/JSON in STATE/exports"},
	{"permissions-audit", clxs_cmd_an_permissions_audit, "risky table grants by risk level"},
	{"stale-scan", clxs_cmd_an_stale_scan, "idle tables with risk level and suggested action"},
	/* -- commands: management -- */
	{"table-usage", clxs_cmd_manage, "most used tables of a catalog, from the query history"},
	{"column-usage", clxs_cmd_manage, "column usage of a catalog (--use-system-tables for counts)"},
	{"check-predictive-optimization", clxs_cmd_manage, "is Predictive Optimization enabled for a catalog"},
	{"preflight", clxs_cmd_manage, "pre-flight checks before a clone (connectivity, existence, permissions)"},
	{"sync", clxs_cmd_manage, "sync structure: create missing schemas/tables/views (--drop-extra, --dry-run)"},
	{"incremental-check", clxs_cmd_manage, "tables of a schema changed since the last incremental sync"},
	{"incremental-sync", clxs_cmd_manage, "re-clone only the tables of a schema that changed"},
	{"monitor", clxs_cmd_manage, "one check of a clone: drift and (--check-counts) row counts"},
	{"sample", clxs_cmd_manage, "sample rows of a table"},
	{"sample-compare", clxs_cmd_manage, "the same sample rows from source and destination, with differences"},
	{"preview", clxs_cmd_manage, "source and destination rows of a table side by side"},
	{"view-deps", clxs_cmd_manage, "view dependencies of a schema or catalog"},
	{"function-deps", clxs_cmd_manage, "function dependencies of a schema or catalog"},
	{"view-order", clxs_cmd_manage, "views in creation order (after the views they read)"},
	{"lineage", clxs_cmd_manage, "lineage of a catalog or table from view/function definitions"},
	{"impact", clxs_cmd_manage, "what reads a catalog, schema or table (downstream impact)"},
	{"optimize", clxs_cmd_manage, "OPTIMIZE tables (--dry-run)"},
	{"vacuum", clxs_cmd_manage, "VACUUM tables (--retention-hours, --dry-run lists the files)"},
	{"schema-evolve-detect", clxs_cmd_manage, "column changes between a source and destination table"},
	{"schema-evolve-apply", clxs_cmd_manage, "apply column changes as ALTER TABLE (dry run by default)"},
	{"schema-evolve", clxs_cmd_manage, "detect and apply column changes across a catalog (dry run by default)"},
	{"snapshot", clxs_cmd_manage, "write a metadata snapshot of a catalog (JSON in STATE/exports)"},
	{"clone-snapshot", clxs_cmd_manage, "record every table's current version of a catalog (audit catalog)"},
	{"convert", clxs_cmd_manage, "CONVERT TO DELTA Parquet/Iceberg tables (--confirm-destructive or --dry-run)"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: clxs [--version] [--help] COMMAND [options]\n"
		"\n"
		"Clone-Xs: clone, migrate, compare, validate and govern Unity Catalog catalogs.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Run `clxs COMMAND --help` for a command's options.\n"
		"State (LMDB, logs, sockets, pid files) lives in $CLXS_STATE_DIR, by default\n"
		"~/.local/state/clxs.\n");
}

int main(int argc, char **argv)
{
	clxs_log_init("clxs", CLXS_LOG_WARN);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") || !strcmp(argv[1], "version")) {
		printf("clxs %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "clxs: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
