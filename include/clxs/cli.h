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
/* -- commands: analysis -- */
/* -- commands: management -- */

#endif
