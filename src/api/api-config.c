/* Config section of the API reference: read, write and compare config
 * files, list profiles, the Settings page's PATCHes (warehouse,
 * performance, pricing, audit trail) and the streaming form limits.
 *
 * Files live in the config folder (the folder of the config in use, or
 * STATE/config when none is configured); src/api/cfg-path.c confines every
 * caller-supplied path to it. Writes replace files atomically under a lock
 * file, so two workers editing at once cannot lose each other's change, and
 * single-key edits go through libyaml (src/api/cfg-yaml-edit.c). Every
 * worker reloads the config when the file changes, so reads reflect
 * writes whichever worker served them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clxs/api.h"
#include "clxs/cfgfile.h"
#include "clxs/config.h"
#include "clxs/daemon.h"
#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/metacache.h"

#define MASK "********"

/* ---- reload on change -------------------------------------------------------- */

static struct {
	int known;
	char path[PATH_MAX];
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
} seen;

void clxs_api_config_refresh(clxs_api_ctx *ctx)
{
	char path[PATH_MAX];
	clxs_error err;
	struct stat st;
	if (clxs_cfg_file(ctx->config_path, ctx->state_dir, path, sizeof(path), &err) || stat(path, &st) != 0)
		return; /* nothing on disk: keep what the worker has */
	/* An atomic replace always changes the inode, so this catches every
	 * write of ours even within one mtime tick. */
	if (seen.known && !strcmp(seen.path, path) && seen.dev == st.st_dev && seen.ino == st.st_ino &&
	    seen.size == st.st_size && seen.mtim.tv_sec == st.st_mtim.tv_sec &&
	    seen.mtim.tv_nsec == st.st_mtim.tv_nsec)
		return;
	seen.known = 1;
	snprintf(seen.path, sizeof(seen.path), "%s", path);
	seen.dev = st.st_dev;
	seen.ino = st.st_ino;
	seen.size = st.st_size;
	seen.mtim = st.st_mtim;
	json_object *cfg = clxs_config_load_file(path, ctx->profile, NULL, &err);
	if (!cfg) {
		clxs_warn("config %s: %s; keeping the previous config", path, err.message);
		return;
	}
	json_object_put(ctx->config);
	ctx->config = cfg;
	/* The runner has no config of its own: it reads the TTL from LMDB. */
	if (ctx->store)
		clxs_metacache_set_ttl(ctx->store, clxs_config_int(cfg, "cache_ttl_seconds", CLXS_METACACHE_DEFAULT_TTL),
				       NULL);
}

/* ---- helpers --------------------------------------------------------------------- */

/* The config folder; for writes it is created when it is STATE/config. */
static clxs_code config_dir(clxs_req *req, int for_write, char *dir, size_t len, clxs_error *err)
{
	clxs_code rc = clxs_cfg_dir(req->ctx->config_path, req->ctx->state_dir, dir, len, err);
	if (rc == CLXS_OK && for_write && !req->ctx->config_path)
		rc = clxs_mkdir_p(dir, 0700, err);
	return rc;
}

/* The config in use. The operator may have made it a symlink (a trusted
 * choice, unlike a caller's path): read and replace what it points to, so
 * the link stays. */
static clxs_code config_in_use(clxs_req *req, char *out, size_t len, clxs_error *err)
{
	clxs_code rc = clxs_cfg_file(req->ctx->config_path, req->ctx->state_dir, out, len, err);
	char real[PATH_MAX];
	if (rc == CLXS_OK && realpath(out, real) && strlen(real) < len)
		memcpy(out, real, strlen(real) + 1);
	return rc;
}

/* The file a request names (rel, may be NULL for the config in use),
 * resolved inside the config folder. */
static clxs_code target_file(clxs_req *req, const char *rel, const char *field, int for_write, char *out,
			     size_t len, clxs_error *err)
{
	char dir[PATH_MAX];
	clxs_code rc = config_dir(req, for_write, dir, sizeof(dir), err);
	if (rc)
		return rc;
	if (!rel || !*rel)
		return config_in_use(req, out, len, err);
	return clxs_cfg_confine(dir, rel, field, 1, out, len, err);
}

/* Serialise read-modify-write cycles across workers. -1 when the lock
 * cannot be taken (the write then fails rather than racing). */
