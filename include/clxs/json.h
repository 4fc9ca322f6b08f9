/* Small helpers over json-c: typed getters with defaults, parsing with an
 * error message, and the API's error object. */
#ifndef CLXS_JSON_H
#define CLXS_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clxs/error.h"

/* Parse a complete JSON text of len bytes. Returns NULL and fills err
 * (CLXS_EINVAL with json-c's reason) when the text is not one JSON value. */
json_object *clxs_json_parse(const char *text, size_t len, clxs_error *err);

const char *clxs_json_str(json_object *obj, const char *key, const char *dflt);
int64_t clxs_json_int(json_object *obj, const char *key, int64_t dflt);
double clxs_json_double(json_object *obj, const char *key, double dflt);
bool clxs_json_bool(json_object *obj, const char *key, bool dflt);

/* Setters that take ownership of nothing: they copy the value in. */
void clxs_json_set_str(json_object *obj, const char *key, const char *val);
void clxs_json_set_int(json_object *obj, const char *key, int64_t val);
void clxs_json_set_bool(json_object *obj, const char *key, bool val);

/* {"error_code": ..., "message": ..., "detail": ...} for err. */
json_object *clxs_json_error(const clxs_error *err);

/* Compact serialisation; the string belongs to obj. */
const char *clxs_json_text(json_object *obj);

#endif
