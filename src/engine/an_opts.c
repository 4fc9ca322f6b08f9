/* Request validation for the analysis operations. One table lists every
 * field with its type, default and the operations that take it; the API
 * reference (Analysis and Deep Profiling) is the source of truth for all
 * three. Unknown fields are refused so a typo never silently means the
 * default. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "an_internal.h"
#include "clxs/analysis.h"
#include "clxs/config.h"
#include "clxs/json.h"

typedef enum { T_STR, T_BOOL, T_INT, T_NUM, T_STRLIST } ftype;

typedef struct {
	const char *name;
	ftype type;
	const char *dflt;   /* JSON text, NULL = absent */
	const char *ops;    /* ",op,op," that take the field */
	const char *req;    /* ",op," where it is required */
	long long lo, hi;   /* integer range when lo <= hi */
	const char *config; /* config key giving the default */
} field;

#define CAT_OPS ",diff,compare,validate,schema-drift,diff-detail,stats,search,profile,estimate,storage-metrics,export,permissions-audit,stale-scan,"
#define PAIR_OPS ",diff,compare,validate,schema-drift,diff-detail,"
#define WH_OPS CAT_OPS "profile-table,profile-results,catalog-size-history,"

static const field fields[] = {
	{"source_catalog", T_STR, NULL, CAT_OPS, ",diff,compare,validate,schema-drift,diff-detail,stats,search,profile,"
	 "estimate,storage-metrics,export,permissions-audit,", 1, 0, NULL},
	{"destination_catalog", T_STR, NULL, PAIR_OPS, PAIR_OPS, 1, 0, NULL},
	{"warehouse_id", T_STR, NULL, WH_OPS, "", 1, 0, "sql_warehouse_id"},
	{"exclude_schemas", T_STRLIST, "[\"information_schema\",\"default\"]", CAT_OPS, "", 1, 0, "exclude_schemas"},
	{"skip_classes", T_STRLIST, "[]", ",diff,", "", 1, 0, NULL},
	{"use_checksum", T_BOOL, "false", ",validate,", "", 1, 0, NULL},
	{"max_workers", T_INT, "4", ",validate,profile,", "", 1, 64, NULL},
	{"pattern", T_STR, NULL, ",search,", ",search,", 1, 0, NULL},
	{"search_columns", T_BOOL, "false", ",search,", "", 1, 0, NULL},
	{"output_path", T_STR, NULL, ",profile,export,", "", 1, 0, NULL},
	{"include_schemas", T_STRLIST, NULL, ",estimate,", "", 1, 0, NULL},
	{"price_per_gb", T_NUM, "0.023", ",estimate,", "", 1, 0, NULL},
	{"schema_filter", T_STR, NULL, ",storage-metrics,", "", 1, 0, NULL},
	{"table_filter", T_STR, NULL, ",storage-metrics,", "", 1, 0, NULL},
	{"format", T_STR, "\"csv\"", ",export,", "", 1, 0, NULL},
	{"pii_intersection", T_BOOL, "false", ",permissions-audit,", "", 1, 0, NULL},
	{"source_catalogs", T_STRLIST, NULL, ",stale-scan,", "", 1, 0, NULL},
	{"days_threshold", T_INT, "90", ",stale-scan,", "", 1, 365, NULL},
	{"min_age_days", T_INT, "7", ",stale-scan,", "", 0, 36500, NULL},
	{"min_size_bytes", T_INT, "0", ",stale-scan,", "", 0, 9223372036854775807LL, NULL},
	{"check_small_files", T_BOOL, "false", ",stale-scan,", "", 1, 0, NULL},
	{"catalogs", T_STR, NULL, ",catalog-size-history,", "", 1, 0, NULL},
	{"days", T_INT, "30", ",catalog-size-history,", "", 1, 365, NULL},
	{"table_fqn", T_STR, NULL, ",profile-table,", ",profile-table,", 1, 0, NULL},
	{"sample_limit", T_INT, "0", ",profile-table,", "", 0, 9223372036854775807LL, NULL},
	{"sql", T_STR, NULL, ",profile-results,", ",profile-results,", 1, 0, NULL},
	{"top_n", T_INT, "10", ",profile-table,profile-results,", "", 1, 1000, NULL},
	{"histogram_bins", T_INT, "20", ",profile-table,profile-results,", "", 1, 1000, NULL},
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
#define CLXS_AN_MAX_CATALOGS 50
#define CLXS_AN_MAX_CATALOGS_TEXT "50"

static const char *const ops[] = {"diff", "compare", "validate", "schema-drift", "diff-detail", "stats",
				  "search", "profile", "estimate", "storage-metrics", "export",
				  "permissions-audit", "stale-scan", "catalog-size-history", "profile-table",
				  "profile-results"};

static bool in_list(const char *list, const char *op)
{
	char key[64];
	snprintf(key, sizeof(key), ",%s,", op);
	return strstr(list, key) != NULL;
}

static bool known_op(const char *op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i], op))
			return true;
	return false;
}

