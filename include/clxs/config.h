/* Configuration: a YAML front end (libyaml's document loader into json-c
 * trees) and the clone_config.yaml loader on top of it. The loader merges an
 * optional profile over the base, validates every key against one static
 * schema table in src/core/config.c and fills defaults, so the rest of the
 * program reads a complete, typed json object and never re-checks types.
 * docs/config.md describes every key. */
#ifndef CLXS_CONFIG_H
#define CLXS_CONFIG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clxs/error.h"

/* Upper bound on the size of a config file we agree to read. */
#define CLXS_CONFIG_MAX_BYTES (4u * 1024u * 1024u)

/* Parse one YAML document into a json-c tree. Mappings become objects,
 * sequences arrays. Plain scalars are typed by the YAML 1.2 core schema:
 * null/Null/NULL/~/empty -> null, true/True/TRUE/false/False/FALSE ->
 * boolean (yes/no/on/off stay strings), decimal/0o/0x integers -> int64,
 * decimals with '.'/exponent and .inf/.nan -> double; every other plain
 * scalar and every quoted or block scalar is a string. Anchors and aliases
 * are expanded (each alias becomes an independent copy); the merge key `<<`
 * is supported. Duplicate keys, NUL characters and integers outside int64
 * are errors.
 *
 * Errors return NULL with err->code == CLXS_EINVAL and the line/column in
 * the message. A document whose root is null (empty text, only comments,
 * `~`) also returns NULL but leaves err->code == CLXS_OK, so callers that
 * accept an empty document must check err->code, not the pointer. */
json_object *clxs_yaml_parse(const char *text, size_t len, clxs_error *err);

/* Load a config from YAML text: parse, then when profile is non-NULL and
 * non-empty deep-merge profiles.<profile> over the base (maps merge key by
 * key, scalars and lists are replaced; an unknown profile is CLXS_ENOTFOUND
 * naming it), then validate and fill a default for every absent or null
 * key. The result never contains `profiles`. Unknown keys are dropped and,
 * when warnings != NULL, reported as "unknown config key 'a.b'" strings in
 * a new json array stored in *warnings (the caller puts it; NULL on
 * failure). A wrong type, enum value or range is CLXS_EVALIDATION with
 * err->detail set to the dotted key. Empty text loads the defaults. */
json_object *clxs_config_load_string(const char *yaml, size_t len, const char *profile,
				     json_object **warnings, clxs_error *err);

/* As clxs_config_load_string for the file at path. A missing file is
 * CLXS_ENOTFOUND, an unreadable one CLXS_EIO, one larger than
 * CLXS_CONFIG_MAX_BYTES CLXS_ETOOLARGE. path == NULL loads the defaults
 * (and then any profile is unknown). */
json_object *clxs_config_load_file(const char *path, const char *profile,
				   json_object **warnings, clxs_error *err);

/* Validate an already-parsed tree (YAML or a JSON request body) against
 * the schema: same rules and warnings as the loaders, without profiles.
 * A top-level `profiles` key is dropped silently. in may be NULL (defaults).
 * Returns a new object; in is not modified. */
json_object *clxs_config_validate(json_object *in, json_object **warnings, clxs_error *err);

/* A complete config holding only defaults (NULL on out-of-memory). */
json_object *clxs_config_defaults(void);

/* Profile names in file order as a json array of strings (empty when the
 * text has no profiles section). */
json_object *clxs_config_profile_names(const char *yaml, size_t len, clxs_error *err);

/* The schema as data, for docs, the API and the Settings page: an array of
 * {"key", "type", "default", "allowed"?, "min"?, "max"?, "secret"?, "help"}
 * in table order. Types: string, integer, number, boolean, string_list,
 * string_map, object. */
json_object *clxs_config_schema(void);

/* A deep copy of cfg with every secret key (server.api_token) that is set
 * replaced by "********", for responses and logs. */
json_object *clxs_config_redacted(json_object *cfg);

/* The config file to use when none is given: $CLXS_CONFIG when set and
 * non-empty, else <sysconfdir>/clxs/clone_config.yaml. */
const char *clxs_config_default_path(void);

/* Getters over a loaded config by dotted path ("audit_trail.catalog").
 * Map keys that themselves contain dots (where_clauses entries) cannot be
 * reached this way: get the map and use json-c directly. */
json_object *clxs_config_get(json_object *cfg, const char *path);
/* NULL when absent, null or not a string. The string belongs to cfg. */
const char *clxs_config_str(json_object *cfg, const char *path);
int64_t clxs_config_int(json_object *cfg, const char *path, int64_t dflt);
double clxs_config_num(json_object *cfg, const char *path, double dflt);
bool clxs_config_bool(json_object *cfg, const char *path, bool dflt);

#endif
