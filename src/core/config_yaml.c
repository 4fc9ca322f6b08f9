/* YAML text -> json-c tree through libyaml's document loader. The loader
 * resolves anchors and aliases for us; we add YAML 1.2 core-schema typing of
 * plain scalars, the `<<` merge key, and limits that keep hostile input
 * (alias bombs, cycles, absurd nesting) from exhausting memory or stack. */
#include "clxs/config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Nesting deeper than this is not a config; it also stops alias cycles
 * (`&a [*a]`), which libyaml's loader happily builds. */
#define MAX_DEPTH 64
/* Output values, and output text bytes, allowed per input byte plus a
 * floor: without aliases a document yields fewer values and bytes than it
 * has input bytes, so only alias expansion can reach this bound. */
#define EXPAND_FACTOR 4
#define EXPAND_FLOOR 65536

typedef struct {
	yaml_document_t *doc;
	size_t nodes; /* values we may still create */
	size_t bytes; /* scalar and key bytes we may still copy */
	clxs_error *err;
} conv;

static int conv_fail(conv *c, const yaml_node_t *node, const char *what)
{
	clxs_fail(c->err, CLXS_EINVAL, NULL, "invalid YAML at line %zu, column %zu: %s",
		  node->start_mark.line + 1, node->start_mark.column + 1, what);
	return -1;
}

static int nomem(conv *c)
{
	clxs_fail(c->err, CLXS_ENOMEM, NULL, "out of memory while parsing YAML");
	return -1;
}

/* json-c does not free the value when an add fails; these helpers do, so
 * callers have one thing to check. */
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

static bool is_one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static bool all_digits(const char *s, const char *set)
{
	if (!*s)
		return false;
	return strspn(s, set) == strlen(s);
}

/* [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
 * i.e. the core schema's float, checked by hand because strtod accepts
 * much more (hex floats, "inf", "nan", leading space). */
static bool is_core_float(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	size_t ip = strspn(s, "0123456789");
	s += ip;
	size_t fp = 0;
	if (*s == '.') {
		s++;
		fp = strspn(s, "0123456789");
		s += fp;
	}
	if (ip == 0 && fp == 0)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		size_t ep = strspn(s, "0123456789");
		if (ep == 0)
			return false;
		s += ep;
	}
	return *s == '\0';
}

/* Parse in the C locale so a process that called setlocale() still reads
 * "0.5" the same way. */
static int c_strtod(const char *s, double *out)
{
	locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c == (locale_t)0)
		return -1;
	*out = strtod_l(s, NULL, c);
	freelocale(c);
	return 0;
}

/* Type a plain scalar. Returns 0 and sets *out (NULL for YAML null). */
static int resolve_plain(conv *c, const yaml_node_t *node, json_object **out)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	static const char *const infs[] = {".inf", ".Inf", ".INF", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
	const char *s = (const char *)node->data.scalar.value;
	const char *sign = (*s == '+' || *s == '-') ? s + 1 : s;

	*out = NULL;
	if (node->data.scalar.length == 0 || is_one_of(s, nulls))
		return 0;
	if (is_one_of(s, trues) || is_one_of(s, falses)) {
		*out = json_object_new_boolean(is_one_of(s, trues));
		return *out ? 0 : nomem(c);
	}

	int base = 0;
	const char *digits = NULL;
	if (all_digits(sign, "0123456789")) {
		base = 10;
		digits = s;
	} else if (strncmp(s, "0o", 2) == 0 && all_digits(s + 2, "01234567")) {
		base = 8;
		digits = s + 2;
	} else if (strncmp(s, "0x", 2) == 0 && all_digits(s + 2, "0123456789abcdefABCDEF")) {
		base = 16;
		digits = s + 2;
	}
	if (base) {
		errno = 0;
		long long v = strtoll(digits, NULL, base);
		if (errno == ERANGE)
			return conv_fail(c, node, "integer out of range (quote it to keep it as a string)");
		*out = json_object_new_int64(v);
		return *out ? 0 : nomem(c);
	}

	double d;
	if (is_one_of(sign, infs)) {
		d = *s == '-' ? -INFINITY : INFINITY;
	} else if (is_one_of(s, nans)) {
		d = NAN;
	} else if (is_core_float(s)) {
		if (c_strtod(s, &d) != 0)
			return nomem(c);
	} else {
		*out = json_object_new_string_len(s, (int)node->data.scalar.length);
		return *out ? 0 : nomem(c);
	}
	*out = json_object_new_double(d);
	return *out ? 0 : nomem(c);
}