static int lock_dir(const char *dir, clxs_error *err)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/.clxs-config.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		clxs_fail(err, CLXS_EIO, NULL, "cannot lock the config folder: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void unlock_dir(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

static const char *shown(const char *rel)
{
	return rel && *rel ? rel : "the config file";
}

/* Read a config file; a missing one is an empty text when missing_ok. */
static clxs_code read_text(const char *path, const char *rel, int missing_ok, char **text, size_t *len,
			   clxs_error *err)
{
	clxs_code rc = clxs_cfg_read(path, CLXS_CONFIG_MAX_BYTES, text, len, err);
	if (rc == CLXS_ENOTFOUND && missing_ok) {
		*text = strdup("");
		*len = 0;
		return *text ? CLXS_OK : clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	/* Say which file by the caller's name, not the server's path. */
	if (rc == CLXS_ENOTFOUND)
		clxs_fail(err, rc, "path", "%s does not exist", shown(rel));
	else if (rc == CLXS_ETOOLARGE)
		clxs_fail(err, rc, "path", "%s is larger than %u bytes", shown(rel), CLXS_CONFIG_MAX_BYTES);
	else if (rc)
		clxs_fail(err, rc, "path", "%s cannot be read", shown(rel));
	return rc;
}

/* Refuse body fields outside allowed (NULL-terminated). */
static bool only_fields(clxs_req *req, clxs_resp *resp, const char *const *allowed)
{
	json_object_object_foreach(req->body, key, val) {
		(void)val;
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, key);
		if (!ok) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, key, "unknown field '%s'", key);
			return false;
		}
	}
	return true;
}

/* An optional string field: NULL when absent; false (response set) when
 * present but not a non-empty string of at most max bytes. */
static bool opt_string(clxs_req *req, clxs_resp *resp, const char *field, size_t max, const char **out)
{
	json_object *v = NULL;
	*out = NULL;
	if (!json_object_object_get_ex(req->body, field, &v) || !v)
		return true;
	if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0 ||
	    (size_t)json_object_get_string_len(v) > max) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, field, "%s must be a non-empty string of at most %zu bytes",
			       field, max);
		return false;
	}
	*out = json_object_get_string(v);
	return true;
}

/* Check a whole config text the way the workers will load it: the base,
 * the profile in use, and every profile it defines. */
static clxs_code check_text(const char *text, size_t len, const char *profile, json_object **warnings,
			    json_object **effective, clxs_error *err)
{
	json_object *cfg = clxs_config_load_string(text, len, NULL, warnings, err);
	if (!cfg) {
		if (err->code == CLXS_EINVAL) {
			char msg[sizeof(err->message)];
			snprintf(msg, sizeof(msg), "%s", err->message);
			return clxs_fail(err, CLXS_EVALIDATION, "yaml_content", "not valid YAML: %s", msg);
		}
		return err->code;
	}
	json_object_put(cfg);
	json_object *names = clxs_config_profile_names(text, len, err);
	for (size_t i = 0; names && i < json_object_array_length(names); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(names, i));
		cfg = clxs_config_load_string(text, len, name, NULL, err);
		if (!cfg) {
			json_object_put(names);
			return err->code == CLXS_ENOTFOUND ? clxs_fail(err, CLXS_EVALIDATION, "profiles", "%s",
								     err->message)
							   : err->code;
		}
		json_object_put(cfg);
	}
	json_object_put(names);
	cfg = clxs_config_load_string(text, len, profile, NULL, err);
	if (!cfg && profile)
		cfg = clxs_config_load_string(text, len, NULL, NULL, err); /* profile not in this file */
	if (!cfg)
		return err->code;
	if (effective)
		*effective = cfg;
	else
		json_object_put(cfg);
	return CLXS_OK;
}

/* Set keys of the config in use: lock, read, edit through libyaml, check,
 * replace. *effective (may be NULL) receives the config as loaded after
 * the change (with the worker's profile). */
