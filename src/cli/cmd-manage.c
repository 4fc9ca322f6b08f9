/* clxs preflight | sync | incremental-check | incremental-sync | sample |
 * sample-compare | preview | view-deps | function-deps | view-order |
 * lineage | impact | monitor | optimize | vacuum | schema-evolve ...: every
 * management operation from the command line, on the embedded lakehouse by
 * default. Flags are the API's request fields with '-' for '_'
 * (--source-catalog, --dry-run, --no-dry-run, --exclude-schemas a,b) plus
 * short aliases (--source, --dest, --schema, --table), validated by the same
 * table as the API. Jobs of the API (sync, incremental-sync) run here in the
 * foreground. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/cli.h"
#include "clxs/daemon.h"
#include "clxs/json.h"
#include "clxs/manage.h"
#include "clxs/store.h"
#include "clxs/target.h"

static const struct {
	const char *alias;
	const char *const fields[3];
} aliases[] = {
	{"source", {"source_catalog", NULL, NULL}},
	{"dest", {"destination_catalog", "dest_catalog", NULL}},
	{"schema", {"schema_name", "schema", NULL}},
	{"table", {"table_name", "table", NULL}},
	{"retention", {"retention_hours", NULL, NULL}},
};

static const clxs_mg_field *field_of(const clxs_mg_op *op, const char *name)
{
	for (const clxs_mg_field *f = op->fields; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* The request field a flag names (NULL when none). */
static const clxs_mg_field *flag_field(const clxs_mg_op *op, const char *flag)
{
	char name[128];
	snprintf(name, sizeof(name), "%s", flag);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	const clxs_mg_field *f = field_of(op, name);
	for (size_t i = 0; !f && i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i].alias, flag))
			for (size_t j = 0; !f && j < 3 && aliases[i].fields[j]; j++)
				f = field_of(op, aliases[i].fields[j]);
	return f;
}

static void usage(FILE *out, const clxs_mg_op *op)
{
	fprintf(out, "Usage: clxs %s [options]\n\n%s\n\nRequest fields (as in POST /api/%s):\n", op->cli, op->summary,
		op->name);
	static const char *const tn[] = {"", "TEXT", "", "N", "A,B", "JSON"};
	for (const clxs_mg_field *f = op->fields; f->name; f++) {
		if (!strcmp(f->name, "warehouse_id"))
			continue;
		char flag[160];
		snprintf(flag, sizeof(flag), "--%s", f->name);
		for (char *p = flag; *p; p++)
			if (*p == '_')
				*p = '-';
		if (f->type == CLXS_MG_BOOL)
			fprintf(out, "  %s | --no-%s\n", flag, flag + 2);
		else
			fprintf(out, "  %s %s\n", flag, tn[f->type]);
		fprintf(out, "        %s%s%s%s\n", f->description, f->required ? " (required)" : "",
			f->dflt ? "; default " : "", f->dflt ? f->dflt : "");
	}
	fprintf(out,
		"Aliases: --source, --dest, --schema, --table for the catalog/schema/table fields.\n"
		"\n"
		"Where (default: the embedded lakehouse in $CLXS_STATE_DIR/lakehouse, in-process):\n"
		"      --host URL           a Databricks workspace (token from DATABRICKS_TOKEN or\n"
		"                           --token-env VAR; never on the command line)\n"
		"      --profile NAME       a ~/.databrickscfg profile\n"
		"      --warehouse-id ID    the SQL warehouse to run statements on\n"
		"      --lakehouse-dir DIR  the embedded lakehouse's data directory\n"
		"      --json               machine-readable output (the API's response body)\n"
		"\n"
		"Exit status: 0 on success, 1 when the operation failed%s, 2 for bad options.\n",
		!strcmp(op->name, "preflight") ? " or a check failed"
		: !strcmp(op->name, "monitor") ? " or found drift"
					      : "");
}