static int convert(conv *c, yaml_node_t *node, int depth, json_object **out);

/* Aliases to long strings multiply bytes, not only values, so both are
 * budgeted. */
static int charge_bytes(conv *c, const yaml_node_t *node, size_t n)
{
	if (n > c->bytes)
		return conv_fail(c, node, "too much text after expanding aliases");
	c->bytes -= n;
	return 0;
}

static bool is_merge_key(const yaml_node_t *key)
{
	return key->type == YAML_SCALAR_NODE && key->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       strcmp((const char *)key->data.scalar.value, "<<") == 0;
}

/* Copy the keys of src that dst lacks into dst: the `<<` rule that keys
 * written in the mapping itself win over merged ones. */
static int merge_missing(conv *c, json_object *dst, json_object *src)
{
	json_object_object_foreach(src, k, v)
	{
		if (json_object_object_get_ex(dst, k, NULL))
			continue;
		if (obj_add(dst, k, json_object_get(v)) != 0)
			return nomem(c);
	}
	return 0;
}

static int merge_one(conv *c, json_object *dst, yaml_node_t *m, yaml_node_t *at, int depth)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return conv_fail(c, at, "the merge key '<<' needs a mapping or a list of mappings");
	json_object *src = NULL;
	if (convert(c, m, depth + 1, &src) != 0)
		return -1;
	int rc = merge_missing(c, dst, src);
	json_object_put(src);
	return rc;
}

/* Apply one `<<` value: a mapping, or a list of mappings in which earlier
 * ones take precedence over later ones. */
static int apply_merge(conv *c, json_object *dst, yaml_node_t *val, int depth)
{
	if (val->type != YAML_SEQUENCE_NODE)
		return merge_one(c, dst, val, val, depth);
	for (yaml_node_item_t *it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++)
		if (merge_one(c, dst, yaml_document_get_node(c->doc, *it), val, depth) != 0)
			return -1;
	return 0;
}

static int convert_mapping(conv *c, yaml_node_t *node, int depth, json_object **out)
{
	json_object *obj = json_object_new_object();
	if (!obj)
		return nomem(c);
	yaml_node_t *merge = NULL;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		if (!k || !v)
			goto fail_internal;
		if (k->type != YAML_SCALAR_NODE) {
			conv_fail(c, k, "mapping keys must be plain strings, not lists or mappings");
			goto fail;
		}
		const char *key = (const char *)k->data.scalar.value;
		if (memchr(key, '\0', k->data.scalar.length)) {
			conv_fail(c, k, "NUL character in a key");
			goto fail;
		}
		if (charge_bytes(c, k, k->data.scalar.length) != 0)
			goto fail;
		if (is_merge_key(k)) {
			if (merge) {
				conv_fail(c, k, "duplicate merge key '<<'");
				goto fail;
			}
			merge = v;
			continue;
		}
		if (json_object_object_get_ex(obj, key, NULL)) {
			char msg[160];
			snprintf(msg, sizeof(msg), "duplicate key '%.100s'", key);
			conv_fail(c, k, msg);
			goto fail;
		}
		json_object *jv = NULL;
		if (convert(c, v, depth + 1, &jv) != 0)
			goto fail;
		if (obj_add(obj, key, jv) != 0) {
			nomem(c);
			goto fail;
		}
	}
	if (merge && apply_merge(c, obj, merge, depth) != 0)
		goto fail;
	*out = obj;
	return 0;
fail_internal:
	clxs_fail(c->err, CLXS_EINTERNAL, NULL, "libyaml returned a dangling node reference");
fail:
	json_object_put(obj);
	return -1;
}