static clxs_code edit_config(clxs_req *req, json_object *edits, json_object **effective, clxs_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	clxs_code rc = config_dir(req, 1, dir, sizeof(dir), err);
	if (rc == CLXS_OK)
		rc = config_in_use(req, path, sizeof(path), err);
	if (rc)
		return rc;
	int lk = lock_dir(dir, err);
	if (lk < 0)
		return err->code;
	char *text = NULL, *out = NULL;
	size_t len = 0;
	rc = read_text(path, NULL, 1, &text, &len, err);
	if (rc == CLXS_OK && !(out = clxs_cfg_yaml_set(text, len, edits, req->ctx->profile, err)))
		rc = err->code;
	if (rc == CLXS_OK)
		rc = check_text(out, strlen(out), req->ctx->profile, NULL, effective, err);
	if (rc == CLXS_OK && (rc = clxs_cfg_write_atomic(path, out, strlen(out), err)) && effective) {
		json_object_put(*effective);
		*effective = NULL;
	}
	unlock_dir(lk);
	free(text);
	free(out);
	return rc;
}

/* ---- GET /api/config, PUT /api/config ------------------------------------------ */

void clxs_api_config_get(clxs_req *req, clxs_resp *resp)
{
	char rel[1100], prof[256], path[PATH_MAX];
	clxs_error err;
	const char *r = clxs_req_query(req, "path", rel, sizeof(rel));
	const char *p = clxs_req_query(req, "profile", prof, sizeof(prof));
	if (p && !*p)
		p = NULL;
	if (!p && !(r && *r))
		p = req->ctx->profile; /* the config in use, as the workers see it */
	if (target_file(req, r, "path", 0, path, sizeof(path), &err)) {
		if (err.code == CLXS_ENOTFOUND && !(r && *r)) {
			clxs_resp_json(resp, 200, clxs_config_defaults());
			return;
		}
		clxs_resp_error(resp, &err);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	if (read_text(path, r, !(r && *r), &text, &len, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *cfg = clxs_config_load_string(text, len, p, NULL, &err);
	free(text);
	if (!cfg) {
		if (err.code == CLXS_EINVAL)
			err.code = CLXS_EVALIDATION;
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_resp_json(resp, 200, clxs_config_redacted(cfg));
	json_object_put(cfg);
}

/* A PUT that sends back the masked token from GET must not overwrite the
 * real one: put the stored token back into the text. */
static clxs_code keep_token(const char *path, char **text, clxs_error *err)
{
	clxs_error e;
	json_object *doc = clxs_yaml_parse(*text, strlen(*text), &e);
	const char *tok = clxs_config_str(doc, "server.api_token");
	bool masked = tok && !strcmp(tok, MASK);
	json_object_put(doc);
	if (!masked)
		return CLXS_OK;
	json_object *old = clxs_config_load_file(path, NULL, NULL, &e);
	const char *real = clxs_config_str(old, "server.api_token");
	if (!real || !*real) {
		json_object_put(old);
		return clxs_fail(err, CLXS_EVALIDATION, "server.api_token",
				 "server.api_token holds the mask " MASK " and no token is stored to keep");
	}
	json_object *edits = json_object_new_object();
	clxs_json_set_str(edits, "server.api_token", real);
	json_object_put(old);
	char *out = clxs_cfg_yaml_set(*text, strlen(*text), edits, NULL, err);
	json_object_put(edits);
	if (!out)
		return err->code;
	free(*text);
	*text = out;
	return CLXS_OK;
}

void clxs_api_config_put(clxs_req *req, clxs_resp *resp)
{
	static const char *const allowed[] = {"yaml_content", "path", NULL};
	if (!only_fields(req, resp, allowed))
		return;
	json_object *yc = NULL;
	if (!json_object_object_get_ex(req->body, "yaml_content", &yc) || !json_object_is_type(yc, json_type_string)) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "yaml_content", "yaml_content is required and must be a string");
		return;
	}
	if ((size_t)json_object_get_string_len(yc) > CLXS_CONFIG_MAX_BYTES) {
		clxs_resp_fail(resp, CLXS_ETOOLARGE, "yaml_content", "yaml_content is larger than %u bytes",
			       CLXS_CONFIG_MAX_BYTES);
		return;
	}
	const char *rel;
	if (!opt_string(req, resp, "path", 1024, &rel))
		return;
	char dir[PATH_MAX], path[PATH_MAX];
	clxs_error err;
	if (config_dir(req, 1, dir, sizeof(dir), &err) || target_file(req, rel, "path", 1, path, sizeof(path), &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	char *text = strdup(json_object_get_string(yc));
	json_object *warnings = NULL;
	int lk = -1;
	clxs_code rc = text ? CLXS_OK : clxs_fail(&err, CLXS_ENOMEM, NULL, "out of memory");
	if (rc == CLXS_OK && strlen(text) != (size_t)json_object_get_string_len(yc))
		rc = clxs_fail(&err, CLXS_EVALIDATION, "yaml_content", "yaml_content must not contain NUL bytes");
	if (rc == CLXS_OK && (lk = lock_dir(dir, &err)) < 0)
		rc = err.code;
	if (rc == CLXS_OK)
		rc = keep_token(path, &text, &err);
	if (rc == CLXS_OK)
		rc = check_text(text, strlen(text), NULL, &warnings, NULL, &err);
	if (rc == CLXS_OK)
		rc = clxs_cfg_write_atomic(path, text, strlen(text), &err);
	unlock_dir(lk);
	free(text);
	if (rc) {
		json_object_put(warnings);
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "saved");
	clxs_json_set_str(o, "path", rel ? rel : strrchr(path, '/') + 1);
	if (warnings && json_object_array_length(warnings) > 0)
		json_object_object_add(o, "warnings", json_object_get(warnings));
	json_object_put(warnings);
	clxs_resp_json(resp, 200, o);
}

/* ---- POST /api/config/diff -------------------------------------------------------- */

static bool is_secret_key(const char *key)
{
	size_t n = strlen(key), m = strlen("server.api_token");
	return n >= m && !strcmp(key + n - m, "server.api_token") && (n == m || key[n - m - 1] == '.');
}

/* Flatten nested mappings into dotted keys; lists and scalars are leaves. */
static void flatten(json_object *v, const char *prefix, json_object *out)
{
	if (json_object_is_type(v, json_type_object) && json_object_object_length(v) > 0) {
		json_object_object_foreach(v, k, sub) {
			char key[1024];
			snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k);
			flatten(sub, key, out);
		}
		return;
	}
	if (*prefix)
		json_object_object_add(out, prefix, json_object_get(v));
}

static json_object *shown_value(const char *key, json_object *v)
{
	if (is_secret_key(key) && json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0)
		return json_object_new_string(MASK);
	return json_object_get(v);
}

static clxs_code load_for_diff(clxs_req *req, const char *field, json_object **flat, clxs_error *err)
{
	const char *rel = clxs_json_str(req->body, field, NULL);
	char path[PATH_MAX];
	clxs_code rc = target_file(req, rel, field, 0, path, sizeof(path), err);
	char *text = NULL;
	size_t len = 0;
	if (rc == CLXS_OK && (rc = read_text(path, rel, 0, &text, &len, err)) == CLXS_OK) {
		json_object *doc = clxs_yaml_parse(text, len, err);
		if (!doc && err->code != CLXS_OK) {
			rc = clxs_fail(err, CLXS_EVALIDATION, field, "%s is not valid YAML: %s", rel, err->message);
		} else {
			*flat = json_object_new_object();
			flatten(doc, "", *flat);
			json_object_put(doc);
		}
	}
	if (rc && err->code == CLXS_ENOTFOUND)
		snprintf(err->detail, sizeof(err->detail), "%s", field);
	free(text);
	return rc;
}

void clxs_api_config_diff(clxs_req *req, clxs_resp *resp)
{
	static const char *const allowed[] = {"file_a", "file_b", NULL};
	if (!only_fields(req, resp, allowed))
		return;
	const char *a, *b;
	if (!opt_string(req, resp, "file_a", 1024, &a) || !opt_string(req, resp, "file_b", 1024, &b))
		return;
	if (!a || !b) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, a ? "file_b" : "file_a", "%s is required", a ? "file_b" : "file_a");
		return;
	}
	json_object *fa = NULL, *fb = NULL;
	clxs_error err;
	if (load_for_diff(req, "file_a", &fa, &err) || load_for_diff(req, "file_b", &fb, &err)) {
		json_object_put(fa);
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *diffs = json_object_new_array();
	json_object_object_foreach(fa, ka, va) {
		json_object *vb = NULL;
		bool in_b = json_object_object_get_ex(fb, ka, &vb);
		if (in_b && json_object_equal(va, vb))
			continue;
		json_object *d = json_object_new_object();
		clxs_json_set_str(d, "key", ka);
		clxs_json_set_str(d, "change", in_b ? "changed" : "removed");
		json_object_object_add(d, "a", shown_value(ka, va));
		json_object_object_add(d, "b", in_b ? shown_value(ka, vb) : NULL);
		json_object_array_add(diffs, d);
	}
	json_object_object_foreach(fb, kb, vb2) {
		if (json_object_object_get_ex(fa, kb, NULL))
			continue;
		json_object *d = json_object_new_object();
		clxs_json_set_str(d, "key", kb);
		clxs_json_set_str(d, "change", "added");
		json_object_object_add(d, "a", NULL);
		json_object_object_add(d, "b", shown_value(kb, vb2));
		json_object_array_add(diffs, d);
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "file_a", a);
	clxs_json_set_str(o, "file_b", b);
	clxs_json_set_bool(o, "identical", json_object_array_length(diffs) == 0);
	clxs_json_set_int(o, "total_differences", (int64_t)json_object_array_length(diffs));
	json_object_object_add(o, "differences", diffs);
	json_object_put(fa);
	json_object_put(fb);
	clxs_resp_json(resp, 200, o);
}

/* ---- GET /api/config/profiles ----------------------------------------------------- */

void clxs_api_config_profiles(clxs_req *req, clxs_resp *resp)
{
	char rel[1100], path[PATH_MAX];
	clxs_error err;
	const char *r = clxs_req_query(req, "path", rel, sizeof(rel));
	bool dflt = !(r && *r);
	json_object *o = json_object_new_object();
	if (target_file(req, r, "path", 0, path, sizeof(path), &err)) {
		if (!(dflt && err.code == CLXS_ENOTFOUND)) {
			json_object_put(o);
			clxs_resp_error(resp, &err);
			return;
		}
		json_object_object_add(o, "profiles", json_object_new_array());
		clxs_resp_json(resp, 200, o);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	json_object *names = NULL;
	if (read_text(path, r, dflt, &text, &len, &err) == CLXS_OK &&
	    !(names = clxs_config_profile_names(text, len, &err)) && err.code == CLXS_EINVAL)
		err.code = CLXS_EVALIDATION;
	free(text);
	if (!names) {
		json_object_put(o);
		clxs_resp_error(resp, &err);
		return;
	}
	json_object_object_add(o, "profiles", names);
	clxs_resp_json(resp, 200, o);
}

/* ---- the Settings page's PATCHes -------------------------------------------------- */

static void edit_and_reply(clxs_req *req, clxs_resp *resp, json_object *edits, json_object *reply)
{
	clxs_error err;
	json_object *eff = NULL;
	clxs_code rc = json_object_object_length(edits) ? edit_config(req, edits, &eff, &err) : CLXS_OK;
	json_object_put(edits);
	if (rc) {
		json_object_put(reply);
		clxs_resp_error(resp, &err);
		return;
	}
	/* Fill fields the reply asks for (null placeholders) from the result. */
	if (eff || req->ctx->config) {
		json_object *src = eff ? eff : req->ctx->config;
		json_object_object_foreach(reply, k, v) {
			if (!v)
				json_object_object_add(reply, k, json_object_get(clxs_config_get(src, k)));
		}
	}
	json_object_put(eff);
	clxs_resp_json(resp, 200, reply);
}

void clxs_api_config_audit(clxs_req *req, clxs_resp *resp)
{
	static const char *const allowed[] = {"catalog", "schema", NULL};
	const char *cat, *sch;
	if (!only_fields(req, resp, allowed) || !opt_string(req, resp, "catalog", 255, &cat) ||
	    !opt_string(req, resp, "schema", 255, &sch))
		return;
	cat = cat ? cat : "clone_audit";
	sch = sch ? sch : "logs";
	json_object *edits = json_object_new_object(), *reply = json_object_new_object();
	clxs_json_set_str(edits, "audit_trail.catalog", cat);
	clxs_json_set_str(edits, "audit_trail.schema", sch);
	clxs_json_set_str(reply, "status", "saved");
	clxs_json_set_str(reply, "catalog", cat);
	clxs_json_set_str(reply, "schema", sch);
	edit_and_reply(req, resp, edits, reply);
}

void clxs_api_config_warehouse(clxs_req *req, clxs_resp *resp)
{
	static const char *const allowed[] = {"warehouse_id", NULL};
	const char *id;
	if (!only_fields(req, resp, allowed) || !opt_string(req, resp, "warehouse_id", 128, &id))
		return;
	if (!id) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "warehouse_id", "warehouse_id is required");
		return;
	}
	for (const char *p = id; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_')) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, "warehouse_id",
				       "warehouse_id may hold only letters, digits, '-' and '_'");
			return;
		}
	}
	json_object *edits = json_object_new_object(), *reply = json_object_new_object();
	clxs_json_set_str(edits, "sql_warehouse_id", id);
	clxs_json_set_str(reply, "status", "saved");
	clxs_json_set_str(reply, "sql_warehouse_id", id);
	edit_and_reply(req, resp, edits, reply);
}

