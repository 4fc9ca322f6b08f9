/* The `clxs` command line: a table of commands, one file per group. */
#ifndef CLXS_CLI_H
#define CLXS_CLI_H

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} clxs_cli_command;

int clxs_cmd_serve(int argc, char **argv);
int clxs_cmd_stop(int argc, char **argv);
int clxs_cmd_status(int argc, char **argv);
int clxs_cmd_clone(int argc, char **argv);
int clxs_cmd_plan(int argc, char **argv);
int clxs_cmd_demo_data(int argc, char **argv);
int clxs_cmd_sql(int argc, char **argv);
int clxs_cmd_validate(int argc, char **argv);
int clxs_cmd_rollback(int argc, char **argv);
/* -- commands: clone extras (audit) -- */
int clxs_cmd_audit(int argc, char **argv);
/* -- commands: analysis -- */
int clxs_cmd_an_diff(int argc, char **argv);
int clxs_cmd_an_compare(int argc, char **argv);
int clxs_cmd_an_schema_drift(int argc, char **argv);
int clxs_cmd_an_diff_detail(int argc, char **argv);
int clxs_cmd_an_stats(int argc, char **argv);
int clxs_cmd_an_search(int argc, char **argv);
int clxs_cmd_an_profile(int argc, char **argv);
int clxs_cmd_an_profile_table(int argc, char **argv);
int clxs_cmd_an_profile_results(int argc, char **argv);
int clxs_cmd_an_estimate(int argc, char **argv);
int clxs_cmd_an_storage_metrics(int argc, char **argv);
int clxs_cmd_an_export(int argc, char **argv);
int clxs_cmd_an_permissions_audit(int argc, char **argv);
int clxs_cmd_an_stale_scan(int argc, char **argv);
/* -- commands: management -- */
/* Every management operation; argv[0] names it (src/cli/cmd-manage.c). */
int clxs_cmd_manage(int argc, char **argv);

#endif
