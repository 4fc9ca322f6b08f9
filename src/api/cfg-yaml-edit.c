/* Change single keys of a YAML config through libyaml's document model:
 * load the node graph, point the key's pair at a new scalar node, emit the
 * graph again. Keys, order, profiles, anchors and scalar styles survive;
 * only comments are lost, because libyaml never reports them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "clxs/buf.h"
#include "clxs/cfgfile.h"

static yaml_node_t *node(yaml_document_t *doc, int id)
{
	return id ? yaml_document_get_node(doc, id) : NULL;
}

/* The value node id of key in mapping map_id, 0 when absent; *pair_out
 * (may be NULL) points at the pair so the value can be replaced. */
static int map_find(yaml_document_t *doc, int map_id, const char *key, yaml_node_pair_t **pair_out)
{
	yaml_node_t *m = node(doc, map_id);
	if (!m || m->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0) {
			if (pair_out)
				*pair_out = p;
			return p->value;
		}
	}
	return 0;
}

static int add_str_scalar(yaml_document_t *doc, const char *s, yaml_scalar_style_t style)
{
	return yaml_document_add_scalar(doc, NULL, (yaml_char_t *)s, (int)strlen(s), style);
}

/* A scalar node for a JSON value. Strings are double-quoted so that "123"
 * or "true" stay strings when read back; numbers, booleans and null are
 * plain, which the config reader types by the YAML 1.2 core schema. */
static int value_node(yaml_document_t *doc, json_object *v)
{
	char num[64];
	switch (json_object_get_type(v)) {
	case json_type_null:
		return add_str_scalar(doc, "null", YAML_PLAIN_SCALAR_STYLE);
	case json_type_boolean:
		return add_str_scalar(doc, json_object_get_boolean(v) ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
	case json_type_int:
		snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(v));
		return add_str_scalar(doc, num, YAML_PLAIN_SCALAR_STYLE);
	case json_type_double: {
		double d = json_object_get_double(v);
		if (!isfinite(d))
			return 0;
		/* Shortest text that reads back to the same double, always with a
		 * '.' or exponent so it stays a float. */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(num, sizeof(num), "%.*g", prec, d);
			if (strtod(num, NULL) == d)
				break;
		}
		if (!strpbrk(num, ".eE"))
			strcat(num, ".0");
		return add_str_scalar(doc, num, YAML_PLAIN_SCALAR_STYLE);
	}
	case json_type_string:
		return add_str_scalar(doc, json_object_get_string(v), YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	default:
		return 0;
	}
}

/* Does mapping map_id hold the dotted path? */
static int has_path(yaml_document_t *doc, int map_id, const char *dotted)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", dotted);
	int cur = map_id;
	for (char *save = NULL, *part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		cur = map_find(doc, cur, part, NULL);
		if (!cur)
			return 0;
	}
	return 1;
}

/* Set dotted path under mapping map_id to val, creating mappings on the
 * way (an intermediate that is not a mapping, e.g. an empty `audit_trail:`,
 * is replaced by one). Returns 0 or -1. */
static int set_path(yaml_document_t *doc, int map_id, const char *dotted, json_object *val)
{
	char buf[256];
	if (snprintf(buf, sizeof(buf), "%s", dotted) >= (int)sizeof(buf))
		return -1;
	int cur = map_id;
	char *save = NULL, *part = strtok_r(buf, ".", &save);
	while (part) {
		char *next = strtok_r(NULL, ".", &save);
		yaml_node_pair_t *pair = NULL;
		int found = map_find(doc, cur, part, &pair);
		int newval;
		if (!next) {
			newval = value_node(doc, val);
		} else if (found && node(doc, found)->type == YAML_MAPPING_NODE) {
			cur = found;
			part = next;
			continue;
		} else {
			newval = yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE);
		}
		if (!newval)
			return -1;
		/* Adding nodes may move the node array: look the pair up again. */
		pair = NULL;
		if (map_find(doc, cur, part, &pair) && pair) {
			pair->value = newval;
		} else {
			int k = add_str_scalar(doc, part, YAML_PLAIN_SCALAR_STYLE);
			if (!k || !yaml_document_append_mapping_pair(doc, cur, k, newval))
				return -1;
		}
		cur = newval;
		part = next;
	}
	return 0;
}

static int write_handler(void *ud, unsigned char *buffer, size_t size)
{
	return clxs_buf_append(ud, buffer, size) == 0;
}

char *clxs_cfg_yaml_set(const char *text, size_t len, json_object *edits, const char *profile,
			clxs_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser)) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""), text ? len : 0);
	if (!yaml_parser_load(&parser, &doc)) {
		clxs_fail(err, CLXS_EVALIDATION, "yaml_content", "the config file is not valid YAML: %s (line %zu)",
			  parser.problem ? parser.problem : "parse error", parser.problem_mark.line + 1);
		yaml_parser_delete(&parser);
		return NULL;
	}
	yaml_parser_delete(&parser);
	int root = yaml_document_get_root_node(&doc) ? 1 : 0;
	if (!root) {
		/* Empty (or comments only): start a fresh document. */
		yaml_document_delete(&doc);
		if (!yaml_document_initialize(&doc, NULL, NULL, NULL, 1, 1)) {
			clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
			return NULL;
		}
		root = yaml_document_add_mapping(&doc, NULL, YAML_BLOCK_MAPPING_STYLE);
	}
	if (!root || node(&doc, root)->type != YAML_MAPPING_NODE) {
		yaml_document_delete(&doc);
		clxs_fail(err, CLXS_EVALIDATION, "yaml_content", "the config file's top level is not a mapping");
		return NULL;
	}
	int prof = 0;
	if (profile && *profile)
		prof = map_find(&doc, map_find(&doc, root, "profiles", NULL), profile, NULL);
	json_object_object_foreach(edits, key, val) {
		int where = prof && has_path(&doc, prof, key) ? prof : root;
		if (set_path(&doc, where, key, val) != 0) {
			yaml_document_delete(&doc);
			clxs_fail(err, CLXS_EVALIDATION, key, "cannot set %s", key);
			return NULL;
		}
	}
	yaml_emitter_t em;
	clxs_buf out;
	clxs_buf_init(&out);
	if (!yaml_emitter_initialize(&em)) {
		yaml_document_delete(&doc);
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	yaml_emitter_set_output(&em, write_handler, &out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_indent(&em, 2);
	/* The emitter owns the document from here and deletes it. */
	int ok = yaml_emitter_open(&em);
	if (!ok)
		yaml_document_delete(&doc);
	else
		ok = yaml_emitter_dump(&em, &doc) && yaml_emitter_close(&em) && yaml_emitter_flush(&em);
	if (!ok)
		clxs_fail(err, CLXS_EINTERNAL, NULL, "cannot write YAML: %s", em.problem ? em.problem : "emitter error");
	yaml_emitter_delete(&em);
	if (!ok || clxs_buf_failed(&out)) {
		if (ok)
			clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		clxs_buf_free(&out);
		return NULL;
	}
	char *s = clxs_buf_detach(&out);
	return s ? s : strdup("");
}