void clxs_api_config_performance(clxs_req *req, clxs_resp *resp)
{
	static const char *const allowed[] = {"max_workers", "parallel_tables", "max_parallel_queries", NULL};
	if (!only_fields(req, resp, allowed))
		return;
	json_object *edits = json_object_new_object(), *reply = json_object_new_object();
	json_object_object_foreach(req->body, k, v) {
		/* The config schema checks type and range after the edit and
		 * names the key; refuse the obvious up front with the same name. */
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1) {
			json_object_put(edits);
			json_object_put(reply);
			clxs_resp_fail(resp, CLXS_EVALIDATION, k, "%s must be an integer >= 1", k);
			return;
		}
		json_object_object_add(edits, k, json_object_get(v));
	}
	clxs_json_set_str(reply, "status", "saved");
	edit_and_reply(req, resp, edits, reply);
}

void clxs_api_config_pricing(clxs_req *req, clxs_resp *resp)
{
	static const char *const allowed[] = {"price_per_gb", "currency", NULL};
	if (!only_fields(req, resp, allowed))
		return;
	json_object *edits = json_object_new_object();
	json_object *price = json_object_object_get(req->body, "price_per_gb");
	if (price) {
		json_type t = json_object_get_type(price);
		double d = json_object_get_double(price);
		if ((t != json_type_int && t != json_type_double) || !(d >= 0) || d > 1e12) {
			json_object_put(edits);
			clxs_resp_fail(resp, CLXS_EVALIDATION, "price_per_gb", "price_per_gb must be a number >= 0");
			return;
		}
		json_object_object_add(edits, "price_per_gb", json_object_new_double(d));
	}
	const char *cur;
	if (!opt_string(req, resp, "currency", 3, &cur)) {
		json_object_put(edits);
		return;
	}
	if (cur) {
		char up[4] = "";
		for (int i = 0; i < 3; i++)
			up[i] = cur[i] >= 'a' && cur[i] <= 'z' ? (char)(cur[i] - 32) : cur[i];
		if (strlen(cur) != 3 || up[0] < 'A' || up[0] > 'Z' || up[1] < 'A' || up[1] > 'Z' || up[2] < 'A' ||
		    up[2] > 'Z') {
			json_object_put(edits);
			clxs_resp_fail(resp, CLXS_EVALIDATION, "currency", "currency must be a 3-letter ISO 4217 code");
			return;
		}
		clxs_json_set_str(edits, "currency", up);
	}
	json_object *reply = json_object_new_object();
	clxs_json_set_str(reply, "status", "saved");
	json_object_object_add(reply, "price_per_gb", NULL);
	json_object_object_add(reply, "currency", NULL);
	if (!req->ctx->config && json_object_object_length(edits) == 0) {
		json_object *d = clxs_config_defaults();
		json_object_object_add(reply, "price_per_gb", json_object_get(clxs_config_get(d, "price_per_gb")));
		json_object_object_add(reply, "currency", json_object_get(clxs_config_get(d, "currency")));
		json_object_put(d);
	}
	edit_and_reply(req, resp, edits, reply);
}

