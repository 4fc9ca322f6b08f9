/* clone_config.yaml: one schema table, profile merge, validation with
 * defaults, and dotted-path getters. The table below is the single truth
 * for config keys: validation, defaults, clxs_config_schema() (and through
 * it the API and docs checks) all read it, so adding a key is one line. */
#include "clxs/config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLXS_SYSCONFDIR
#define CLXS_SYSCONFDIR "/etc/clxs"
#endif

typedef enum {
	CT_STR,     /* string, or null when the default is null */
	CT_INT,     /* integer */
	CT_NUM,     /* integer or float, stored as float */
	CT_BOOL,
	CT_STRLIST, /* list of strings */
	CT_STRMAP,  /* mapping of free-form keys to strings */
	CT_OBJ,     /* nested section whose keys are further rows */
} ctype;

enum {
	F_MIN = 1,    /* min applies */
	F_MAX = 2,    /* max applies */
	F_SECRET = 4, /* masked by clxs_config_redacted() */
};

typedef struct {
	const char *key;     /* dotted path; a row's parent is everything before the last dot */
	ctype type;
	const char *dflt;    /* default as JSON text; NULL means JSON null */
	const char *choices; /* "A|B": allowed values of an enum string */
	double min, max;
	unsigned flags;
	const char *help;
} key_spec;

#define STR(k, d, h) {k, CT_STR, d, NULL, 0, 0, 0, h}
#define ENUM(k, d, c, h) {k, CT_STR, d, c, 0, 0, 0, h}
#define BOOL(k, d, h) {k, CT_BOOL, d, NULL, 0, 0, 0, h}
#define INT_MIN_(k, d, lo, h) {k, CT_INT, d, NULL, lo, 0, F_MIN, h}
#define INT_RANGE(k, d, lo, hi, h) {k, CT_INT, d, NULL, lo, hi, F_MIN | F_MAX, h}
#define NUM_MIN(k, d, lo, h) {k, CT_NUM, d, NULL, lo, 0, F_MIN, h}
#define NUM_RANGE(k, d, lo, hi, h) {k, CT_NUM, d, NULL, lo, hi, F_MIN | F_MAX, h}
#define LIST(k, d, h) {k, CT_STRLIST, d, NULL, 0, 0, 0, h}
#define MAP(k, h) {k, CT_STRMAP, "{}", NULL, 0, 0, 0, h}
#define SECTION(k, h) {k, CT_OBJ, NULL, NULL, 0, 0, 0, h}

/* Defaults follow the API reference (POST /api/clone, Config, audit,
 * pricing, cache); server.* is ours. Rows of a section follow the section. */
