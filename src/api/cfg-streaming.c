/* Streaming form limits: the bounds of the demo-data Streaming Events form,
 * kept in CONFIGDIR/streaming_limits.json (the API reference keeps them out
 * of clone_config.yaml: they are UI bounds, not clone settings). The one
 * rule is min <= default <= max per field; a file that breaks it is never
 * written, so every later streaming request can rely on it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/cfgfile.h"
#include "clxs/json.h"
#include "clxs/log.h"

typedef struct {
	const char *name;
	int integer; /* whole numbers only */
	double dflt, min, max;
} limit_spec;

static const limit_spec limits[] = {
	{"events_per_batch", 1, 100, 1, 10000},
	{"interval_seconds", 0, 5, 0.1, 300},
	{"total_duration_seconds", 1, 60, 1, 3600},
};
#define NLIMITS (sizeof(limits) / sizeof(limits[0]))
static const char *const bounds[] = {"default", "min", "max"};

static json_object *num(const limit_spec *ls, double v)
{
	return ls->integer ? json_object_new_int64((int64_t)v) : json_object_new_double(v);
}

json_object *clxs_streaming_limits_defaults(void)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < NLIMITS; i++) {
		json_object *f = json_object_new_object();
		json_object_object_add(f, "default", num(&limits[i], limits[i].dflt));
		json_object_object_add(f, "min", num(&limits[i], limits[i].min));
		json_object_object_add(f, "max", num(&limits[i], limits[i].max));
		json_object_object_add(o, limits[i].name, f);
	}
	return o;
}

static const limit_spec *find_limit(const char *name)
{
	for (size_t i = 0; i < NLIMITS; i++)
		if (!strcmp(limits[i].name, name))
			return &limits[i];
	return NULL;
}

/* One bound of a patch: a finite, non-negative number (whole for integer
 * fields). */
static clxs_code check_bound(const limit_spec *ls, const char *bound, json_object *v, double *out,
			     clxs_error *err)
{
	char field[96];
	snprintf(field, sizeof(field), "%s.%s", ls->name, bound);
	json_type t = json_object_get_type(v);
	if (t != json_type_int && t != json_type_double)
		return clxs_fail(err, CLXS_EVALIDATION, field, "%s must be a number", field);
	double d = json_object_get_double(v);
	if (!isfinite(d) || d < 0)
		return clxs_fail(err, CLXS_EVALIDATION, field, "%s must be a finite number >= 0", field);
	if (ls->integer && (t != json_type_int && d != floor(d)))
		return clxs_fail(err, CLXS_EVALIDATION, field, "%s must be a whole number", field);
	if (ls->integer && d > 1e15)
		return clxs_fail(err, CLXS_EVALIDATION, field, "%s is too large", field);
	*out = d;
	return CLXS_OK;
}

clxs_code clxs_streaming_limits_apply(json_object *cur, json_object *patch, json_object **out,
				      clxs_error *err)
{
	*out = NULL;
	if (!json_object_is_type(patch, json_type_object))
		return clxs_fail(err, CLXS_EVALIDATION, "body", "the limits must be an object");
	json_object_object_foreach(patch, name, fv) {
		const limit_spec *ls = find_limit(name);
		if (!ls)
			return clxs_fail(err, CLXS_EVALIDATION, name, "unknown streaming limit '%s'", name);
		if (!json_object_is_type(fv, json_type_object))
			return clxs_fail(err, CLXS_EVALIDATION, name, "%s must be an object of default/min/max", name);
		json_object_object_foreach(fv, bound, bv) {
			(void)bv;
			if (strcmp(bound, "default") && strcmp(bound, "min") && strcmp(bound, "max"))
				return clxs_fail(err, CLXS_EVALIDATION, name, "%s: unknown bound '%s'", name, bound);
		}
	}
	json_object *res = json_object_new_object();
	if (!res)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	for (size_t i = 0; i < NLIMITS; i++) {
		const limit_spec *ls = &limits[i];
		json_object *c = cur ? json_object_object_get(cur, ls->name) : NULL;
		json_object *p = json_object_object_get(patch, ls->name);
		double v[3] = {ls->dflt, ls->min, ls->max};
		for (int b = 0; b < 3; b++) {
			json_object *bv = NULL;
			/* The patch wins; what it leaves out keeps its current value. */
			if (!(p && json_object_object_get_ex(p, bounds[b], &bv)) && c)
				bv = json_object_object_get(c, bounds[b]);
			if (bv) {
				clxs_code rc = check_bound(ls, bounds[b], bv, &v[b], err);
				if (rc) {
					json_object_put(res);
					return rc;
				}
			}
		}
		/* The invariant the API reference asks 400 for. */
		if (!(v[1] <= v[0] && v[0] <= v[2])) {
			json_object_put(res);
			return clxs_fail(err, CLXS_EINVAL, ls->name,
					 "%s: min <= default <= max must hold (min %g, default %g, max %g)", ls->name,
					 v[1], v[0], v[2]);
		}
		json_object *f = json_object_new_object();
		for (int b = 0; b < 3; b++)
			json_object_object_add(f, bounds[b], num(ls, v[b]));
		json_object_object_add(res, ls->name, f);
	}
	*out = res;
	return CLXS_OK;
}

json_object *clxs_streaming_limits_load(const char *dir, clxs_error *err)
{
	clxs_error_clear(err);
	char path[4200];
	if (!dir || (size_t)snprintf(path, sizeof(path), "%s/%s", dir, CLXS_CFG_STREAMING_NAME) >= sizeof(path))
		return clxs_streaming_limits_defaults();
	char *text = NULL;
	size_t len = 0;
	clxs_error e;
	if (clxs_cfg_read(path, 1u << 20, &text, &len, &e) != CLXS_OK) {
		if (e.code != CLXS_ENOTFOUND && err)
			snprintf(err->message, sizeof(err->message), "%s", e.message);
		return clxs_streaming_limits_defaults();
	}
	json_object *file = clxs_json_parse(text, len, &e), *out = NULL;
	free(text);
	json_object *defs = clxs_streaming_limits_defaults();
	if (!file || clxs_streaming_limits_apply(defs, file, &out, &e) != CLXS_OK) {
		if (err)
			snprintf(err->message, sizeof(err->message), "%s: %.300s; using the defaults",
				 CLXS_CFG_STREAMING_NAME, e.message);
		json_object_put(file);
		return defs;
	}
	json_object_put(file);
	json_object_put(defs);
	return out;
}
