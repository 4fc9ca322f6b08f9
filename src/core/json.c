#include "clxs/json.h"

#include <string.h>

json_object *clxs_json_parse(const char *text, size_t len, clxs_error *err)
{
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	json_object *obj = NULL;
	if (len > (size_t)INT32_MAX) {
		clxs_fail(err, CLXS_ETOOLARGE, NULL, "JSON text too large");
		goto out;
	}
	obj = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue && !obj) {
		/* A bare top-level number ("42") is complete only once the
		 * tokener sees the end: feed it the terminating NUL. */
		obj = json_tokener_parse_ex(tok, "", 1);
		if (json_tokener_get_error(tok) == json_tokener_success) {
			jerr = json_tokener_success;
			len = 0; /* nothing of text is left to check */
		}
	}
	if (jerr == json_tokener_continue) {
		clxs_fail(err, CLXS_EINVAL, "body", "invalid JSON: unexpected end of input");
		json_object_put(obj);
		obj = NULL;
	} else if (jerr != json_tokener_success) {
		clxs_fail(err, CLXS_EINVAL, "body", "invalid JSON: %s",
			  json_tokener_error_desc(jerr));
		obj = NULL;
	} else {
		/* Only whitespace may follow the value. */
		size_t off = json_tokener_get_parse_end(tok);
		for (; off < len; off++) {
			if (!strchr(" \t\r\n", text[off])) {
				clxs_fail(err, CLXS_EINVAL, "body",
					  "invalid JSON: trailing data after the value");
				json_object_put(obj);
				obj = NULL;
				break;
			}
		}
	}
out:
	json_tokener_free(tok);
	return obj;
}

const char *clxs_json_str(json_object *obj, const char *key, const char *dflt)
{
	json_object *v;
	if (obj && json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return dflt;
}

int64_t clxs_json_int(json_object *obj, const char *key, int64_t dflt)
{
	json_object *v;
	if (obj && json_object_object_get_ex(obj, key, &v) &&
	    (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return json_object_get_int64(v);
	return dflt;
}

double clxs_json_double(json_object *obj, const char *key, double dflt)
{
	json_object *v;
	if (obj && json_object_object_get_ex(obj, key, &v) &&
	    (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return json_object_get_double(v);
	return dflt;
}

bool clxs_json_bool(json_object *obj, const char *key, bool dflt)
{
	json_object *v;
	if (obj && json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	return dflt;
}

void clxs_json_set_str(json_object *obj, const char *key, const char *val)
{
	json_object_object_add(obj, key, val ? json_object_new_string(val) : NULL);
}

void clxs_json_set_int(json_object *obj, const char *key, int64_t val)
{
	json_object_object_add(obj, key, json_object_new_int64(val));
}

void clxs_json_set_bool(json_object *obj, const char *key, bool val)
{
	json_object_object_add(obj, key, json_object_new_boolean(val));
}

json_object *clxs_json_error(const clxs_error *err)
{
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "error_code", clxs_code_name(err->code));
	clxs_json_set_str(o, "message", err->message);
	clxs_json_set_str(o, "detail", err->detail[0] ? err->detail : NULL);
	return o;
}

const char *clxs_json_text(json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
