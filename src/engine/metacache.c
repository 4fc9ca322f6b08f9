/* The metadata cache over LMDB (see include/clxs/metacache.h). Every lookup
 * is one short write transaction (read the entry, bump a counter), and the
 * workspace is never called inside a transaction: a miss commits first,
 * discovers, then stores in a second transaction guarded by the
 * generation, so an invalidation that ran in between wins. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/metacache.h"
#include "clxs/util.h"
#include "clxs/workspace.h"

#define STATS_KEY "metacache/stats"
#define TTL_KEY "cache_ttl_seconds"
/* LMDB's default maximum key size is 511 bytes. */
#define KEY_MAX 500

/* "<pfx>:<catalog>:" with the catalog lower-cased and percent-encoded, so
 * a ':' inside a name cannot make one catalog's prefix match another's. */
static int cat_prefix(char *buf, size_t len, const char *pfx, const char *catalog)
{
	size_t o = (size_t)snprintf(buf, len, "%s:", pfx);
	for (const unsigned char *p = (const unsigned char *)catalog; *p; p++) {
		if (o + 4 >= len)
			return -1;
		unsigned char c = (unsigned char)tolower(*p);
		if (isalnum(c) || c == '_' || c == '-')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "%%%02X", c);
	}
	if (o + 2 >= len)
		return -1;
	buf[o++] = ':';
	buf[o] = '\0';
	return 0;
}

