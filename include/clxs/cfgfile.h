/* Config files on disk, for the Config section of the API: where they live,
 * how a caller-supplied path is confined to that folder, how a file is
 * replaced atomically, how single keys of a YAML file are changed through
 * libyaml (never by string surgery), and the streaming form limits that
 * live next to clone_config.yaml in streaming_limits.json.
 *
 * The config directory is the folder of the config file in use, or
 * STATE/config when none is configured. Every path a caller passes is
 * relative to it; nothing outside it is ever read or written. */
#ifndef CLXS_CFGFILE_H
#define CLXS_CFGFILE_H

#include <json-c/json.h>
#include <stddef.h>

#include "clxs/error.h"

#define CLXS_CFG_DEFAULT_NAME "clone_config.yaml"
#define CLXS_CFG_STREAMING_NAME "streaming_limits.json"

/* The config directory and the config file in use for a worker that was
 * started with config_path (may be NULL) and state_dir (may be NULL: then
 * there is no directory and CLXS_ENOTFOUND is returned). */
clxs_code clxs_cfg_dir(const char *config_path, const char *state_dir, char *buf, size_t len,
		       clxs_error *err);
clxs_code clxs_cfg_file(const char *config_path, const char *state_dir, char *buf, size_t len,
			clxs_error *err);

/* Confine rel to dir. rel is relative; a leading "config/" (the API
 * reference's spelling of the config folder) is dropped. Refused with
 * CLXS_EINVAL (detail = field): empty, absolute, a ".." component, a
 * name not ending in .yaml/.yml (when yaml_only), or a path that resolves
 * (following symlinks, for the file or, when it does not exist, its
 * folder) outside dir. On success out holds the resolved absolute path,
 * which has no symlinks and is the file to read or replace. */
clxs_code clxs_cfg_confine(const char *dir, const char *rel, const char *field, int yaml_only, char *out,
			   size_t outlen, clxs_error *err);

/* Read a whole regular file (no symlink as the last component) of at most
 * max bytes into a malloc'd NUL-terminated buffer. Missing is
 * CLXS_ENOTFOUND. */
clxs_code clxs_cfg_read(const char *path, size_t max, char **out, size_t *outlen, clxs_error *err);

/* Replace path with data: a temp file in the same folder, fsync, rename,
 * fsync of the folder. A reader sees the old or the new file, never a
 * mix, and a crash leaves one of the two. A new file gets mode 0600 (it may
 * hold the API token); an existing one keeps its mode. */
clxs_code clxs_cfg_write_atomic(const char *path, const char *data, size_t len, clxs_error *err);

/* Set keys of a YAML document and emit it again with libyaml. edits maps
 * dotted keys ("audit_trail.catalog") to strings, numbers, booleans or
 * null. Everything else is kept: other keys and their order, profiles,
 * scalar styles, anchors. Comments are lost (libyaml does not report
 * them). When profile is set and profiles.<profile> already sets a key,
 * that key is changed inside the profile, so the change is the one the
 * running config sees. Empty text starts a new document. Returns malloc'd
 * text, or NULL with err set (CLXS_EVALIDATION when the root is not a
 * mapping or the text is not YAML). */
char *clxs_cfg_yaml_set(const char *text, size_t len, json_object *edits, const char *profile,
			clxs_error *err);

/* ---- streaming form limits -------------------------------------------------
 * {"events_per_batch": {"default", "min", "max"}, "interval_seconds": {...},
 *  "total_duration_seconds": {...}} with min <= default <= max per field. */
json_object *clxs_streaming_limits_defaults(void);

/* Merge patch (a subset of the shape) over cur into a new object in *out.
 * Unknown fields and wrong types are CLXS_EVALIDATION naming the field
 * ("events_per_batch.max"); a field whose min <= default <= max does not
 * hold is CLXS_EINVAL (400, as the API reference says) naming the field. */
clxs_code clxs_streaming_limits_apply(json_object *cur, json_object *patch, json_object **out,
				      clxs_error *err);

/* The limits in dir/streaming_limits.json, or the defaults when the file
 * does not exist. A file that does not pass the rules is ignored (the
 * defaults are returned and err says why in its message, code CLXS_OK). */
json_object *clxs_streaming_limits_load(const char *dir, clxs_error *err);

#endif
