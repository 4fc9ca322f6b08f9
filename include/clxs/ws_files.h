/* Files API on Unity Catalog volumes through the workspace client: raw
 * bytes in and out (clxs_ws_call speaks JSON only), with paths built from
 * URL-encoded components so no name can change the path's shape. Same
 * retries, rate limit and auth as every other workspace call. */
#ifndef CLXS_WS_FILES_H
#define CLXS_WS_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "clxs/buf.h"
#include "clxs/error.h"

struct clxs_ws_client;

/* Append "/api/2.0/fs/<kind>/Volumes/<c>/<s>/<v>[/<rel>]" to b, kind
 * "files" or "directories". Catalog, schema and volume are each encoded
 * whole (a '/' in them becomes %2F); rel is split at '/' and every
 * component encoded; empty, "." and ".." components are refused with
 * CLXS_EINVAL, so the path cannot leave the volume. rel may be NULL/"". */
clxs_code clxs_ws_volume_path(clxs_buf *b, const char *kind, const char *catalog, const char *schema,
			      const char *volume, const char *rel, clxs_error *err);

/* GET a file (path as built above) into out (appended). */
clxs_code clxs_ws_file_get(struct clxs_ws_client *c, const char *path, clxs_buf *out, clxs_error *err);
/* PUT a file's bytes, replacing it (parents are created by the service). */
clxs_code clxs_ws_file_put(struct clxs_ws_client *c, const char *path, const void *data, size_t len,
			   clxs_error *err);

#endif