/* ---- streaming form limits ------------------------------------------------------------ */

void clxs_api_config_streaming_get(clxs_req *req, clxs_resp *resp)
{
	char dir[PATH_MAX];
	clxs_error err;
	const char *d = clxs_cfg_dir(req->ctx->config_path, req->ctx->state_dir, dir, sizeof(dir), &err) ? NULL : dir;
	json_object *lim = clxs_streaming_limits_load(d, &err);
	if (err.message[0])
		clxs_warn("streaming limits: %s", err.message);
	clxs_resp_json(resp, 200, lim);
}

void clxs_api_config_streaming_patch(clxs_req *req, clxs_resp *resp)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	clxs_error err;
	if (config_dir(req, 1, dir, sizeof(dir), &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	int lk = lock_dir(dir, &err);
	if (lk < 0) {
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_error lerr;
	json_object *cur = clxs_streaming_limits_load(dir, &lerr), *next = NULL;
	clxs_code rc = clxs_streaming_limits_apply(cur, req->body, &next, &err);
	json_object_put(cur);
	if (rc == CLXS_OK) {
		snprintf(path, sizeof(path), "%s/%s", dir, CLXS_CFG_STREAMING_NAME);
		const char *text = json_object_to_json_string_ext(next, JSON_C_TO_STRING_PRETTY);
		char *withnl = NULL;
		if (asprintf(&withnl, "%s\n", text) < 0)
			rc = clxs_fail(&err, CLXS_ENOMEM, NULL, "out of memory");
		else
			rc = clxs_cfg_write_atomic(path, withnl, strlen(withnl), &err);
		free(withnl);
	}
	unlock_dir(lk);
	if (rc) {
		json_object_put(next);
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "saved");
	json_object_object_add(o, "limits", next);
	clxs_resp_json(resp, 200, o);
}

/* ---- route documentation (read by src/api/routes.c for OpenAPI) ------------------- */

const clxs_route_param clxs_config_get_params[] = {
	{"path", "query", "string", "Config file, relative to the config folder (default: the config in use)"},
	{"profile", "query", "string", "Config profile to merge over the base"},
	{NULL, NULL, NULL, NULL},
};

const clxs_route_param clxs_config_path_params[] = {
	{"path", "query", "string", "Config file, relative to the config folder (default: the config in use)"},
	{NULL, NULL, NULL, NULL},
};

const char clxs_config_put_schema[] =
	"{\"type\":\"object\",\"required\":[\"yaml_content\"],\"additionalProperties\":false,\"properties\":{"
	"\"yaml_content\":{\"type\":\"string\",\"description\":\"Full YAML content\"},"
	"\"path\":{\"type\":\"string\",\"default\":\"config/clone_config.yaml\"}}}";
const char clxs_config_diff_schema[] =
	"{\"type\":\"object\",\"required\":[\"file_a\",\"file_b\"],\"additionalProperties\":false,\"properties\":{"
	"\"file_a\":{\"type\":\"string\"},\"file_b\":{\"type\":\"string\"}}}";
const char clxs_config_audit_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
	"\"catalog\":{\"type\":\"string\",\"default\":\"clone_audit\"},"
	"\"schema\":{\"type\":\"string\",\"default\":\"logs\"}}}";
const char clxs_config_warehouse_schema[] =
	"{\"type\":\"object\",\"required\":[\"warehouse_id\"],\"additionalProperties\":false,\"properties\":{"
	"\"warehouse_id\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-]{1,128}$\"}}}";
const char clxs_config_performance_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
	"\"max_workers\":{\"type\":\"integer\",\"minimum\":1},"
	"\"parallel_tables\":{\"type\":\"integer\",\"minimum\":1},"
	"\"max_parallel_queries\":{\"type\":\"integer\",\"minimum\":1}}}";
const char clxs_config_pricing_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
	"\"price_per_gb\":{\"type\":\"number\",\"minimum\":0},"
	"\"currency\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z]{3}$\"}}}";
#define LIMIT_SCHEMA "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" \
	"\"default\":{\"type\":\"number\"},\"min\":{\"type\":\"number\"},\"max\":{\"type\":\"number\"}}}"
const char clxs_config_streaming_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
	"\"events_per_batch\":" LIMIT_SCHEMA ",\"interval_seconds\":" LIMIT_SCHEMA
	",\"total_duration_seconds\":" LIMIT_SCHEMA "}}";