static const key_spec schema[] = {
	/* What to clone, and where */
	STR("source_catalog", NULL, "Catalog to clone from"),
	STR("destination_catalog", NULL, "Catalog to clone into"),
	STR("sql_warehouse_id", NULL, "SQL warehouse that runs the statements"),
	ENUM("clone_type", "\"DEEP\"", "DEEP|SHALLOW", "DEEP copies data, SHALLOW references the source's files"),
	ENUM("load_type", "\"FULL\"", "FULL|INCREMENTAL", "FULL re-clones every table, INCREMENTAL only changed ones"),
	ENUM("target_format", "\"DELTA\"", "DELTA|ICEBERG", "ICEBERG enables UniForm Iceberg metadata on the Delta destination"),
	BOOL("iceberg_physical", "false", "With target_format ICEBERG: create real Iceberg tables (CTAS), losing Delta history"),
	BOOL("dry_run", "false", "Plan and log the statements without running them"),
	BOOL("force_reclone", "false", "Re-clone tables that already exist in the destination"),
	BOOL("serverless", "false", "Run on serverless compute"),
	STR("volume", NULL, "UC volume path used by serverless runs"),
	STR("location", NULL, "Managed location for a newly created destination catalog"),
	STR("as_of_timestamp", NULL, "Time travel: clone every table as of this timestamp"),
	INT_MIN_("as_of_version", NULL, 0, "Time travel: clone every table as of this Delta version"),

	/* Scope */
	LIST("include_schemas", "[]", "Only clone these schemas (empty: all)"),
	LIST("exclude_schemas", "[\"information_schema\",\"default\"]", "Schemas never cloned"),
	STR("include_tables_regex", NULL, "Only clone tables whose name matches"),
	STR("exclude_tables_regex", NULL, "Skip tables whose name matches"),
	MAP("where_clauses", "Per-table row filter: \"schema.table\" or \"*\" -> SQL predicate (DEEP only, CTAS path)"),
	MAP("clone_tbl_properties", "TBLPROPERTIES written inline on every CLONE statement"),
	ENUM("order_by_size", NULL, "asc|desc", "Clone tables smallest-first (asc) or largest-first (desc)"),

	/* Metadata copied along with the data */
	BOOL("copy_permissions", "true", "Copy grants"),
	BOOL("copy_ownership", "true", "Copy owners"),
	BOOL("copy_tags", "true", "Copy Unity Catalog tags"),
	BOOL("copy_properties", "true", "Copy table properties"),
	BOOL("copy_security", "true", "Copy row filters and column masks"),
	BOOL("copy_constraints", "true", "Copy CHECK, primary and foreign key constraints"),
	BOOL("copy_comments", "true", "Copy table and column comments"),
	BOOL("clone_views", "true", "Cross-workspace: recreate views with catalog references rewritten"),
	BOOL("clone_functions", "true", "Cross-workspace: recreate SQL functions"),
	BOOL("clone_volumes", "true", "Cross-workspace: recreate volumes and copy their files"),
	INT_MIN_("volume_max_file_mb", "500", 1, "Cross-workspace: skip volume files larger than this (MB)"),
	BOOL("auto_mask_pii", "false", "Mask columns tagged as PII on the destination"),
	BOOL("quiesce_source", "false", "Revoke writes on the source schemas while cloning"),

	/* Performance and guardrails */
	INT_MIN_("max_workers", "4", 1, "Schemas processed in parallel"),
	INT_MIN_("parallel_tables", "1", 1, "Tables cloned in parallel within a schema"),
	INT_MIN_("max_parallel_queries", "10", 1, "Upper bound on concurrent SQL statements"),
	NUM_MIN("max_rps", "0", 0, "Workspace API requests per second (0: unlimited)"),
	BOOL("enable_retry", "true", "Retry transient failures with exponential backoff"),
	INT_MIN_("max_retries", "3", 0, "Retries per statement when enable_retry is on"),
	INT_MIN_("max_duration_min", NULL, 1, "Abort a clone running longer than this many minutes"),
	INT_MIN_("max_tables", NULL, 1, "Abort a clone after this many tables"),
	INT_MIN_("cache_ttl_seconds", "300", 0, "Lifetime of cached workspace metadata (0: no cache)"),

	/* Validation and rollback */
	BOOL("validate_after_clone", "false", "Compare row counts after the clone"),
	BOOL("validate_checksum", "false", "Also compare checksums when validating"),
	BOOL("compare_dq_after_clone", "false", "Compare per-column NULL counts after each schema"),
	NUM_RANGE("dq_drift_rollback_pct", "5.0", 0, 100, "Drift (%) of compare_dq_after_clone that counts as failure"),
	BOOL("enable_rollback", "true", "Record a rollback log for every clone"),
	BOOL("auto_rollback_on_failure", "false", "Roll back automatically when validation fails"),
	NUM_RANGE("rollback_threshold", "5.0", 0, 100, "Row-count drift (%) that counts as a failed validation"),

	/* Audit trail */
	SECTION("audit_trail", "Where audit, run-log and snapshot tables live"),
	STR("audit_trail.catalog", "\"clone_audit\"", "Audit catalog"),
	STR("audit_trail.schema", "\"logs\"", "Audit schema"),

	/* Cost */
	NUM_MIN("price_per_gb", "0.023", 0, "Storage price per GB-month for estimates"),
	STR("currency", "\"USD\"", "ISO 4217 currency of price_per_gb"),

	/* Our daemons */
	SECTION("server", "clxs-api, clxs-runner and clxs-lakehouse settings"),
	STR("server.host", "\"127.0.0.1\"", "Address nginx listens on"),
	INT_RANGE("server.port", "8080", 1, 65535, "Port of the web UI and API"),
	INT_RANGE("server.lakehouse_port", "8081", 1, 65535, "Port of the embedded lakehouse"),
	INT_RANGE("server.workers", NULL, 1, 1024, "FastCGI worker processes (unset: one per CPU core)"),
	INT_RANGE("server.runner_concurrency", "2", 1, 1024, "Jobs the runner executes at once"),
	INT_MIN_("server.lease_seconds", "30", 1, "A running job's lease; an expired lease re-queues the job"),
	INT_MIN_("server.max_body_bytes", "8388608", 1, "Largest request body accepted"),
	/* min: the shortest non-empty token (a short one is guessable); the
	 * one check shared by config files, PUT /api/config and clxs serve. */
	{"server.api_token", CT_STR, "\"\"", NULL, 16, 0, F_SECRET | F_MIN,
	 "Bearer token required by the API (empty, or at least 16 random characters); mandatory when host is not loopback"},
	STR("server.state_dir", "\"\"", "Directory of the LMDB state (empty: the built-in default)"),
	ENUM("server.log_level", "\"info\"", "debug|info|warn|error|off", "Log verbosity"),
	LIST("server.allowed_hosts", "[]",
	     "Host names (besides IP addresses and localhost) the API answers to; guards against DNS rebinding"),
};