static int set_field(json_object *body, const clxs_mg_field *f, const char *v)
{
	char *end;
	switch (f->type) {
	case CLXS_MG_STR:
		clxs_json_set_str(body, f->name, v);
		return 0;
	case CLXS_MG_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return -1;
		clxs_json_set_bool(body, f->name, !strcmp(v, "true"));
		return 0;
	case CLXS_MG_INT: {
		long long n = strtoll(v, &end, 10);
		if (!*v || *end)
			return -1;
		clxs_json_set_int(body, f->name, n);
		return 0;
	}
	case CLXS_MG_STRS: {
		json_object *a = json_object_new_array();
		for (const char *p = v; *p;) {
			size_t n = strcspn(p, ",");
			if (n)
				json_object_array_add(a, json_object_new_string_len(p, (int)n));
			p += n + (p[n] == ',');
		}
		json_object_object_add(body, f->name, a);
		return 0;
	}
	case CLXS_MG_ARRAY: {
		json_object *a = json_tokener_parse(v);
		if (!a && !strcmp(f->name, "tables")) {
			/* --tables s.t,s2.t2 */
			a = json_object_new_array();
			for (const char *p = v; *p;) {
				size_t n = strcspn(p, ",");
				const char *dot = memchr(p, '.', n);
				if (!dot) {
					json_object_put(a);
					return -1;
				}
				json_object *t = json_object_new_object();
				json_object_object_add(t, "schema", json_object_new_string_len(p, (int)(dot - p)));
				json_object_object_add(t, "table", json_object_new_string_len(dot + 1, (int)(p + n - dot - 1)));
				json_object_array_add(a, t);
				p += n + (p[n] == ',');
			}
		}
		if (!json_object_is_type(a, json_type_array)) {
			json_object_put(a);
			return -1;
		}
		json_object_object_add(body, f->name, a);
		return 0;
	}
	}
	return -1;
}

/* ---- human output ------------------------------------------------------------------ */

static const char *scalar(json_object *v, char *buf, size_t len)
{
	if (!v)
		return "-";
	if (json_object_is_type(v, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(v));
	else
		snprintf(buf, len, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	if (strlen(buf) > 70)
		strcpy(buf + 67, "...");
	return buf;
}

static void print_table(const char *indent, json_object *arr)
{
	/* Columns: the keys of the rows, in first-seen order. */
	const char *cols[16];
	size_t nc = 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object_object_foreach(json_object_array_get_idx(arr, i), k, v)
		{
			(void)v;
			size_t j = 0;
			while (j < nc && strcmp(cols[j], k) != 0)
				j++;
			if (j == nc && nc < 16)
				cols[nc++] = k;
		}
	}
	size_t w[16];
	char buf[128];
	for (size_t j = 0; j < nc; j++) {
		w[j] = strlen(cols[j]);
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			size_t l = strlen(scalar(json_object_object_get(json_object_array_get_idx(arr, i), cols[j]), buf,
						 sizeof(buf)));
			if (l > w[j])
				w[j] = l;
		}
	}
	printf("%s", indent);
	for (size_t j = 0; j < nc; j++)
		printf("%-*s  ", (int)w[j], cols[j]);
	printf("\n");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		printf("%s", indent);
		for (size_t j = 0; j < nc; j++)
			printf("%-*s  ", (int)w[j],
			       scalar(json_object_object_get(json_object_array_get_idx(arr, i), cols[j]), buf, sizeof(buf)));
		printf("\n");
	}
}

static void print_human(const char *indent, json_object *o)
{
	char buf[128], sub[64];
	snprintf(sub, sizeof(sub), "%s  ", indent);
	json_object_object_foreach(o, k, v)
	{
		if (json_object_is_type(v, json_type_array)) {
			size_t n = json_object_array_length(v);
			if (n == 0) {
				printf("%s%s: (none)\n", indent, k);
			} else if (json_object_is_type(json_object_array_get_idx(v, 0), json_type_object)) {
				printf("%s%s:\n", indent, k);
				print_table(sub, v);
			} else {
				printf("%s%s:", indent, k);
				for (size_t i = 0; i < n; i++)
					printf("%s %s", i ? "," : "", scalar(json_object_array_get_idx(v, i), buf, sizeof(buf)));
				printf("\n");
			}
		} else if (json_object_is_type(v, json_type_object)) {
			printf("%s%s:\n", indent, k);
			print_human(sub, v);
		} else {
			printf("%s%s: %s\n", indent, k, scalar(v, buf, sizeof(buf)));
		}
	}
}

static void on_log(void *ud, const char *level, const char *msg)
{
	if (!*(bool *)ud)
		fprintf(stderr, "%s: %s\n", level, msg);
}

