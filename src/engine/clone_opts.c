/* Validation of POST /api/clone bodies. One table lists every field with
 * its type and default; the reference is the source of truth for both. */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/util.h"

typedef enum { F_STR, F_BOOL, F_INT, F_NUM, F_STRLIST, F_MAP, F_OBJLIST, F_OBJ } ftype;

typedef struct {
	const char *name;
	ftype type;
	const char *dflt;     /* JSON text; NULL = absent means null */
	const char *allowed;  /* "A|B" for enums (case-insensitive, stored as listed) */
	const char *config;   /* config key supplying the default, if any */
} field;

static const field fields[] = {
	{"source_catalog", F_STR, NULL, NULL, NULL},
	{"destination_catalog", F_STR, NULL, NULL, NULL},
	{"warehouse_id", F_STR, NULL, NULL, "sql_warehouse_id"},
	{"clone_type", F_STR, "\"DEEP\"", "DEEP|SHALLOW", "clone_type"},
	{"load_type", F_STR, "\"FULL\"", "FULL|INCREMENTAL", "load_type"},
	{"dry_run", F_BOOL, "false", NULL, NULL},
	{"max_workers", F_INT, "4", NULL, "max_workers"},
	{"parallel_tables", F_INT, "1", NULL, "parallel_tables"},
	{"include_schemas", F_STRLIST, "[]", NULL, "include_schemas"},
	{"exclude_schemas", F_STRLIST, "[\"information_schema\",\"default\"]", NULL, "exclude_schemas"},
	{"include_tables_regex", F_STR, NULL, NULL, "include_tables_regex"},
	{"exclude_tables_regex", F_STR, NULL, NULL, "exclude_tables_regex"},
	{"copy_permissions", F_BOOL, "true", NULL, "copy_permissions"},
	{"copy_ownership", F_BOOL, "true", NULL, "copy_ownership"},
	{"copy_tags", F_BOOL, "true", NULL, "copy_tags"},
	{"copy_properties", F_BOOL, "true", NULL, "copy_properties"},
	{"copy_security", F_BOOL, "true", NULL, "copy_security"},
	{"copy_constraints", F_BOOL, "true", NULL, "copy_constraints"},
	{"copy_comments", F_BOOL, "true", NULL, "copy_comments"},
	{"enable_rollback", F_BOOL, "true", NULL, "enable_rollback"},
	{"validate_after_clone", F_BOOL, "false", NULL, "validate_after_clone"},
	{"validate_checksum", F_BOOL, "false", NULL, "validate_checksum"},
	{"order_by_size", F_STR, NULL, "asc|desc", "order_by_size"},
	{"max_rps", F_NUM, "0", NULL, "max_rps"},
	{"as_of_timestamp", F_STR, NULL, NULL, NULL},
	{"as_of_version", F_INT, NULL, NULL, NULL},
	{"location", F_STR, NULL, NULL, "location"},
	{"serverless", F_BOOL, "false", NULL, "serverless"},
	{"volume", F_STR, NULL, NULL, "volume"},
	{"include_objects", F_OBJLIST, NULL, NULL, NULL},
	{"target_workspace", F_OBJ, NULL, NULL, NULL},
	{"clone_views", F_BOOL, "true", NULL, NULL},
	{"clone_functions", F_BOOL, "true", NULL, NULL},
	{"clone_volumes", F_BOOL, "true", NULL, NULL},
	{"volume_max_file_mb", F_INT, "500", NULL, NULL},
	{"max_duration_min", F_INT, NULL, NULL, "max_duration_min"},
	{"max_tables", F_INT, NULL, NULL, "max_tables"},
	{"source_snapshot_id", F_STR, NULL, NULL, NULL},
	{"target_format", F_STR, "\"DELTA\"", "DELTA|ICEBERG", "target_format"},
	{"iceberg_physical", F_BOOL, "false", NULL, NULL},
	{"auto_mask_pii", F_BOOL, "false", NULL, NULL},
	{"enable_retry", F_BOOL, "true", NULL, "enable_retry"},
	{"compare_dq_after_clone", F_BOOL, "false", NULL, NULL},
	{"dq_drift_rollback_pct", F_NUM, "5.0", NULL, NULL},
	{"where_clauses", F_MAP, "{}", NULL, "where_clauses"},
	{"clone_tbl_properties", F_MAP, "{}", NULL, "clone_tbl_properties"},
	{"quiesce_source", F_BOOL, "false", NULL, NULL},
	{"auto_rollback_on_failure", F_BOOL, "false", NULL, "auto_rollback_on_failure"},
	{"rollback_threshold", F_NUM, "5.0", NULL, "rollback_threshold"},
};

static const char *type_name(ftype t)
{
	static const char *const names[] = {"a string", "a boolean", "an integer", "a number",
					    "an array of strings", "an object of strings",
					    "an array of objects", "an object"};
	return names[t];
}