static bool type_ok(ftype t, json_object *v)
{
	switch (t) {
	case T_STR: return json_object_is_type(v, json_type_string);
	case T_BOOL: return json_object_is_type(v, json_type_boolean);
	case T_INT: return json_object_is_type(v, json_type_int);
	case T_NUM: return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
	case T_STRLIST:
		if (!json_object_is_type(v, json_type_array))
			return false;
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
				return false;
		return true;
	}
	return false;
}

static const char *type_name(ftype t)
{
	static const char *const n[] = {"a string", "a boolean", "an integer", "a number", "an array of strings"};
	return n[t];
}

/* Catalog, schema and table names: what Unity Catalog accepts. */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 255)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '.' || *p == '/')
			return false;
	return true;
}

static json_object *fail_null(json_object *o, clxs_error *err, const char *f, const char *msg)
{
	json_object_put(o);
	clxs_fail(err, CLXS_EVALIDATION, f, "%s", msg);
	return NULL;
}

/* Cross-field and value checks after every field has its value. */
static json_object *check(const char *op, json_object *o, clxs_error *err)
{
	char msg[400];
	static const char *const catalogs[] = {"source_catalog", "destination_catalog"};
	for (size_t i = 0; i < 2; i++) {
		const char *c = clxs_json_str(o, catalogs[i], NULL);
		if (c && !name_ok(c)) {
			snprintf(msg, sizeof(msg), "%s must be a catalog name (1-255 characters, no '.', '/' or "
				 "control characters)", catalogs[i]);
			return fail_null(o, err, catalogs[i], msg);
		}
	}
	const char *src = clxs_json_str(o, "source_catalog", NULL), *dst = clxs_json_str(o, "destination_catalog", NULL);
	if (src && dst && !strcasecmp(src, dst))
		return fail_null(o, err, "destination_catalog", "destination_catalog must differ from source_catalog");
	if (!strcmp(op, "stale-scan")) {
		json_object *many = json_object_object_get(o, "source_catalogs");
		if (src && many)
			return fail_null(o, err, "source_catalogs",
					 "give source_catalog or source_catalogs, not both");
		if (!src && (!many || json_object_array_length(many) == 0))
			return fail_null(o, err, "source_catalog", "source_catalog (or source_catalogs) is required");
		/* Each catalog costs a discovery and a scan: a request must not
		 * be able to hold a worker for minutes. */
		if (many && json_object_array_length(many) > CLXS_AN_MAX_CATALOGS)
			return fail_null(o, err, "source_catalogs", "at most " CLXS_AN_MAX_CATALOGS_TEXT
					 " catalogs per stale scan");
		for (size_t i = 0; many && i < json_object_array_length(many); i++)
			if (!name_ok(json_object_get_string(json_object_array_get_idx(many, i))))
				return fail_null(o, err, "source_catalogs", "source_catalogs holds an invalid catalog name");
	}
	json_object *skip = json_object_object_get(o, "skip_classes");
	for (size_t i = 0; skip && i < json_object_array_length(skip); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(skip, i));
		size_t n, k;
		const char *const *known = clxs_an_deep_classes(&n);
		for (k = 0; k < n && strcasecmp(known[k], name); k++)
			;
		if (k == n) {
			snprintf(msg, sizeof(msg), "skip_classes: unknown class '%.100s' (known: functions, volumes, "
				 "volume_files, grants, owners, tags, comments, properties, constraints, row_filters, "
				 "column_masks, view_definitions)", name);
			return fail_null(o, err, "skip_classes", msg);
		}
	}
	const char *fmt = clxs_json_str(o, "format", NULL);
	if (fmt && strcasecmp(fmt, "csv") && strcasecmp(fmt, "json"))
		return fail_null(o, err, "format", "format must be \"csv\" or \"json\"");
	if (fmt) {
		char low[8];
		snprintf(low, sizeof(low), "%s", !strcasecmp(fmt, "csv") ? "csv" : "json");
		clxs_json_set_str(o, "format", low);
	}
	if (json_object_object_get(o, "price_per_gb") && clxs_json_double(o, "price_per_gb", 0) < 0)
		return fail_null(o, err, "price_per_gb", "price_per_gb must be >= 0");
	const char *path = clxs_json_str(o, "output_path", NULL);
	if (path) {
		/* Files go to STATE/exports only: a bare file name, no folders. */
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (!*base || base[0] == '.' || strlen(base) > 200)
			return fail_null(o, err, "output_path",
					 "output_path must name a file in the exports folder (no leading '.')");
		if (base != path && strncmp(path, "exports/", 8) != 0)
			return fail_null(o, err, "output_path",
					 "output_path must be a file name inside the exports folder (e.g. "
					 "\"exports/prod.csv\" or \"prod.csv\")");
		if (base != path && strchr(path + 8, '/'))
			return fail_null(o, err, "output_path", "output_path may not name sub-folders");
		clxs_json_set_str(o, "output_path", base);
	}
	const char *fqn = clxs_json_str(o, "table_fqn", NULL);
	if (fqn) {
		int dots = 0;
		for (const char *p = fqn; *p; p++)
			dots += *p == '.';
		if (dots != 2 || fqn[0] == '.' || strstr(fqn, "..") || fqn[strlen(fqn) - 1] == '.')
			return fail_null(o, err, "table_fqn", "table_fqn must be catalog.schema.table");
	}
	const char *sql = clxs_json_str(o, "sql", NULL);
	if (sql) {
		clxs_error e;
		if (clxs_an_check_query(sql, &e)) {
			json_object_put(o);
			clxs_fail(err, CLXS_EVALIDATION, "sql", "%s", e.message);
			return NULL;
		}
	}
	return o;
}

