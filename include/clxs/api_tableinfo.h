/* The Explorer drawer's extra keys of a table's info (grants, tags,
 * constraints, history, unavailable): see src/api/api-tableinfo.c and
 * docs/api-catalogs.md. */
#ifndef CLXS_API_TABLEINFO_H
#define CLXS_API_TABLEINFO_H

#include <json-c/json.h>

#include "clxs/target.h"

/* Add "grants", "tags", "constraints", "history" and "unavailable" to
 * info, the table's info object (its "properties" and "table_type" are
 * read). Never fails: a piece that cannot be read is an empty list plus a
 * {"field", "message"} note in "unavailable". */
void clxs_api_table_info_extras(clxs_target *t, const char *cat, const char *schema, const char *table,
				json_object *info);

#endif