static bool type_ok(ftype t, json_object *v)
{
	switch (t) {
	case F_STR: return json_object_is_type(v, json_type_string);
	case F_BOOL: return json_object_is_type(v, json_type_boolean);
	case F_INT: return json_object_is_type(v, json_type_int);
	case F_NUM: return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
	case F_OBJ: return json_object_is_type(v, json_type_object);
	case F_STRLIST:
	case F_OBJLIST:
		if (!json_object_is_type(v, json_type_array))
			return false;
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (!json_object_is_type(json_object_array_get_idx(v, i),
						t == F_STRLIST ? json_type_string : json_type_object))
				return false;
		return true;
	case F_MAP:
		if (!json_object_is_type(v, json_type_object))
			return false;
		json_object_object_foreach(v, k, mv) {
			(void)k;
			if (!json_object_is_type(mv, json_type_string))
				return false;
		}
		return true;
	}
	return false;
}

/* Match v against "A|B|C" case-insensitively; store the listed spelling. */
static const char *enum_match(const char *allowed, const char *v, char *buf, size_t len)
{
	for (const char *p = allowed; *p;) {
		const char *bar = strchrnul(p, '|');
		size_t n = (size_t)(bar - p);
		if (strlen(v) == n && strncasecmp(p, v, n) == 0 && n < len) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			return buf;
		}
		p = *bar ? bar + 1 : bar;
	}
	return NULL;
}

static const field *find_field(const char *name)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

static bool regex_ok(const char *re)
{
	regex_t rx;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	regfree(&rx);
	return true;
}

