/* Copying the files of a managed volume from the source catalog to the
 * clone, through the Files API of the workspace client (directory listing,
 * then GET and PUT per file). Part of a clone's "volumes" phase: the plan
 * emits one step with "action": "copy_files" after each CREATE VOLUME. */
#ifndef CLXS_VOLUME_COPY_H
#define CLXS_VOLUME_COPY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "clxs/error.h"

struct clxs_ws_client;

typedef struct {
	int64_t files_copied, files_failed, bytes_copied;
	int64_t files_skipped; /* over max_file_bytes (clxs_volume_copy_max) */
} clxs_volume_copy_totals;

/* A file is read whole into memory between its GET and PUT, and the
 * workspace client refuses responses over 64 MiB: larger files fail with
 * that reason (before any download when the listing gives their size). */
#define CLXS_VOLUME_COPY_MEM_MAX (64 * 1024 * 1024)

/* Copy every file (recursively; empty directories too) of
 * src_catalog.schema.volume to dst_catalog.schema.volume. Each file is
 * appended to files (may be NULL) as {"volume": "schema.volume", "path"
 * (relative to the volume), "bytes", "status": "copied"|"failed", "error"?}.
 * should_stop (may be NULL) is polled between files. Returns CLXS_OK when
 * every file was copied; otherwise the first error (a listing failure, or
 * the first failed file, with the counts in totals). */
clxs_code clxs_volume_copy(struct clxs_ws_client *ws, const char *src_catalog, const char *dst_catalog,
			   const char *schema, const char *volume, json_object *files,
			   clxs_volume_copy_totals *totals, bool (*should_stop)(void *ud), void *ud,
			   clxs_error *err);

/* As clxs_volume_copy, but a file larger than max_file_bytes (> 0; the
 * clone option volume_max_file_mb) is not copied: it is reported with
 * "status": "skipped" and a "reason", counted in totals->files_skipped, and
 * does not fail the copy. The size comes from the directory listing's
 * file_size, so a skipped file is never downloaded; a listing without sizes
 * is checked after the download. 0 means no limit of our own. */
clxs_code clxs_volume_copy_max(struct clxs_ws_client *ws, const char *src_catalog, const char *dst_catalog,
			       const char *schema, const char *volume, int64_t max_file_bytes,
			       json_object *files, clxs_volume_copy_totals *totals,
			       bool (*should_stop)(void *ud), void *ud, clxs_error *err);

#endif
