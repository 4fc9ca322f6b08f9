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
	/* -- commands: analysis -- */
	/* -- commands: management -- */
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
