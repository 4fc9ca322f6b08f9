/* Files and history: export (catalog metadata to CSV/JSON), the confined
 * writer every file-producing operation uses, and catalog-size-history. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "an_internal.h"
#include "clxs/buf.h"
#include "clxs/config.h"
#include "clxs/daemon.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/util.h"

/* Files land in STATE/exports and nowhere else: the name is a bare file
 * name (checked again here, whatever the caller validated), the folder is
 * opened without following a symlink, the file is written under a
 * temporary name with O_NOFOLLOW and renamed into place, so a reader never
 * sees half a file and a planted symlink is never written through. */
clxs_code clxs_an_write_export(const char *state_dir, const char *name, const char *data, size_t len,
			       char *rel, size_t rel_len, clxs_error *err)
{
	if (!state_dir)
		return clxs_fail(err, CLXS_EVALIDATION, "output_path", "no state directory: files cannot be written");
	if (!name || !*name || name[0] == '.' || strchr(name, '/') || strlen(name) > 200)
		return clxs_fail(err, CLXS_EVALIDATION, "output_path", "output_path must be a plain file name");
	char dir[4200], tmp[260];
	if (clxs_path_join(dir, sizeof(dir), state_dir, "exports", err))
		return err->code;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return clxs_fail(err, CLXS_EIO, NULL, "cannot create %s: %s", dir, strerror(errno));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return clxs_fail(err, CLXS_EIO, NULL, "cannot open %s: %s", dir, strerror(errno));
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long)getpid());
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	clxs_code rc = CLXS_OK;
	if (fd < 0) {
		rc = clxs_fail(err, CLXS_EIO, NULL, "cannot write to the exports folder: %s", strerror(errno));
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = clxs_fail(err, CLXS_EIO, NULL, "cannot write %s: %s", name, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0 && rc == CLXS_OK)
		rc = clxs_fail(err, CLXS_EIO, NULL, "cannot write %s: %s", name, strerror(errno));
	if (rc == CLXS_OK && renameat(dfd, tmp, dfd, name) != 0)
		rc = clxs_fail(err, CLXS_EIO, NULL, "cannot write %s: %s", name, strerror(errno));
	if (rc != CLXS_OK)
		unlinkat(dfd, tmp, 0);
	else
		snprintf(rel, rel_len, "exports/%s", name);
out:
	close(dfd);
	return rc;
}

/* One CSV field (RFC 4180). A value that a spreadsheet would run as a
 * formula (= + - @ first) gets a leading quote character. */
static void csv_field(clxs_buf *b, const char *v, bool last)
{
	v = v ? v : "";
	bool formula = strchr("=+-@", v[0]) && v[0];
	clxs_buf_putc(b, '"');
	if (formula)
		clxs_buf_putc(b, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			clxs_buf_putc(b, '"');
		clxs_buf_putc(b, *p);
	}
	clxs_buf_putc(b, '"');
	clxs_buf_puts(b, last ? "\r\n" : ",");
}

static const char *const export_cols[] = {"catalog", "schema", "table", "table_type", "table_owner", "table_comment",
					  "column_name", "ordinal_position", "data_type", "nullable", "column_comment"};
#define NEXPORT (sizeof(export_cols) / sizeof(export_cols[0]))

