/* Volume file copy for clones: walk the source volume with the Files API's
 * directory listing and copy each file with GET + PUT. Names from the
 * listing are used as single path components (URL-encoded by
 * clxs_ws_volume_path), never pasted into a path as-is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/json.h"
#include "clxs/volume_copy.h"
#include "clxs/workspace.h"
#include "clxs/ws_files.h"

/* Nested directories deeper than this are refused (the lakehouse allows 64). */
#define MAX_DEPTH 64

typedef struct {
	struct clxs_ws_client *ws;
	const char *src, *dst, *schema, *volume;
	json_object *files;
	clxs_volume_copy_totals *t;
	int64_t max_bytes; /* 0: no limit of our own */
	bool (*should_stop)(void *ud);
	void *ud;
	clxs_error first; /* the first failure, reported at the end */
	bool stopped;
} walk_ctx;

static json_object *file_entry(walk_ctx *w, const char *rel, int64_t bytes, const char *status)
{
	json_object *f = json_object_new_object();
	char vol[600];
	snprintf(vol, sizeof(vol), "%s.%s", w->schema, w->volume);
	clxs_json_set_str(f, "volume", vol);
	clxs_json_set_str(f, "path", rel);
	clxs_json_set_int(f, "bytes", bytes);
	clxs_json_set_str(f, "status", status);
	return f;
}

/* A file over volume_max_file_mb: left out on purpose, said so per file. */
static void note_skipped(walk_ctx *w, const char *rel, int64_t bytes)
{
	w->t->files_skipped++;
	if (!w->files)
		return;
	json_object *f = file_entry(w, rel, bytes, "skipped");
	char why[160];
	snprintf(why, sizeof(why), "file of %lld bytes exceeds volume_max_file_mb (%lld MB)", (long long)bytes,
		 (long long)(w->max_bytes / (1024 * 1024)));
	clxs_json_set_str(f, "reason", why);
	json_object_array_add(w->files, f);
}

static void note_file(walk_ctx *w, const char *rel, int64_t bytes, const clxs_error *e)
{
	if (e && w->first.code == CLXS_OK)
		w->first = *e;
	if (e)
		w->t->files_failed++;
	else {
		w->t->files_copied++;
		w->t->bytes_copied += bytes;
	}
	if (!w->files)
		return;
	json_object *f = file_entry(w, rel, bytes, e ? "failed" : "copied");
	if (e)
		clxs_json_set_str(f, "error", e->message);
	json_object_array_add(w->files, f);
}

/* size: file_size from the listing, -1 when it gave none. */
static void copy_file(walk_ctx *w, const char *rel, int64_t size)
{
	if (w->max_bytes > 0 && size > w->max_bytes) {
		note_skipped(w, rel, size);
		return;
	}
	if (size > CLXS_VOLUME_COPY_MEM_MAX) {
		clxs_error big;
		clxs_fail(&big, CLXS_ETOOLARGE, NULL,
			  "file of %lld bytes exceeds the %d MiB a volume file copy holds in memory",
			  (long long)size, CLXS_VOLUME_COPY_MEM_MAX / (1024 * 1024));
		note_file(w, rel, size, &big);
		return;
	}
	clxs_buf sp, dp, data;
	clxs_buf_init(&sp);
	clxs_buf_init(&dp);
	clxs_buf_init(&data);
	clxs_error e;
	clxs_error_clear(&e);
	clxs_code rc = clxs_ws_volume_path(&sp, "files", w->src, w->schema, w->volume, rel, &e);
	if (rc == CLXS_OK)
		rc = clxs_ws_volume_path(&dp, "files", w->dst, w->schema, w->volume, rel, &e);
	if (rc == CLXS_OK)
		rc = clxs_ws_file_get(w->ws, clxs_buf_str(&sp), &data, &e);
	if (rc == CLXS_OK && w->max_bytes > 0 && (int64_t)data.len > w->max_bytes) {
		/* The listing had no size (or an outdated one). */
		note_skipped(w, rel, (int64_t)data.len);
	} else {
		if (rc == CLXS_OK)
			rc = clxs_ws_file_put(w->ws, clxs_buf_str(&dp), data.data, data.len, &e);
		note_file(w, rel, rc == CLXS_OK ? (int64_t)data.len : 0, rc == CLXS_OK ? NULL : &e);
	}
	clxs_buf_free(&sp);
	clxs_buf_free(&dp);
	clxs_buf_free(&data);
}

/* dir is "" for the volume's root, else "a/b/" (with the slash). Returns
 * false when the walk must end (listing failed, or asked to stop). */
