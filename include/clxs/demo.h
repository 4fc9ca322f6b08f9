/* The demo catalog: a realistic source for trying clones anywhere. */
#ifndef CLXS_DEMO_H
#define CLXS_DEMO_H

#include <json-c/json.h>

#include "clxs/error.h"

/* The statements that build catalog `name` at scale (>= 1): bronze/silver/
 * gold schemas, retail and healthcare tables with PK/FK and CHECK
 * constraints, PII columns, comments, properties (clxs.demo = 'true' marks
 * it), tags at every level, grants, SQL functions used by a column mask and
 * a row filter, views that read views in other schemas, a managed volume,
 * and tables with several versions of history. A JSON array of strings. */
json_object *clxs_demo_statements(const char *name, int scale, clxs_error *err);
/* DROP CATALOG ... CASCADE for cleanup. */
json_object *clxs_demo_cleanup_statements(const char *name, clxs_error *err);

#endif