json_object *clxs_an_validate(const char *op, json_object *body, json_object *config, clxs_error *err)
{
	if (!op || !known_op(op)) {
		clxs_fail(err, CLXS_ENOTFOUND, "op", "unknown analysis operation '%s'", op ? op : "");
		return NULL;
	}
	if (body && !json_object_is_type(body, json_type_object)) {
		clxs_fail(err, CLXS_EINVAL, "body", "the request body must be a JSON object");
		return NULL;
	}
	json_object_object_foreach(body, key, val) {
		(void)val;
		size_t i;
		for (i = 0; i < NFIELDS; i++)
			if (!strcmp(fields[i].name, key) && in_list(fields[i].ops, op))
				break;
		if (i == NFIELDS) {
			clxs_fail(err, CLXS_EVALIDATION, key, "unknown field '%s' for %s", key, op);
			return NULL;
		}
	}
	json_object *o = json_object_new_object();
	char msg[400];
	for (size_t i = 0; i < NFIELDS; i++) {
		const field *f = &fields[i];
		if (!in_list(f->ops, op))
			continue;
		json_object *v = body ? json_object_object_get(body, f->name) : NULL;
		bool from_body = v && !json_object_is_type(v, json_type_null);
		if (!from_body)
			v = f->config && config ? clxs_config_get(config, f->config) : NULL;
		if (!v || json_object_is_type(v, json_type_null)) {
			if (in_list(f->req, op)) {
				snprintf(msg, sizeof(msg), "%s is required", f->name);
				return fail_null(o, err, f->name, msg);
			}
			if (f->dflt)
				json_object_object_add(o, f->name, json_tokener_parse(f->dflt));
			continue;
		}
		if (!type_ok(f->type, v)) {
			snprintf(msg, sizeof(msg), "%s%s must be %s", f->name, from_body ? "" : " (from config)",
				 type_name(f->type));
			return fail_null(o, err, f->name, msg);
		}
		if (f->type == T_STR && in_list(f->req, op) && !*json_object_get_string(v)) {
			snprintf(msg, sizeof(msg), "%s must not be empty", f->name);
			return fail_null(o, err, f->name, msg);
		}
		if (f->type == T_INT && f->lo <= f->hi) {
			int64_t n = json_object_get_int64(v);
			if (n < f->lo || n > f->hi) {
				snprintf(msg, sizeof(msg), "%s must be between %lld and %lld", f->name, f->lo, f->hi);
				return fail_null(o, err, f->name, msg);
			}
		}
		json_object *copy = NULL;
		json_object_deep_copy(v, &copy, NULL);
		json_object_object_add(o, f->name, copy);
	}
	return check(op, o, err);
}

const char *clxs_an_body_schema(const char *op)
{
	/* One buffer per operation, filled on first use. */
	static char schemas[sizeof(ops) / sizeof(ops[0])][4096];
	size_t k;
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (!strcmp(ops[k], op))
			break;
	if (k == sizeof(ops) / sizeof(ops[0]))
		return NULL;
	char *s = schemas[k];
	if (s[0])
		return s;
	static const char *const js[] = {"string", "boolean", "integer", "number", "array"};
	size_t cap = sizeof(schemas[0]), n = (size_t)snprintf(s, cap, "{\"type\":\"object\",\"required\":[");
	int nreq = 0;
	for (size_t i = 0; i < NFIELDS && n < cap; i++)
		if (in_list(fields[i].ops, op) && in_list(fields[i].req, op))
			n += (size_t)snprintf(s + n, cap - n, "%s\"%s\"", nreq++ ? "," : "", fields[i].name);
	if (n < cap)
		n += (size_t)snprintf(s + n, cap - n, "],\"properties\":{");
	int nf = 0;
	for (size_t i = 0; i < NFIELDS && n < cap; i++) {
		const field *f = &fields[i];
		if (!in_list(f->ops, op))
			continue;
		n += (size_t)snprintf(s + n, cap - n, "%s\"%s\":{\"type\":\"%s\"%s%s%s}", nf++ ? "," : "", f->name,
				      js[f->type], f->type == T_STRLIST ? ",\"items\":{\"type\":\"string\"}" : "",
				      f->dflt ? ",\"default\":" : "", f->dflt ? f->dflt : "");
	}
	if (n < cap)
		snprintf(s + n, cap - n, "}}");
	return s;
}