static bool walk(walk_ctx *w, const char *dir, int depth)
{
	clxs_error e;
	clxs_error_clear(&e);
	if (depth > MAX_DEPTH) {
		clxs_fail(&e, CLXS_EINVAL, NULL, "directory '%.200s' is nested too deep", dir);
		note_file(w, dir, 0, &e);
		return true;
	}
	clxs_buf lp;
	clxs_buf_init(&lp);
	json_object *entries = NULL;
	static const char *const q[] = {"page_size", "1000", NULL};
	clxs_code rc = clxs_ws_volume_path(&lp, "directories", w->src, w->schema, w->volume, dir, &e);
	if (rc == CLXS_OK)
		rc = clxs_ws_list(w->ws, clxs_buf_str(&lp), q, "contents", 0, &entries, &e);
	if (rc == CLXS_OK && *dir) {
		/* Mirror the directory itself, so empty ones arrive too. */
		clxs_buf_reset(&lp);
		rc = clxs_ws_volume_path(&lp, "directories", w->dst, w->schema, w->volume, dir, &e);
		if (rc == CLXS_OK)
			rc = clxs_ws_call(w->ws, "PUT", clxs_buf_str(&lp), NULL, NULL, NULL, &e);
	}
	clxs_buf_free(&lp);
	if (rc != CLXS_OK) {
		note_file(w, *dir ? dir : "/", 0, &e);
		json_object_put(entries);
		return false;
	}
	bool go_on = true;
	for (size_t i = 0; go_on && i < json_object_array_length(entries); i++) {
		if (w->should_stop && w->should_stop(w->ud)) {
			w->stopped = true;
			go_on = false;
			break;
		}
		json_object *ent = json_object_array_get_idx(entries, i);
		char name[1024];
		snprintf(name, sizeof(name), "%s", clxs_json_str(ent, "name", ""));
		size_t n = strlen(name);
		if (n && name[n - 1] == '/')
			name[--n] = '\0';
		char rel[8192];
		int len = snprintf(rel, sizeof(rel), "%s%s%s", dir, name,
				   clxs_json_bool(ent, "is_directory", false) ? "/" : "");
		if (!n || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") || len < 0 ||
		    (size_t)len >= sizeof(rel)) {
			clxs_fail(&e, CLXS_EINVAL, NULL, "the listing named an invalid entry '%.200s'", name);
			note_file(w, dir, 0, &e);
			continue;
		}
		if (clxs_json_bool(ent, "is_directory", false))
			go_on = walk(w, rel, depth + 1);
		else {
			json_object *sz = json_object_object_get(ent, "file_size");
			copy_file(w, rel, sz && json_object_is_type(sz, json_type_int) ? json_object_get_int64(sz) : -1);
		}
	}
	json_object_put(entries);
	return go_on;
}

clxs_code clxs_volume_copy(struct clxs_ws_client *ws, const char *src_catalog, const char *dst_catalog,
			   const char *schema, const char *volume, json_object *files,
			   clxs_volume_copy_totals *totals, bool (*should_stop)(void *ud), void *ud,
			   clxs_error *err)
{
	return clxs_volume_copy_max(ws, src_catalog, dst_catalog, schema, volume, 0, files, totals, should_stop,
				    ud, err);
}

clxs_code clxs_volume_copy_max(struct clxs_ws_client *ws, const char *src_catalog, const char *dst_catalog,
			       const char *schema, const char *volume, int64_t max_file_bytes,
			       json_object *files, clxs_volume_copy_totals *totals,
			       bool (*should_stop)(void *ud), void *ud, clxs_error *err)
{
	clxs_volume_copy_totals dummy;
	if (!totals)
		totals = &dummy;
	memset(totals, 0, sizeof(*totals));
	walk_ctx w = {.ws = ws, .src = src_catalog, .dst = dst_catalog, .schema = schema, .volume = volume,
		      .files = files, .t = totals, .max_bytes = max_file_bytes > 0 ? max_file_bytes : 0,
		      .should_stop = should_stop, .ud = ud};
	clxs_error_clear(&w.first);
	walk(&w, "", 0);
	if (w.stopped)
		return clxs_fail(err, CLXS_ECANCELLED, NULL, "volume file copy stopped");
	if (w.first.code != CLXS_OK) {
		if (totals->files_failed > 1)
			return clxs_fail(err, w.first.code, w.first.detail, "%lld file(s) failed; first: %.400s",
					 (long long)totals->files_failed, w.first.message);
		return clxs_fail(err, w.first.code, w.first.detail, "%s", w.first.message);
	}
	return CLXS_OK;
}
