/* Structure comparison of two catalogs (mg_diff.c). */
#ifndef CLXS_MG_DIFF_H
#define CLXS_MG_DIFF_H

#include "mg_internal.h"

/* Column changes that turn dst_table into src_table's shape:
 * [{"change": "added"|"removed"|"type_changed"|"nullability_changed",
 *   "column", "source_type", "dest_type"}] ("added": in the source only). */
json_object *mg_column_changes(json_object *src_table, json_object *dst_table);

/* Compare src with dst (excluded schemas of req left out):
 *   {"destination_exists", "missing_schemas", "extra_schemas", "missing_tables",
 *    "extra_tables", "missing_views", "extra_views" (arrays of "s" / "s.n"),
 *    "changed_tables": [{"table", "changes"}],
 *    "source", "destination": mg_catalog_tables() of each side}
 * A missing destination is CLXS_ENOTFOUND unless dst_may_be_missing. */
clxs_code mg_compare(clxs_mg_ctx *c, json_object *req, const char *src, const char *dst, bool dst_may_be_missing,
		     json_object **out, clxs_error *err);

#endif
