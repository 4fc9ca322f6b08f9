/* Clones from a clone snapshot (source_snapshot_id of POST /api/clone and
 * clxs clone --source-snapshot-id): every table is cloned at the Delta
 * version the snapshot captured (one row of <audit>.clone_snapshots, made
 * by POST /api/clone-snapshots, src/engine/mg_snapshots.c). The snapshot
 * is read after discovery and put into the model as "snapshot":
 *
 *   {"snapshot_id", "name", "source_catalog", "captured_at",
 *    "versions": {"<schema>.<table>" (lower-case): version},
 *    "tables": [{"schema", "table", "version", "size_bytes"}]}
 *
 * The planner then clones each table VERSION AS OF its captured version,
 * skips tables the snapshot does not hold ("not in snapshot <id>") and
 * reports snapshot tables that no longer exist; post-clone validation
 * reads the source at the same versions. Views, functions and volumes have
 * no versions: they are cloned as they are now. */
#ifndef CLXS_CLONE_SNAPSHOT_H
#define CLXS_CLONE_SNAPSHOT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "clxs/audit.h"
#include "clxs/error.h"

struct clxs_ws_client;

/* Read snapshot id from loc's clone_snapshots table. CLXS_ENOTFOUND (detail
 * "source_snapshot_id") when there is no such snapshot (or no snapshot
 * table yet); CLXS_EVALIDATION naming "source_snapshot_id" when it was
 * captured from another catalog than source_catalog or its table list is
 * unreadable. *snap gets the object described above. */
clxs_code clxs_clone_snapshot_read(struct clxs_ws_client *ws, const char *warehouse_id,
				   const clxs_audit_loc *loc, const char *id, const char *source_catalog,
				   json_object **snap, clxs_error *err);

/* When opts has source_snapshot_id: read it (as above) and add it to model
 * as "snapshot". A no-op without source_snapshot_id. */
clxs_code clxs_clone_snapshot_apply(struct clxs_ws_client *ws, const char *warehouse_id,
				    const clxs_audit_loc *loc, json_object *model, json_object *opts,
				    clxs_error *err);

/* The version the model's snapshot pins for schema.name: false when the
 * model has no snapshot; true with *version = -1 when the table is not in
 * the snapshot. */
bool clxs_clone_snapshot_version(json_object *model, const char *schema, const char *name, int64_t *version);

/* A short summary for results and logs: {"snapshot_id", "name",
 * "captured_at", "tables": n}, or NULL when the model has no snapshot. */
json_object *clxs_clone_snapshot_summary(json_object *model);

#endif