/* 8-4-4-4-12 hex digits, the form clxs_uuid4 gives snapshot ids. */
static bool uuid_ok(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static json_object *fail_null(clxs_error *err, const char *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static json_object *fail_null(clxs_error *err, const char *f, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clxs_fail(err, CLXS_EVALIDATION, f, "%s", msg);
	return NULL;
}

/* Checks that involve several fields, after every field has its value. */
static json_object *cross_check(json_object *o, clxs_error *err)
{
	const char *src = clxs_json_str(o, "source_catalog", NULL);
	const char *dst = clxs_json_str(o, "destination_catalog", NULL);
	json_object *tw = json_object_object_get(o, "target_workspace");
	if (!src || !*src)
		return fail_null(err, "source_catalog", "source_catalog is required");
	if (!dst || !*dst)
		return fail_null(err, "destination_catalog", "destination_catalog is required");
	if (!tw && strcasecmp(src, dst) == 0)
		return fail_null(err, "destination_catalog",
				 "destination_catalog must differ from source_catalog ('%s')", src);
	if (json_object_object_get(o, "as_of_timestamp") && json_object_object_get(o, "as_of_version"))
		return fail_null(err, "as_of_version", "give as_of_timestamp or as_of_version, not both");
	const char *ts = clxs_json_str(o, "as_of_timestamp", NULL);
	int64_t ms;
	if (ts && clxs_parse_iso8601(ts, &ms) != 0)
		return fail_null(err, "as_of_timestamp",
				 "as_of_timestamp '%s' is not a timestamp like 2026-01-31T12:00:00Z", ts);
	if (json_object_object_get(o, "as_of_version") && clxs_json_int(o, "as_of_version", 0) < 0)
		return fail_null(err, "as_of_version", "as_of_version must be >= 0");
	/* source_snapshot_id pins every table's version itself (resolved after
	 * discovery, src/engine/clone_snapshot.c): a second point in time or
	 * INCREMENTAL's "what moved since the last clone" contradicts it. */
	const char *snap = clxs_json_str(o, "source_snapshot_id", NULL);
	if (snap && !uuid_ok(snap))
		return fail_null(err, "source_snapshot_id",
				 "source_snapshot_id must be a snapshot id (a UUID from POST /api/clone-snapshots)");
	if (snap && (json_object_object_get(o, "as_of_version") || json_object_object_get(o, "as_of_timestamp")))
		return fail_null(err, "source_snapshot_id",
				 "give source_snapshot_id or as_of_version/as_of_timestamp, not both: the snapshot "
				 "already fixes every table's version");
	if (snap && !strcmp(clxs_json_str(o, "load_type", ""), "INCREMENTAL"))
		return fail_null(err, "source_snapshot_id",
				 "source_snapshot_id needs load_type FULL: an INCREMENTAL clone follows the "
				 "source's current versions");
	static const char *const positive[] = {"max_workers", "parallel_tables", "max_duration_min",
					       "max_tables", "volume_max_file_mb"};
	for (size_t i = 0; i < sizeof(positive) / sizeof(positive[0]); i++)
		if (json_object_object_get(o, positive[i]) && clxs_json_int(o, positive[i], 1) < 1)
			return fail_null(err, positive[i], "%s must be at least 1", positive[i]);
	if (clxs_json_double(o, "max_rps", 0) < 0)
		return fail_null(err, "max_rps", "max_rps must be >= 0 (0 = unlimited)");
	static const char *const pcts[] = {"rollback_threshold", "dq_drift_rollback_pct"};
	for (size_t i = 0; i < 2; i++) {
		double v = clxs_json_double(o, pcts[i], 0);
		if (v < 0 || v > 100)
			return fail_null(err, pcts[i], "%s must be between 0 and 100", pcts[i]);
	}
	static const char *const regexes[] = {"include_tables_regex", "exclude_tables_regex"};
	for (size_t i = 0; i < 2; i++) {
		const char *re = clxs_json_str(o, regexes[i], NULL);
		if (re && !regex_ok(re))
			return fail_null(err, regexes[i], "%s is not a valid regular expression: %s",
					 regexes[i], re);
	}
	json_object *inc = json_object_object_get(o, "include_objects");
	for (size_t i = 0; inc && i < json_object_array_length(inc); i++) {
		json_object *it = json_object_array_get_idx(inc, i);
		const char *type = clxs_json_str(it, "type", "");
		char b[16];
		if (!clxs_json_str(it, "schema", NULL) || !clxs_json_str(it, "name", NULL) ||
		    !enum_match("table|view|function|volume", type, b, sizeof(b)))
			return fail_null(err, "include_objects",
					 "include_objects entries are {schema, name, type} with type "
					 "table, view, function or volume");
	}
	if (!strcmp(clxs_json_str(o, "clone_type", ""), "SHALLOW") &&
	    json_object_object_length(json_object_object_get(o, "where_clauses")) > 0) {
		json_object *w = json_object_object_get(o, "warnings");
		json_object_array_add(w, json_object_new_string(
			"where_clauses are ignored on SHALLOW clones (they need a DEEP copy)"));
	}
	if (clxs_json_bool(o, "iceberg_physical", false) &&
	    strcmp(clxs_json_str(o, "target_format", ""), "ICEBERG") != 0)
		return fail_null(err, "iceberg_physical", "iceberg_physical needs target_format ICEBERG");
	return o;
}

json_object *clxs_clone_validate(json_object *body, json_object *config, clxs_error *err)
{
	if (!body || !json_object_is_type(body, json_type_object)) {
		clxs_fail(err, CLXS_EINVAL, "body", "the clone request must be a JSON object");
		return NULL;
	}
	json_object_object_foreach(body, key, val) {
		(void)val;
		if (!find_field(key)) {
			clxs_fail(err, CLXS_EVALIDATION, key, "unknown field '%s'", key);
			return NULL;
		}
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "warnings", json_object_new_array());
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const field *f = &fields[i];
		json_object *v = json_object_object_get(body, f->name);
		bool from_body = v != NULL;
		if (!v && f->config && config)
			v = json_object_object_get(config, f->config);
		if (!v) {
			if (f->dflt)
				json_object_object_add(o, f->name, json_tokener_parse(f->dflt));
			continue;
		}
		if (!type_ok(f->type, v)) {
			clxs_fail(err, CLXS_EVALIDATION, f->name, "%s%s must be %s", f->name,
				  from_body ? "" : " (from config)", type_name(f->type));
			json_object_put(o);
			return NULL;
		}
		if (f->allowed) {
			char buf[32];
			const char *m = enum_match(f->allowed, json_object_get_string(v), buf, sizeof(buf));
			if (!m) {
				clxs_fail(err, CLXS_EVALIDATION, f->name, "%s must be one of %s, got '%s'",
					  f->name, f->allowed, json_object_get_string(v));
				json_object_put(o);
				return NULL;
			}
			json_object_object_add(o, f->name, json_object_new_string(m));
			continue;
		}
		json_object *copy = NULL;
		json_object_deep_copy(v, &copy, NULL);
		json_object_object_add(o, f->name, copy);
	}
	if (!cross_check(o, err)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

const char *clxs_clone_body_schema(void)
{
	static char schema[8192];
	if (schema[0])
		return schema;
	static const char *const js[] = {"string", "boolean", "integer", "number", "array", "object",
					 "array", "object"};
	size_t n = (size_t)snprintf(schema, sizeof(schema),
				    "{\"type\":\"object\",\"required\":[\"source_catalog\","
				    "\"destination_catalog\"],\"properties\":{");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && n < sizeof(schema); i++) {
		const field *f = &fields[i];
		n += (size_t)snprintf(schema + n, sizeof(schema) - n, "%s\"%s\":{\"type\":\"%s\"%s%s%s}",
				      i ? "," : "", f->name, js[f->type], f->dflt ? ",\"default\":" : "",
				      f->dflt ? f->dflt : "", "");
	}
	if (n < sizeof(schema))
		snprintf(schema + n, sizeof(schema) - n, "}}");
	return schema;
}