#define NSCHEMA (sizeof(schema) / sizeof(schema[0]))

static const char *const type_names[] = {
	[CT_STR] = "string",       [CT_INT] = "integer",     [CT_NUM] = "number",
	[CT_BOOL] = "boolean",     [CT_STRLIST] = "string_list", [CT_STRMAP] = "string_map",
	[CT_OBJ] = "object",
};

static const char *const expect_names[] = {
	[CT_STR] = "a string",          [CT_INT] = "an integer",  [CT_NUM] = "a number",
	[CT_BOOL] = "a boolean",        [CT_STRLIST] = "a list of strings",
	[CT_STRMAP] = "a mapping of strings", [CT_OBJ] = "a mapping",
};

static const char *json_kind(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "boolean";
	case json_type_int: return "integer";
	case json_type_double: return "number";
	case json_type_string: return "string";
	case json_type_array: return "list";
	case json_type_object: return "mapping";
	}
	return "unknown";
}

static clxs_code nomem(clxs_error *err)
{
	return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
}

/* json-c keeps the value when an add fails; free it so callers have one
 * thing to check. */
static int obj_add(json_object *obj, const char *key, json_object *val)
{
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

static int arr_add(json_object *arr, json_object *val)
{
	if (json_object_array_add(arr, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

static int add_str(json_object *arr, const char *s)
{
	json_object *v = json_object_new_string(s);
	return v ? arr_add(arr, v) : -1;
}

/* The part of key after its parent, and whether its parent is prefix
 * ("" for the top level). */
static bool child_of(const key_spec *ks, const char *prefix, const char **leaf)
{
	const char *dot = strrchr(ks->key, '.');
	size_t plen = strlen(prefix);
	if (!dot) {
		*leaf = ks->key;
		return plen == 0;
	}
	*leaf = dot + 1;
	return plen == (size_t)(dot - ks->key) && strncmp(ks->key, prefix, plen) == 0;
}

static const key_spec *find_child(const char *prefix, const char *name)
{
	const char *leaf;
	for (size_t i = 0; i < NSCHEMA; i++)
		if (child_of(&schema[i], prefix, &leaf) && strcmp(leaf, name) == 0)
			return &schema[i];
	return NULL;
}

/* prefix.leaf; a key too long for buf (only free-form map keys can be)
 * ends in "..." so the message still shows where it came from. */
static void join_key(char *buf, size_t n, const char *prefix, const char *leaf)
{
	int r = snprintf(buf, n, "%s%s%s", prefix, *prefix ? "." : "", leaf);
	if (r < 0 || (size_t)r >= n)
		memcpy(buf + n - 4, "...", 4);
}

static clxs_code warn(json_object *warnings, clxs_error *err, const char *what, const char *key,
		      const char *why)
{
	if (!warnings)
		return CLXS_OK;
	char msg[384];
	snprintf(msg, sizeof(msg), "%s '%s'%s", what, key, why);
	if (add_str(warnings, msg) != 0)
		return nomem(err);
	return CLXS_OK;
}

static clxs_code validate_level(const char *prefix, json_object *in, json_object *out,
				json_object *warnings, clxs_error *err);

/* Case-insensitive match against "A|B|C"; on success *canon is the
 * spelling from the table (so "deep" is stored as "DEEP"). */
static bool enum_match(const char *choices, const char *s, char *canon, size_t n)
{
	size_t slen = strlen(s);
	for (const char *p = choices; *p;) {
		size_t w = strcspn(p, "|");
		if (w == slen && strncasecmp(p, s, w) == 0) {
			snprintf(canon, n, "%.*s", (int)w, p);
			return true;
		}
		p += w;
		if (*p == '|')
			p++;
	}
	return false;
}

static clxs_code type_error(clxs_error *err, const key_spec *ks, const char *key, json_object *v)
{
	return clxs_fail(err, CLXS_EVALIDATION, key, "config key '%s' must be %s, got %s", key,
			 expect_names[ks->type], json_kind(v));
}

static clxs_code check_range(const key_spec *ks, const char *key, double d, clxs_error *err)
{
	bool lo = (ks->flags & F_MIN) && d < ks->min;
	bool hi = (ks->flags & F_MAX) && d > ks->max;
	if (!lo && !hi)
		return CLXS_OK;
	if ((ks->flags & F_MIN) && (ks->flags & F_MAX))
		return clxs_fail(err, CLXS_EVALIDATION, key, "config key '%s' must be between %g and %g, got %g",
				 key, ks->min, ks->max, d);
	return clxs_fail(err, CLXS_EVALIDATION, key, "config key '%s' must be >= %g, got %g", key, ks->min, d);
}

static clxs_code check_string(const key_spec *ks, const char *key, json_object *v, json_object **out,
			      clxs_error *err)
{
	if (!json_object_is_type(v, json_type_string))
		return type_error(err, ks, key, v);
	const char *s = json_object_get_string(v);
	if (ks->choices) {
		char canon[64];
		if (!enum_match(ks->choices, s, canon, sizeof(canon))) {
			char list[128];
			snprintf(list, sizeof(list), "%s", ks->choices);
			for (char *p = strchr(list, '|'); p; p = strchr(p, '|'))
				*p = '/';
			return clxs_fail(err, CLXS_EVALIDATION, key, "config key '%s' must be one of %s, got '%.64s'",
					 key, list, s);
		}
		*out = json_object_new_string(canon);
	} else {
		/* F_MIN on a string: the least length of a non-empty value. The
		 * value itself is never quoted (it may be a secret). */
		size_t n = (size_t)json_object_get_string_len(v);
		if ((ks->flags & F_MIN) && n > 0 && (double)n < ks->min)
			return clxs_fail(err, CLXS_EVALIDATION, key,
					 "config key '%s' must be empty or at least %g characters long, got %zu",
					 key, ks->min, n);
		*out = json_object_new_string_len(s, (int)n);
	}
	return *out ? CLXS_OK : nomem(err);
}

static clxs_code check_list(const key_spec *ks, const char *key, json_object *v, json_object **out,
			    clxs_error *err)
{
	if (!json_object_is_type(v, json_type_array))
		return type_error(err, ks, key, v);
	json_object *arr = json_object_new_array();
	if (!arr)
		return nomem(err);
	size_t n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(v, i);
		if (!json_object_is_type(item, json_type_string)) {
			json_object_put(arr);
			return clxs_fail(err, CLXS_EVALIDATION, key,
					 "config key '%s' must be a list of strings, got %s at position %zu", key,
					 json_kind(item), i + 1);
		}
		if (add_str(arr, json_object_get_string(item)) != 0) {
			json_object_put(arr);
			return nomem(err);
		}
	}
	*out = arr;
	return CLXS_OK;
}

/* Values of string maps are SQL text or TBLPROPERTIES values, where a
 * plain `true` or `30` means the same as the quoted string, so booleans and
 * integers are taken as their text. Floats are refused: their text would
 * not survive the round trip (0.1 -> 0.10000000000000001). */
static clxs_code check_map(const key_spec *ks, const char *key, json_object *v, json_object **out,
			   clxs_error *err)
{
	if (!json_object_is_type(v, json_type_object))
		return type_error(err, ks, key, v);
	json_object *map = json_object_new_object();
	if (!map)
		return nomem(err);
	json_object_object_foreach(v, k, item)
	{
		enum json_type t = json_object_get_type(item);
		if (t != json_type_string && t != json_type_boolean && t != json_type_int) {
			char sub[256];
			join_key(sub, sizeof(sub), key, k);
			json_object_put(map);
			return clxs_fail(err, CLXS_EVALIDATION, sub, "config key '%s' must be a string, got %s%s", sub,
					 json_kind(item), t == json_type_double ? " (quote the value)" : "");
		}
		json_object *s = json_object_new_string(json_object_get_string(item));
		if (!s || obj_add(map, k, s) != 0) {
			json_object_put(map);
			return nomem(err);
		}
	}
	*out = map;
	return CLXS_OK;
}

/* Check one present, non-null value and return a fresh normalised copy. */
static clxs_code check_value(const key_spec *ks, const char *key, json_object *v, json_object **out,
			     json_object *warnings, clxs_error *err)
{
	*out = NULL;
	switch (ks->type) {
	case CT_STR:
		return check_string(ks, key, v, out, err);
	case CT_INT: {
		if (!json_object_is_type(v, json_type_int))
			return type_error(err, ks, key, v);
		int64_t i = json_object_get_int64(v);
		clxs_code rc = check_range(ks, key, (double)i, err);
		if (rc != CLXS_OK)
			return rc;
		*out = json_object_new_int64(i);
		break;
	}
	case CT_NUM: {
		if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
			return type_error(err, ks, key, v);
		double d = json_object_get_double(v);
		if (!isfinite(d))
			return clxs_fail(err, CLXS_EVALIDATION, key, "config key '%s' must be a finite number", key);
		clxs_code rc = check_range(ks, key, d, err);
		if (rc != CLXS_OK)
			return rc;
		*out = json_object_new_double(d);
		break;
	}
	case CT_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return type_error(err, ks, key, v);
		*out = json_object_new_boolean(json_object_get_boolean(v));
		break;
	case CT_STRLIST:
		return check_list(ks, key, v, out, err);
	case CT_STRMAP:
		return check_map(ks, key, v, out, err);
	case CT_OBJ: {
		if (!json_object_is_type(v, json_type_object))
			return type_error(err, ks, key, v);
		json_object *obj = json_object_new_object();
		if (!obj)
			return nomem(err);
		clxs_code rc = validate_level(ks->key, v, obj, warnings, err);
		if (rc != CLXS_OK) {
			json_object_put(obj);
			return rc;
		}
		*out = obj;
		return CLXS_OK;
	}
	}
	return *out ? CLXS_OK : nomem(err);
}

static clxs_code make_default(const key_spec *ks, json_object **out, json_object *warnings,
			      clxs_error *err)
{
	*out = NULL;
	if (ks->type == CT_OBJ) {
		json_object *obj = json_object_new_object();
		if (!obj)
			return nomem(err);
		clxs_code rc = validate_level(ks->key, NULL, obj, warnings, err);
		if (rc != CLXS_OK) {
			json_object_put(obj);
			return rc;
		}
		*out = obj;
		return CLXS_OK;
	}
	if (!ks->dflt)
		return CLXS_OK;
	/* Defaults go through the same checks as user values: that normalises
	 * them (0 -> 0.0 for numbers) and catches a bad row in the table. */
	json_object *raw = json_tokener_parse(ks->dflt);
	clxs_code rc = raw ? check_value(ks, ks->key, raw, out, warnings, err) : CLXS_EINTERNAL;
	json_object_put(raw);
	if (rc != CLXS_OK && rc != CLXS_ENOMEM)
		return clxs_fail(err, CLXS_EINTERNAL, ks->key, "bad default for config key '%s'", ks->key);
	return rc;
}

/* Fill out with every schema row under prefix: the validated value from in
 * when present and not null, else the default. Keys of in that the schema
 * does not know become warnings. */
static clxs_code validate_level(const char *prefix, json_object *in, json_object *out,
				json_object *warnings, clxs_error *err)
{
	char key[256];
	if (in) {
		json_object_object_foreach(in, k, v)
		{
			(void)v;
			if (!*prefix && strcmp(k, "profiles") == 0)
				continue;
			if (find_child(prefix, k))
				continue;
			join_key(key, sizeof(key), prefix, k);
			if (warn(warnings, err, "unknown config key", key, "") != CLXS_OK)
				return CLXS_ENOMEM;
		}
	}
	for (size_t i = 0; i < NSCHEMA; i++) {
		const key_spec *ks = &schema[i];
		const char *leaf;
		if (!child_of(ks, prefix, &leaf))
			continue;
		json_object *v = NULL, *val = NULL;
		clxs_code rc;
		join_key(key, sizeof(key), prefix, leaf);
		if (in && json_object_object_get_ex(in, leaf, &v) && v)
			rc = check_value(ks, key, v, &val, warnings, err);
		else
			rc = make_default(ks, &val, warnings, err);
		if (rc != CLXS_OK)
			return rc;
		if (obj_add(out, leaf, val) != 0)
			return nomem(err);
	}
	return CLXS_OK;
}

static json_object *new_warnings(json_object **warnings, clxs_error *err)
{
	if (!warnings)
		return NULL;
	*warnings = json_object_new_array();
	if (!*warnings)
		nomem(err);
	return *warnings;
}

static void drop_warnings(json_object **warnings)
{
	if (warnings) {
		json_object_put(*warnings);
		*warnings = NULL;
	}
}

/* Validate into a new object, appending to an existing warnings array. */
static json_object *validate_into(json_object *in, json_object *warnings, clxs_error *err)
{
	if (in && !json_object_is_type(in, json_type_object)) {
		clxs_fail(err, CLXS_EVALIDATION, NULL, "config must be a mapping of keys, got %s", json_kind(in));
		return NULL;
	}
	json_object *out = json_object_new_object();
	if (!out) {
		nomem(err);
		return NULL;
	}
	if (validate_level("", in, out, warnings, err) != CLXS_OK) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

json_object *clxs_config_validate(json_object *in, json_object **warnings, clxs_error *err)
{
	clxs_error_clear(err);
	if (warnings && !new_warnings(warnings, err))
		return NULL;
	json_object *out = validate_into(in, warnings ? *warnings : NULL, err);
	if (!out)
		drop_warnings(warnings);
	return out;
}

json_object *clxs_config_defaults(void)
{
	return validate_into(NULL, NULL, NULL);
}

/* Merge src over dst: mappings merge key by key, anything else replaces.
 * src is copied, never shared, so dst owns all of its tree. */
static int deep_merge(json_object *dst, json_object *src)
{
	json_object_object_foreach(src, k, sv)
	{
		json_object *dv = NULL;
		if (json_object_object_get_ex(dst, k, &dv) && json_object_is_type(dv, json_type_object) &&
		    json_object_is_type(sv, json_type_object)) {
			if (deep_merge(dv, sv) != 0)
				return -1;
			continue;
		}
		json_object *copy = NULL;
		if (sv && json_object_deep_copy(sv, &copy, NULL) != 0)
			return -1;
		if (obj_add(dst, k, copy) != 0)
			return -1;
	}
	return 0;
}

/* The profiles section of a parsed root, checked for shape: a mapping of
 * mappings (or nulls). *out is NULL when the section is absent or null. */
static clxs_code profiles_of(json_object *root, json_object **out, clxs_error *err)
{
	json_object *profiles = NULL;
	*out = NULL;
	if (root && !json_object_is_type(root, json_type_object))
		return clxs_fail(err, CLXS_EVALIDATION, NULL,
				 "config must be a mapping of keys at the top level, got %s", json_kind(root));
	if (!root || !json_object_object_get_ex(root, "profiles", &profiles) || !profiles)
		return CLXS_OK;
	if (!json_object_is_type(profiles, json_type_object))
		return clxs_fail(err, CLXS_EVALIDATION, "profiles", "config key 'profiles' must be a mapping, got %s",
				 json_kind(profiles));
	json_object_object_foreach(profiles, name, body)
	{
		if (body && !json_object_is_type(body, json_type_object)) {
			char key[256];
			join_key(key, sizeof(key), "profiles", name);
			return clxs_fail(err, CLXS_EVALIDATION, key, "config key '%s' must be a mapping, got %s", key,
					 json_kind(body));
		}
	}
	*out = profiles;
	return CLXS_OK;
}

/* Parse, merge the profile, validate. Consumes nothing; root is local. */
static json_object *load_text(const char *yaml, size_t len, const char *profile, json_object *warnings,
			      clxs_error *err)
{
	json_object *root = clxs_yaml_parse(yaml, len, err);
	if (!root && err->code != CLXS_OK)
		return NULL;
	json_object *out = NULL, *profiles = NULL;
	if (profiles_of(root, &profiles, err) != CLXS_OK)
		goto done;
	if (profile && *profile) {
		json_object *body = NULL;
		if (!profiles || !json_object_object_get_ex(profiles, profile, &body)) {
			clxs_fail(err, CLXS_ENOTFOUND, "profile", "config profile '%.200s' not found", profile);
			goto done;
		}
		if (body) {
			/* Detach the profiles section first: merging into root
			 * must not free the tree we are reading from. */
			json_object_get(profiles);
			json_object_object_del(root, "profiles");
			if (json_object_object_get_ex(body, "profiles", NULL)) {
				char key[256];
				snprintf(key, sizeof(key), "profiles.%.200s.profiles", profile);
				if (warn(warnings, err, "config key", key, " is ignored: profiles do not nest") !=
				    CLXS_OK) {
					json_object_put(profiles);
					goto done;
				}
				json_object_object_del(body, "profiles");
			}
			int rc = deep_merge(root, body);
			json_object_put(profiles);
			if (rc != 0) {
				nomem(err);
				goto done;
			}
		}
	}
	out = validate_into(root, warnings, err);
done:
	json_object_put(root);
	return out;
}

json_object *clxs_config_load_string(const char *yaml, size_t len, const char *profile,
				     json_object **warnings, clxs_error *err)
{
	clxs_error local;
	if (!err)
		err = &local;
	clxs_error_clear(err);
	if (warnings && !new_warnings(warnings, err))
		return NULL;
	json_object *out = load_text(yaml, len, profile, warnings ? *warnings : NULL, err);
	if (!out)
		drop_warnings(warnings);
	return out;
}

/* Read a whole regular file of at most CLXS_CONFIG_MAX_BYTES. */
static char *read_file(const char *path, size_t *len, clxs_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			clxs_fail(err, CLXS_ENOTFOUND, "path", "config file '%.200s' not found", path);
		else
			clxs_fail(err, CLXS_EIO, "path", "cannot open config file '%.200s': %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		clxs_fail(err, CLXS_EIO, "path", "cannot read config file '%.200s': %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		clxs_fail(err, CLXS_EIO, "path", "cannot read config file '%.200s': is a directory", path);
		goto fail;
	}
	size_t cap = CLXS_CONFIG_MAX_BYTES + 1, n = 0;
	buf = malloc(cap);
	if (!buf) {
		nomem(err);
		goto fail;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			clxs_fail(err, CLXS_EIO, "path", "cannot read config file '%.200s': %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			clxs_fail(err, CLXS_ETOOLARGE, "path", "config file '%.200s' is larger than %u bytes", path,
				  CLXS_CONFIG_MAX_BYTES);
			goto fail;
		}
	}
	close(fd);
	*len = n;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

json_object *clxs_config_load_file(const char *path, const char *profile, json_object **warnings,
				   clxs_error *err)
{
	if (!path)
		return clxs_config_load_string("", 0, profile, warnings, err);
	clxs_error local;
	if (!err)
		err = &local;
	clxs_error_clear(err);
	size_t len = 0;
	char *text = read_file(path, &len, err);
	if (!text) {
		if (warnings)
			*warnings = NULL;
		return NULL;
	}
	json_object *out = clxs_config_load_string(text, len, profile, warnings, err);
	free(text);
	return out;
}

json_object *clxs_config_profile_names(const char *yaml, size_t len, clxs_error *err)
{
	clxs_error local;
	if (!err)
		err = &local;
	json_object *root = clxs_yaml_parse(yaml, len, err);
	if (!root && err->code != CLXS_OK)
		return NULL;
	json_object *names = NULL, *profiles = NULL;
	if (profiles_of(root, &profiles, err) != CLXS_OK)
		goto out;
	names = json_object_new_array();
	if (!names) {
		nomem(err);
		goto out;
	}
	if (profiles) {
		/* json-c objects keep insertion order, which is file order. */
		json_object_object_foreach(profiles, name, body)
		{
			(void)body;
			if (add_str(names, name) != 0) {
				json_object_put(names);
				names = NULL;
				nomem(err);
				goto out;
			}
		}
	}
out:
	json_object_put(root);
	return names;
}

/* Add a freshly created value, failing when its creation failed. */
static int add_new(json_object *obj, const char *key, json_object *val)
{
	return val ? obj_add(obj, key, val) : -1;
}

static json_object *bound_json(const key_spec *ks, double d)
{
	return ks->type == CT_NUM ? json_object_new_double(d) : json_object_new_int64((int64_t)d);
}

static json_object *spec_json(const key_spec *ks)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object *dflt = NULL;
	if (make_default(ks, &dflt, NULL, NULL) != CLXS_OK)
		goto fail;
	if (add_new(o, "key", json_object_new_string(ks->key)) != 0 ||
	    add_new(o, "type", json_object_new_string(type_names[ks->type])) != 0 ||
	    obj_add(o, "default", dflt) != 0)
		goto fail;
	if (ks->choices) {
		json_object *allowed = json_object_new_array();
		if (add_new(o, "allowed", allowed) != 0)
			goto fail;
		for (const char *p = ks->choices; *p;) {
			size_t w = strcspn(p, "|");
			json_object *s = json_object_new_string_len(p, (int)w);
			if (!s || arr_add(allowed, s) != 0)
				goto fail;
			p += w + (p[w] == '|');
		}
	}
	if ((ks->flags & F_MIN) && ks->type == CT_STR) {
		if (add_new(o, "min_length", json_object_new_int64((int64_t)ks->min)) != 0)
			goto fail;
	} else if ((ks->flags & F_MIN) && add_new(o, "min", bound_json(ks, ks->min)) != 0)
		goto fail;
	if ((ks->flags & F_MAX) && add_new(o, "max", bound_json(ks, ks->max)) != 0)
		goto fail;
	if ((ks->flags & F_SECRET) && add_new(o, "secret", json_object_new_boolean(1)) != 0)
		goto fail;
	if (add_new(o, "help", json_object_new_string(ks->help)) != 0)
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

json_object *clxs_config_schema(void)
{
	json_object *arr = json_object_new_array();
	if (!arr)
		return NULL;
	for (size_t i = 0; i < NSCHEMA; i++) {
		json_object *o = spec_json(&schema[i]);
		if (!o || arr_add(arr, o) != 0) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

json_object *clxs_config_redacted(json_object *cfg)
{
	json_object *copy = NULL;
	if (!cfg || json_object_deep_copy(cfg, &copy, NULL) != 0)
		return NULL;
	for (size_t i = 0; i < NSCHEMA; i++) {
		if (!(schema[i].flags & F_SECRET))
			continue;
		const char *dot = strrchr(schema[i].key, '.');
		char parent[128];
		snprintf(parent, sizeof(parent), "%.*s", dot ? (int)(dot - schema[i].key) : 0, schema[i].key);
		json_object *holder = dot ? clxs_config_get(copy, parent) : copy;
		const char *leaf = dot ? dot + 1 : schema[i].key;
		json_object *v = NULL;
		if (!holder || !json_object_object_get_ex(holder, leaf, &v) ||
		    !json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
			continue;
		json_object *mask = json_object_new_string("********");
		if (!mask || obj_add(holder, leaf, mask) != 0) {
			json_object_put(copy);
			return NULL;
		}
	}
	return copy;
}

const char *clxs_config_default_path(void)
{
	const char *env = getenv("CLXS_CONFIG");
	if (env && *env)
		return env;
	return CLXS_SYSCONFDIR "/clone_config.yaml";
}

json_object *clxs_config_get(json_object *cfg, const char *path)
{
	json_object *cur = cfg;
	char seg[128];
	while (cur && path && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(seg) || !json_object_is_type(cur, json_type_object))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (!json_object_object_get_ex(cur, seg, &cur))
			return NULL;
		path += n + (path[n] == '.');
	}
	return cur;
}

const char *clxs_config_str(json_object *cfg, const char *path)
{
	json_object *v = clxs_config_get(cfg, path);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t clxs_config_int(json_object *cfg, const char *path, int64_t dflt)
{
	json_object *v = clxs_config_get(cfg, path);
	return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : dflt;
}

double clxs_config_num(json_object *cfg, const char *path, double dflt)
{
	json_object *v = clxs_config_get(cfg, path);
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_double(v);
	return dflt;
}

bool clxs_config_bool(json_object *cfg, const char *path, bool dflt)
{
	json_object *v = clxs_config_get(cfg, path);
	return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : dflt;
}