clxs_code clxs_an_export_op(clxs_ws_client *ws, const char *wh, json_object *opts, const clxs_an_env *env,
			    json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(opts, "source_catalog", "");
	json_object *model = NULL;
	clxs_code rc = clxs_an_discover(ws, wh, cat, "source_catalog", &model, err);
	if (rc)
		return rc;
	json_object *items = clxs_an_table_items(model, opts, true), *rows = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i), *t = json_object_object_get(it, "model");
		json_object *cols = json_object_object_get(t, "columns");
		for (size_t j = 0; cols && j < json_object_array_length(cols); j++) {
			json_object *c = json_object_array_get_idx(cols, j), *r = json_object_new_object();
			clxs_json_set_str(r, "catalog", cat);
			clxs_json_set_str(r, "schema", clxs_json_str(t, "schema", ""));
			clxs_json_set_str(r, "table", clxs_json_str(t, "name", ""));
			clxs_json_set_str(r, "table_type", clxs_json_str(t, "table_type", ""));
			clxs_json_set_str(r, "table_owner", clxs_json_str(t, "owner", ""));
			clxs_json_set_str(r, "table_comment", clxs_json_str(t, "comment", ""));
			clxs_json_set_str(r, "column_name", clxs_json_str(c, "name", ""));
			clxs_json_set_int(r, "ordinal_position", (int64_t)j + 1);
			clxs_json_set_str(r, "data_type", clxs_json_str(c, "type_text", ""));
			clxs_json_set_bool(r, "nullable", clxs_json_bool(c, "nullable", true));
			clxs_json_set_str(r, "column_comment", clxs_json_str(c, "comment", ""));
			json_object_array_add(rows, r);
		}
	}
	json_object_put(items);
	json_object_put(model);
	bool csv = !strcmp(clxs_json_str(opts, "format", "csv"), "csv");
	char name[260], rel[300];
	if (clxs_json_str(opts, "output_path", NULL))
		snprintf(name, sizeof(name), "%s", clxs_json_str(opts, "output_path", ""));
	else
		snprintf(name, sizeof(name), "%.200s_metadata.%s", cat, csv ? "csv" : "json");
	clxs_buf b;
	clxs_buf_init(&b);
	if (csv) {
		for (size_t k = 0; k < NEXPORT; k++)
			csv_field(&b, export_cols[k], k + 1 == NEXPORT);
		for (size_t i = 0; i < json_object_array_length(rows); i++) {
			json_object *r = json_object_array_get_idx(rows, i);
			for (size_t k = 0; k < NEXPORT; k++)
				csv_field(&b, json_object_get_string(json_object_object_get(r, export_cols[k])), k + 1 == NEXPORT);
		}
	} else {
		clxs_buf_puts(&b, json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		clxs_buf_putc(&b, '\n');
	}
	if (clxs_buf_failed(&b))
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	else
		rc = clxs_an_write_export(env ? env->state_dir : NULL, name, clxs_buf_str(&b), strlen(clxs_buf_str(&b)),
					  rel, sizeof(rel), err);
	clxs_buf_free(&b);
	int64_t n = (int64_t)json_object_array_length(rows);
	json_object_put(rows);
	if (rc)
		return rc;
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "output_path", rel);
	clxs_json_set_str(o, "format", csv ? "csv" : "json");
	clxs_json_set_int(o, "rows", n);
	*out = o;
	return CLXS_OK;
}

/* ---- catalog-size-history ------------------------------------------------------------------ */

/* Reads <audit catalog>.metrics.catalog_size_daily, written by the
 * scheduled storage collector. A workspace without that table has no
 * history yet: that is an empty answer, not an error. */
clxs_code clxs_an_size_history_op(clxs_ws_client *ws, const char *wh, json_object *opts,
				  const clxs_an_env *env, json_object **out, clxs_error *err)
{
	const char *audit = env && env->config ? clxs_config_str(env->config, "audit_trail.catalog") : NULL;
	if (!audit || !*audit)
		audit = "clone_audit";
	int64_t days = clxs_json_int(opts, "days", 30);
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_appendf(&b, err,
					"SELECT %I, CAST(%I AS STRING), total_bytes, total_tables FROM %Q "
					"WHERE %I >= date_sub(current_date(), %lld) ORDER BY %I, %I",
					"catalog", "date", audit, "metrics", "catalog_size_daily", "date", (long long)days,
					"catalog", "date");
	clxs_ws_result r;
	memset(&r, 0, sizeof(r));
	clxs_error e;
	clxs_error_clear(&e);
	if (rc == CLXS_OK)
		rc = clxs_an_sql(ws, wh, clxs_buf_str(&b), &r, &e);
	clxs_buf_free(&b);
	json_object *rows = json_object_new_array();
	if (rc != CLXS_OK && !strstr(e.message, "NOT_FOUND") && !strstr(e.message, "does not exist")) {
		*err = e;
		json_object_put(rows);
		clxs_ws_result_free(&r);
		return rc;
	}
	/* ?catalogs=a,b filter */
	const char *want = clxs_json_str(opts, "catalogs", NULL);
	for (size_t i = 0; rc == CLXS_OK && i < r.nrows; i++) {
		const char *cat = clxs_ws_result_cell(&r, i, 0);
		if (!cat)
			continue;
		if (want && *want) {
			bool hit = false;
			for (const char *p = want; *p && !hit;) {
				size_t n = strcspn(p, ",");
				while (n && p[n - 1] == ' ')
					n--;
				while (*p == ' ' && n)
					p++, n--;
				hit = n == strlen(cat) && !strncasecmp(p, cat, n);
				p += strcspn(p, ",");
				if (*p == ',')
					p++;
			}
			if (!hit)
				continue;
		}
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "catalog", cat);
		clxs_json_set_str(o, "date", clxs_ws_result_cell(&r, i, 1) ? clxs_ws_result_cell(&r, i, 1) : "");
		const char *tb = clxs_ws_result_cell(&r, i, 2), *tt = clxs_ws_result_cell(&r, i, 3);
		clxs_json_set_int(o, "total_bytes", tb ? strtoll(tb, NULL, 10) : 0);
		clxs_json_set_int(o, "total_tables", tt ? strtoll(tt, NULL, 10) : 0);
		json_object_array_add(rows, o);
	}
	clxs_ws_result_free(&r);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "rows", rows);
	clxs_json_set_int(o, "days", days);
	*out = o;
	return CLXS_OK;
}