static int convert(conv *c, yaml_node_t *node, int depth, json_object **out)
{
	*out = NULL;
	if (depth > MAX_DEPTH)
		return conv_fail(c, node, "nesting too deep (or a recursive alias)");
	if (c->nodes == 0)
		return conv_fail(c, node, "too many values after expanding aliases");
	c->nodes--;

	switch (node->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)node->data.scalar.value;
		size_t n = node->data.scalar.length;
		if (memchr(s, '\0', n))
			return conv_fail(c, node, "NUL character in a scalar");
		if (n > INT32_MAX)
			return conv_fail(c, node, "scalar too long");
		if (charge_bytes(c, node, n) != 0)
			return -1;
		if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			return resolve_plain(c, node, out);
		*out = json_object_new_string_len(s, (int)n);
		return *out ? 0 : nomem(c);
	}
	case YAML_SEQUENCE_NODE: {
		json_object *arr = json_object_new_array();
		if (!arr)
			return nomem(c);
		for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
			yaml_node_t *item = yaml_document_get_node(c->doc, *it);
			json_object *jv = NULL;
			if (!item) {
				clxs_fail(c->err, CLXS_EINTERNAL, NULL, "libyaml returned a dangling node reference");
				json_object_put(arr);
				return -1;
			}
			if (convert(c, item, depth + 1, &jv) != 0) {
				json_object_put(arr);
				return -1;
			}
			if (arr_add(arr, jv) != 0) {
				json_object_put(arr);
				return nomem(c);
			}
		}
		*out = arr;
		return 0;
	}
	case YAML_MAPPING_NODE:
		return convert_mapping(c, node, depth, out);
	default:
		return conv_fail(c, node, "empty node");
	}
}

/* Turn libyaml's parser error into our message, with 1-based positions. */
static void parser_fail(const yaml_parser_t *p, clxs_error *err)
{
	const char *problem = p->problem ? p->problem : "syntax error";
	if (p->error == YAML_MEMORY_ERROR) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory while parsing YAML");
	} else if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		clxs_fail(err, CLXS_EINVAL, NULL, "invalid YAML at byte %zu: %s", p->problem_offset, problem);
	} else if (p->context) {
		clxs_fail(err, CLXS_EINVAL, NULL,
			  "invalid YAML at line %zu, column %zu: %s (%s at line %zu, column %zu)",
			  p->problem_mark.line + 1, p->problem_mark.column + 1, problem, p->context,
			  p->context_mark.line + 1, p->context_mark.column + 1);
	} else {
		clxs_fail(err, CLXS_EINVAL, NULL, "invalid YAML at line %zu, column %zu: %s",
			  p->problem_mark.line + 1, p->problem_mark.column + 1, problem);
	}
}

json_object *clxs_yaml_parse(const char *text, size_t len, clxs_error *err)
{
	clxs_error local;
	if (!err)
		err = &local;
	clxs_error_clear(err);
	if (!text)
		len = 0;

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory while parsing YAML");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""), len);

	json_object *result = NULL;
	yaml_document_t doc;
	if (!yaml_parser_load(&parser, &doc)) {
		parser_fail(&parser, err);
		goto out;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root) {
		size_t budget = len > (SIZE_MAX - EXPAND_FLOOR) / EXPAND_FACTOR
					? SIZE_MAX
					: len * EXPAND_FACTOR + EXPAND_FLOOR;
		conv c = {.doc = &doc, .nodes = budget, .bytes = budget, .err = err};
		if (convert(&c, root, 0, &result) != 0) {
			json_object_put(result);
			result = NULL;
		}
	}
	yaml_document_delete(&doc);
	if (err->code != CLXS_OK || !root)
		goto out;

	/* A config is one document; silently ignoring a second one would hide
	 * half of what the user wrote. */
	yaml_document_t next;
	if (!yaml_parser_load(&parser, &next)) {
		parser_fail(&parser, err);
	} else {
		yaml_node_t *extra = yaml_document_get_root_node(&next);
		if (extra)
			clxs_fail(err, CLXS_EINVAL, NULL,
				  "invalid YAML at line %zu, column %zu: only one document is allowed",
				  extra->start_mark.line + 1, extra->start_mark.column + 1);
		yaml_document_delete(&next);
	}
	if (err->code != CLXS_OK) {
		json_object_put(result);
		result = NULL;
	}
out:
	yaml_parser_delete(&parser);
	return result;
}