static int entry_key(char *buf, size_t len, const char *pfx, const char *catalog, const char *workspace)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const char *ws = workspace ? workspace : "";
	if (cat_prefix(buf, len, pfx, catalog) != 0 ||
	    EVP_Digest(ws, strlen(ws), md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	size_t o = strlen(buf);
	for (unsigned i = 0; i < 12 && o + 3 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x", md[i]);
	return o < KEY_MAX ? 0 : -1;
}

int64_t clxs_metacache_ttl(clxs_store *st)
{
	/* Stored as an object: the store's parser wants a closed JSON value. */
	json_object *v = clxs_store_get(st, CLXS_DB_SETTINGS, TTL_KEY, NULL);
	int64_t ttl = clxs_json_int(v, "ttl_seconds", CLXS_METACACHE_DEFAULT_TTL);
	json_object_put(v);
	return ttl < 0 ? 0 : ttl;
}

clxs_code clxs_metacache_set_ttl(clxs_store *st, int64_t ttl_seconds, clxs_error *err)
{
	if (ttl_seconds < 0)
		ttl_seconds = 0;
	json_object *v = clxs_store_get(st, CLXS_DB_SETTINGS, TTL_KEY, NULL);
	bool same = v && clxs_json_int(v, "ttl_seconds", -1) == ttl_seconds;
	json_object_put(v);
	if (same)
		return CLXS_OK;
	v = json_object_new_object();
	clxs_json_set_int(v, "ttl_seconds", ttl_seconds);
	clxs_code rc = clxs_store_put(st, CLXS_DB_SETTINGS, TTL_KEY, v, err);
	json_object_put(v);
	return rc;
}

/* The counters record, created when absent. */
static json_object *stats_get(clxs_txn *txn)
{
	json_object *s = clxs_txn_get(txn, CLXS_DB_KV, STATS_KEY, NULL);
	if (!json_object_is_type(s, json_type_object)) {
		json_object_put(s);
		s = json_object_new_object();
	}
	return s;
}

static void stats_bump(json_object *s, const char *field, int64_t by)
{
	clxs_json_set_int(s, field, clxs_json_int(s, field, 0) + by);
}

clxs_code clxs_metacache_lookup(clxs_store *st, const char *workspace, const char *catalog, int64_t now_ms,
				json_object **model, uint64_t *gen, clxs_error *err)
{
	*model = NULL;
	char ikey[KEY_MAX + 16], dkey[KEY_MAX + 16];
	if (entry_key(ikey, sizeof(ikey), "mi", catalog, workspace) != 0 ||
	    entry_key(dkey, sizeof(dkey), "md", catalog, workspace) != 0)
		return clxs_fail(err, CLXS_EINVAL, "catalog", "catalog name too long to cache");
	clxs_txn *txn;
	clxs_code rc = clxs_txn_begin(st, true, &txn, err);
	if (rc)
		return rc;
	json_object *s = stats_get(txn);
	if (gen)
		*gen = (uint64_t)clxs_json_int(s, "generation", 0);
	json_object *info = clxs_txn_get(txn, CLXS_DB_CACHE, ikey, NULL);
	json_object *data = NULL;
	if (info && clxs_json_int(info, "expires_ms", 0) > now_ms)
		data = clxs_txn_get(txn, CLXS_DB_CACHE, dkey, NULL);
	json_object *value = data ? json_object_object_get(data, "value") : NULL;
	if (value) {
		*model = json_object_get(value);
	} else if (info) {
		/* Expired (or half there): drop it while we hold the lock. */
		clxs_txn_del(txn, CLXS_DB_CACHE, ikey, NULL);
		clxs_txn_del(txn, CLXS_DB_CACHE, dkey, NULL);
	}
	stats_bump(s, *model ? "hits" : "misses", 1);
	rc = clxs_txn_put(txn, CLXS_DB_KV, STATS_KEY, s, err);
	json_object_put(s);
	json_object_put(info);
	json_object_put(data);
	if (rc == CLXS_OK)
		rc = clxs_txn_commit(txn, err);
	else
		clxs_txn_abort(txn);
	if (rc) {
		json_object_put(*model);
		*model = NULL;
		return rc;
	}
	return *model ? CLXS_OK : clxs_fail(err, CLXS_ENOTFOUND, "catalog", "not cached");
}

clxs_code clxs_metacache_put(clxs_store *st, const char *workspace, const char *catalog, json_object *model,
			     uint64_t gen, int64_t now_ms, bool *stored, clxs_error *err)
{
	if (stored)
		*stored = false;
	int64_t ttl = clxs_metacache_ttl(st);
	if (ttl <= 0 || !model)
		return CLXS_OK;
	char ikey[KEY_MAX + 16], dkey[KEY_MAX + 16];
	if (entry_key(ikey, sizeof(ikey), "mi", catalog, workspace) != 0 ||
	    entry_key(dkey, sizeof(dkey), "md", catalog, workspace) != 0)
		return clxs_fail(err, CLXS_EINVAL, "catalog", "catalog name too long to cache");
	clxs_txn *txn;
	clxs_code rc = clxs_txn_begin(st, true, &txn, err);
	if (rc)
		return rc;
	json_object *s = stats_get(txn);
	bool moved = (uint64_t)clxs_json_int(s, "generation", 0) != gen;
	json_object_put(s);
	if (moved) {
		/* Invalidated while we were reading: the model may be stale. */
		clxs_txn_abort(txn);
		return CLXS_OK;
	}
	int64_t expires = now_ms + ttl * 1000;
	json_object *info = json_object_new_object(), *data = json_object_new_object();
	clxs_json_set_int(info, "expires_ms", expires);
	clxs_json_set_int(info, "stored_ms", now_ms);
	clxs_json_set_str(info, "catalog", catalog);
	clxs_json_set_int(data, "expires_ms", expires);
	json_object_object_add(data, "value", json_object_get(model));
	rc = clxs_txn_put(txn, CLXS_DB_CACHE, dkey, data, err);
	if (rc == CLXS_OK)
		rc = clxs_txn_put(txn, CLXS_DB_CACHE, ikey, info, err);
	json_object_put(info);
	json_object_put(data);
	if (rc) {
		clxs_txn_abort(txn);
		return rc;
	}
	rc = clxs_txn_commit(txn, err);
	if (rc == CLXS_OK && stored)
		*stored = true;
	return rc;
}

struct keys {
	json_object *arr;
	int64_t now_ms;
	size_t live;
};

static int collect(const char *key, json_object *val, void *ud)
{
	struct keys *k = ud;
	if (k->arr)
		json_object_array_add(k->arr, json_object_new_string(key));
	if (clxs_json_int(val, "expires_ms", 0) > k->now_ms)
		k->live++;
	return 0;
}

/* Delete every info entry under prefix and its data entry, bump the
 * generation, and with reset zero the counters: one transaction. */
static clxs_code drop(clxs_store *st, const char *prefix, bool reset, size_t *removed, clxs_error *err)
{
	clxs_txn *txn;
	clxs_code rc = clxs_txn_begin(st, true, &txn, err);
	if (rc)
		return rc;
	struct keys k = {json_object_new_array(), 0, 0};
	rc = clxs_txn_scan(txn, CLXS_DB_CACHE, prefix, false, collect, &k, err);
	size_t n = json_object_array_length(k.arr);
	for (size_t i = 0; rc == CLXS_OK && i < n; i++) {
		const char *ikey = json_object_get_string(json_object_array_get_idx(k.arr, i));
		char dkey[KEY_MAX + 16];
		snprintf(dkey, sizeof(dkey), "md%s", ikey + 2);
		rc = clxs_txn_del(txn, CLXS_DB_CACHE, ikey, err);
		if (rc == CLXS_OK)
			rc = clxs_txn_del(txn, CLXS_DB_CACHE, dkey, err);
	}
	json_object_put(k.arr);
	if (rc == CLXS_OK) {
		json_object *s = stats_get(txn);
		stats_bump(s, "generation", 1);
		if (reset) {
			clxs_json_set_int(s, "hits", 0);
			clxs_json_set_int(s, "misses", 0);
		}
		rc = clxs_txn_put(txn, CLXS_DB_KV, STATS_KEY, s, err);
		json_object_put(s);
	}
	if (rc) {
		clxs_txn_abort(txn);
		return rc;
	}
	rc = clxs_txn_commit(txn, err);
	if (rc == CLXS_OK && removed)
		*removed = n;
	return rc;
}

clxs_code clxs_metacache_invalidate(clxs_store *st, const char *catalog, size_t *removed, clxs_error *err)
{
	char prefix[KEY_MAX + 16];
	if (removed)
		*removed = 0;
	if (!catalog || cat_prefix(prefix, sizeof(prefix), "mi", catalog) != 0)
		return CLXS_OK; /* never cached */
	return drop(st, prefix, false, removed, err);
}

clxs_code clxs_metacache_clear(clxs_store *st, size_t *removed, clxs_error *err)
{
	return drop(st, "mi:", true, removed, err);
}

json_object *clxs_metacache_stats(clxs_store *st, int64_t now_ms, clxs_error *err)
{
	clxs_txn *txn;
	if (clxs_txn_begin(st, false, &txn, err))
		return NULL;
	struct keys k = {NULL, now_ms, 0};
	json_object *s = stats_get(txn);
	clxs_code rc = clxs_txn_scan(txn, CLXS_DB_CACHE, "mi:", false, collect, &k, err);
	clxs_txn_abort(txn);
	if (rc) {
		json_object_put(s);
		return NULL;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_int(o, "hits", clxs_json_int(s, "hits", 0));
	clxs_json_set_int(o, "misses", clxs_json_int(s, "misses", 0));
	clxs_json_set_int(o, "size", (int64_t)k.live);
	json_object_object_add(o, "ttl_seconds", json_object_new_double((double)clxs_metacache_ttl(st)));
	json_object_put(s);
	return o;
}

clxs_code clxs_metacache_discover(clxs_store *st, const clxs_target *t, const char *catalog,
				  json_object **model, bool *hit, clxs_error *err)
{
	if (hit)
		*hit = false;
	uint64_t gen = 0;
	/* The workspace, and who is asking: what a catalog shows depends on
	 * the caller's grants, so one user's model is never served to
	 * another. Only a hash of this reaches the key (entry_key). */
	char who[sizeof(t->description) + 1024];
	const clxs_ws_config *wc = clxs_ws_client_config(t->ws);
	const char *cred = wc->token ? wc->token : wc->client_id ? wc->client_id
				: wc->azure_client_id ? wc->azure_client_id : "";
	snprintf(who, sizeof(who), "%s\n%.1000s", t->description, cred);
	bool cacheable = st != NULL;
	if (cacheable) {
		clxs_error e;
		clxs_code rc = clxs_metacache_lookup(st, who, catalog, clxs_now_ms(), model, &gen, &e);
		if (rc == CLXS_OK) {
			if (hit)
				*hit = true;
			OPENSSL_cleanse(who, sizeof(who)); /* holds the token */
			return CLXS_OK;
		}
		/* A catalog name we cannot key, or a store error: read directly,
		 * the cache is an optimisation. */
		cacheable = rc == CLXS_ENOTFOUND;
	}
	int64_t started = clxs_now_ms();
	clxs_code rc = clxs_clone_discover(t->ws, t->warehouse_id, catalog, model, err);
	if (rc == CLXS_OK && cacheable)
		clxs_metacache_put(st, who, catalog, *model, gen, started, NULL, NULL);
	OPENSSL_cleanse(who, sizeof(who));
	return rc;
}