int clxs_cmd_manage(int argc, char **argv)
{
	const clxs_mg_op *op = clxs_mg_op_find_cli(argv[0]);
	if (!op) {
		fprintf(stderr, "clxs: no management command '%s'\n", argv[0]);
		return 2;
	}
	json_object *body = json_object_new_object(), *target = json_object_new_object(), *req = NULL, *out = NULL;
	bool json_out = false;
	int rc = 2;
	char sdir[4096] = "";
	clxs_target t;
	memset(&t, 0, sizeof(t));
	clxs_store *store = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout, op);
			rc = 0;
			goto out;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "clxs: unexpected argument '%s' (see clxs %s --help)\n", a, op->cli);
			goto out;
		}
		char flag[128];
		const char *eq = strchr(a, '=');
		snprintf(flag, sizeof(flag), "%.*s", (int)(eq ? (size_t)(eq - a - 2) : strlen(a + 2)), a + 2);
		if (!strcmp(flag, "json")) {
			json_out = true;
			continue;
		}
		static const char *const tflags[][2] = {{"host", "host"}, {"profile", "profile"},
							{"warehouse-id", "warehouse_id"}, {"lakehouse-dir", "lakehouse_dir"},
							{"token-env", NULL}};
		const char *val = eq ? eq + 1 : NULL;
		bool is_target = false;
		for (size_t j = 0; j < 5; j++) {
			if (strcmp(flag, tflags[j][0]) != 0)
				continue;
			is_target = true;
			if (!val && i + 1 < argc)
				val = argv[++i];
			if (!val) {
				fprintf(stderr, "clxs: --%s needs a value\n", flag);
				goto out;
			}
			if (tflags[j][1]) {
				clxs_json_set_str(target, tflags[j][1], val);
			} else {
				/* Tokens come from the environment so they never show in ps. */
				const char *tok = getenv(val);
				if (!tok || !*tok) {
					fprintf(stderr, "clxs: environment variable %s is empty\n", val);
					goto out;
				}
				clxs_json_set_str(target, "token", tok);
			}
		}
		if (is_target)
			continue;
		bool neg = !strncmp(flag, "no-", 3);
		const clxs_mg_field *f = flag_field(op, flag);
		if (!f && neg && (f = flag_field(op, flag + 3)) && f->type != CLXS_MG_BOOL)
			f = NULL;
		if (!f) {
			fprintf(stderr, "clxs: unknown option '--%s' (see clxs %s --help)\n", flag, op->cli);
			goto out;
		}
		if (f->type == CLXS_MG_BOOL && !val)
			val = neg && strcmp(f->name, flag) != 0 ? "false" : "true";
		else if (!val && i + 1 < argc)
			val = argv[++i];
		if (!val || set_field(body, f, val)) {
			fprintf(stderr, "clxs: --%s wants %s\n", flag,
				f->type == CLXS_MG_INT ? "a number" : f->type == CLXS_MG_BOOL ? "true or false"
								    : f->type == CLXS_MG_ARRAY ? "a JSON array" : "a value");
			goto out;
		}
	}
	clxs_error err;
	clxs_error_clear(&err);
	if (!(req = clxs_mg_validate(op, body, &err))) {
		fprintf(stderr, "clxs: %s%s%s\n", err.message, err.detail[0] ? " — field " : "", err.detail);
		goto out;
	}
	rc = 1;
	/* The same LMDB state as the API and the runner (incremental state). */
	char lmdb[4200];
	if (clxs_state_dir_default(sdir, sizeof(sdir), NULL) == CLXS_OK && clxs_mkdir_p(sdir, 0700, NULL) == CLXS_OK &&
	    clxs_path_join(lmdb, sizeof(lmdb), sdir, CLXS_STATE_LMDB, NULL) == CLXS_OK)
		clxs_store_open(lmdb, 0, &store, NULL);
	if (clxs_target_open(target, &t, &err)) {
		fprintf(stderr, "clxs: cannot reach the workspace: %s\n", err.message);
		goto out;
	}
	clxs_mg_ctx c = {.ws = t.ws, .warehouse_id = t.warehouse_id, .store = store,
			 .state_dir = sdir[0] ? sdir : NULL, .log = on_log, .ud = &json_out};
	if (clxs_mg_run(op, &c, req, &out, &err)) {
		fprintf(stderr, "clxs: %s failed: %s%s%s\n", op->cli, err.message, err.detail[0] ? " — " : "", err.detail);
		goto out;
	}
	if (json_out)
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_human("", out);
	rc = 0;
	if (!strcmp(op->name, "preflight") && !clxs_json_bool(out, "ready", true))
		rc = 1;
	if (!strcmp(op->name, "monitor") && !clxs_json_bool(out, "in_sync", true))
		rc = 1;
out:
	if (t.ws)
		clxs_target_close(&t);
	clxs_store_close(store);
	json_object_put(out);
	json_object_put(req);
	json_object_put(body);
	json_object_put(target);
	return rc;
}
