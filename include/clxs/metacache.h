/* The metadata cache: catalog models read by discovery (clxs_clone_discover),
 * kept in the LMDB "cache" database per workspace and catalog so every
 * process (API workers, runner) shares them, with a TTL. Jobs that change a
 * catalog invalidate it (clxs_metacache_invalidate); callers outside this
 * project can too (POST /api/cache/invalidate).
 *
 * Keys: "mi:<catalog>:<ws>" -> {"expires_ms", "stored_ms", "catalog"} (small,
 * scanned for stats and invalidation) and "md:<catalog>:<ws>" ->
 * {"expires_ms", "value": model}. <catalog> is the lower-cased name
 * percent-encoded, <ws> a SHA-256 prefix of the workspace and the caller's
 * credential (one user's model is never served to another). Hit and
 * miss counters and a generation number live in the "kv" database under
 * "metacache/stats"; the TTL in "settings" under "cache_ttl_seconds" as
 * {"ttl_seconds": n} (the API
 * writes it from the config key of that name). */
#ifndef CLXS_METACACHE_H
#define CLXS_METACACHE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clxs/error.h"
#include "clxs/store.h"
#include "clxs/target.h"

#define CLXS_METACACHE_DEFAULT_TTL 300

/* The TTL in seconds (CLXS_METACACHE_DEFAULT_TTL when never set); 0 means
 * the cache is off. */
int64_t clxs_metacache_ttl(clxs_store *st);
/* Record the TTL (from the config). A no-op when unchanged. */
clxs_code clxs_metacache_set_ttl(clxs_store *st, int64_t ttl_seconds, clxs_error *err);

/* Look up the model of catalog in workspace at time now_ms. A hit returns
 * CLXS_OK with a new reference in *model; a miss (absent or expired)
 * returns CLXS_ENOTFOUND. Both count. *gen receives the generation to pass
 * to clxs_metacache_put, so a model read while an invalidation ran is
 * never stored. */
clxs_code clxs_metacache_lookup(clxs_store *st, const char *workspace, const char *catalog, int64_t now_ms,
				json_object **model, uint64_t *gen, clxs_error *err);
/* Store a model read at now_ms with the current TTL, unless the generation
 * moved since the lookup or the TTL is 0. *stored (may be NULL) says. */
clxs_code clxs_metacache_put(clxs_store *st, const char *workspace, const char *catalog, json_object *model,
			     uint64_t gen, int64_t now_ms, bool *stored, clxs_error *err);

/* Drop every workspace's entry for catalog; *removed counts them. */
clxs_code clxs_metacache_invalidate(clxs_store *st, const char *catalog, size_t *removed, clxs_error *err);
/* Drop every entry and reset the counters. */
clxs_code clxs_metacache_clear(clxs_store *st, size_t *removed, clxs_error *err);

/* {"hits", "misses", "size" (live entries at now_ms), "ttl_seconds"}. */
json_object *clxs_metacache_stats(clxs_store *st, int64_t now_ms, clxs_error *err);

/* clxs_clone_discover through the cache: the target's description names the
 * workspace. st NULL (or a catalog name too long to key) reads directly.
 * *hit (may be NULL) says whether the model came from the cache. */
clxs_code clxs_metacache_discover(clxs_store *st, const clxs_target *t, const char *catalog,
				  json_object **model, bool *hit, clxs_error *err);

#endif
