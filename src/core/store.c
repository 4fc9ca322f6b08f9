#include "clxs/store.h"

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clxs/json.h"

static const char *const db_names[CLXS_DB__COUNT] = {
	"jobs", "queue", "events", "cache", "sessions", "settings", "kv", "joblist",
};

struct clxs_store {
	MDB_env *env;
	MDB_dbi dbi[CLXS_DB__COUNT];
	char *dir;
};

struct clxs_txn {
	clxs_store *st;
	MDB_txn *txn;
};

static clxs_code lmdb_fail(clxs_error *err, int rc, const char *what)
{
	clxs_code code = rc == MDB_MAP_FULL ? CLXS_EUNAVAILABLE : CLXS_ESTORE;
	return clxs_fail(err, code, what, "LMDB %s failed: %s", what, mdb_strerror(rc));
}

clxs_code clxs_store_open(const char *dir, size_t map_size, clxs_store **out, clxs_error *err)
{
	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return clxs_fail(err, CLXS_EIO, dir, "cannot create store directory %s: %s", dir,
				 strerror(errno));
	clxs_store *st = calloc(1, sizeof(*st));
	if (!st || !(st->dir = strdup(dir))) {
		free(st);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	int rc = mdb_env_create(&st->env);
	if (rc)
		goto fail_env;
	/* MDB_NOTLS: read transactions belong to the caller, not the thread, so
	 * a job thread and the heartbeat thread never trip over each other. */
	if ((rc = mdb_env_set_maxdbs(st->env, CLXS_DB__COUNT + 4)) ||
	    (rc = mdb_env_set_mapsize(st->env, map_size ? map_size : (size_t)1 << 30)) ||
	    (rc = mdb_env_set_maxreaders(st->env, 512)) ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)))
		goto fail_env;

	MDB_txn *txn;
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)))
		goto fail_env;
	for (int i = 0; i < CLXS_DB__COUNT; i++) {
		if ((rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &st->dbi[i]))) {
			mdb_txn_abort(txn);
			goto fail_env;
		}
	}
	if ((rc = mdb_txn_commit(txn)))
		goto fail_env;
	*out = st;
	return CLXS_OK;

fail_env:
	lmdb_fail(err, rc, "open");
	if (st->env)
		mdb_env_close(st->env);
	free(st->dir);
	free(st);
	return err ? err->code : CLXS_ESTORE;
}

void clxs_store_close(clxs_store *st)
{
	if (!st)
		return;
	mdb_env_close(st->env);
	free(st->dir);
	free(st);
}

const char *clxs_store_dir(const clxs_store *st)
{
	return st->dir;
}

clxs_code clxs_txn_begin(clxs_store *st, bool write, clxs_txn **out, clxs_error *err)
{
	*out = NULL;
	clxs_txn *t = calloc(1, sizeof(*t));
	if (!t)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	int rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc) {
		free(t);
		return lmdb_fail(err, rc, "txn_begin");
	}
	t->st = st;
	*out = t;
	return CLXS_OK;
}

clxs_code clxs_txn_commit(clxs_txn *txn, clxs_error *err)
{
	int rc = mdb_txn_commit(txn->txn);
	free(txn);
	return rc ? lmdb_fail(err, rc, "commit") : CLXS_OK;
}

void clxs_txn_abort(clxs_txn *txn)
{
	if (!txn)
		return;
	mdb_txn_abort(txn->txn);
	free(txn);
}

static MDB_val key_val(const char *key)
{
	MDB_val k = {.mv_size = strlen(key), .mv_data = (void *)key};
	return k;
}

json_object *clxs_txn_get(clxs_txn *txn, clxs_db db, const char *key, clxs_error *err)
{
	MDB_val k = key_val(key), v;
	if (k.mv_size == 0 || k.mv_size > 511) {
		clxs_fail(err, CLXS_EINVAL, "key", "invalid store key length %zu", k.mv_size);
		return NULL;
	}
	int rc = mdb_get(txn->txn, txn->st->dbi[db], &k, &v);
	if (rc == MDB_NOTFOUND) {
		clxs_fail(err, CLXS_ENOTFOUND, key, "no such key '%s'", key);
		return NULL;
	}
	if (rc) {
		lmdb_fail(err, rc, "get");
		return NULL;
	}
	json_object *obj = clxs_json_parse(v.mv_data, v.mv_size, err);
	if (!obj && err)
		err->code = CLXS_ESTORE;
	return obj;
}

clxs_code clxs_txn_put(clxs_txn *txn, clxs_db db, const char *key, json_object *val, clxs_error *err)
{
	MDB_val k = key_val(key);
	if (k.mv_size == 0 || k.mv_size > 511)
		return clxs_fail(err, CLXS_EINVAL, "key", "invalid store key length %zu", k.mv_size);
	const char *text = clxs_json_text(val);
	MDB_val v = {.mv_size = strlen(text), .mv_data = (void *)text};
	int rc = mdb_put(txn->txn, txn->st->dbi[db], &k, &v, 0);
	return rc ? lmdb_fail(err, rc, "put") : CLXS_OK;
}

clxs_code clxs_txn_del(clxs_txn *txn, clxs_db db, const char *key, clxs_error *err)
{
	MDB_val k = key_val(key);
	if (k.mv_size == 0 || k.mv_size > 511)
		return CLXS_OK;
	int rc = mdb_del(txn->txn, txn->st->dbi[db], &k, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_fail(err, rc, "del");
	return CLXS_OK;
}

static bool has_prefix(const MDB_val *k, const char *prefix, size_t plen)
{
	return k->mv_size >= plen && memcmp(k->mv_data, prefix, plen) == 0;
}

clxs_code clxs_txn_scan(clxs_txn *txn, clxs_db db, const char *prefix, bool reverse,
			clxs_store_visit_fn fn, void *ud, clxs_error *err)
{
	MDB_cursor *cur;
	int rc = mdb_cursor_open(txn->txn, txn->st->dbi[db], &cur);
	if (rc)
		return lmdb_fail(err, rc, "cursor_open");
	size_t plen = strlen(prefix);
	MDB_val k = {0}, v;
	char keybuf[512];
	if (!reverse) {
		k = key_val(prefix);
		rc = plen ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	} else if (plen == 0) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	} else {
		/* Position just past the prefix range: prefix with its last byte
		 * bumped, then step back. */
		if (plen >= sizeof(keybuf)) {
			mdb_cursor_close(cur);
			return clxs_fail(err, CLXS_EINVAL, "prefix", "prefix too long");
		}
		memcpy(keybuf, prefix, plen);
		keybuf[plen - 1]++;
		k.mv_data = keybuf;
		k.mv_size = plen;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		rc = rc == MDB_NOTFOUND ? mdb_cursor_get(cur, &k, &v, MDB_LAST)
					: mdb_cursor_get(cur, &k, &v, MDB_PREV);
	}
	clxs_code out = CLXS_OK;
	while (rc == 0 && has_prefix(&k, prefix, plen)) {
		if (k.mv_size >= sizeof(keybuf)) {
			rc = mdb_cursor_get(cur, &k, &v, reverse ? MDB_PREV : MDB_NEXT);
			continue;
		}
		memcpy(keybuf, k.mv_data, k.mv_size);
		keybuf[k.mv_size] = '\0';
		json_object *obj = clxs_json_parse(v.mv_data, v.mv_size, NULL);
		int stop = obj ? fn(keybuf, obj, ud) : 0;
		json_object_put(obj);
		if (stop)
			break;
		rc = mdb_cursor_get(cur, &k, &v, reverse ? MDB_PREV : MDB_NEXT);
	}
	if (rc && rc != MDB_NOTFOUND)
		out = lmdb_fail(err, rc, "cursor_get");
	mdb_cursor_close(cur);
	return out;
}

json_object *clxs_store_get(clxs_store *st, clxs_db db, const char *key, clxs_error *err)
{
	clxs_txn *t;
	if (clxs_txn_begin(st, false, &t, err))
		return NULL;
	json_object *obj = clxs_txn_get(t, db, key, err);
	clxs_txn_abort(t);
	return obj;
}

clxs_code clxs_store_put(clxs_store *st, clxs_db db, const char *key, json_object *val, clxs_error *err)
{
	clxs_txn *t;
	clxs_code rc = clxs_txn_begin(st, true, &t, err);
	if (rc)
		return rc;
	if ((rc = clxs_txn_put(t, db, key, val, err))) {
		clxs_txn_abort(t);
		return rc;
	}
	return clxs_txn_commit(t, err);
}

clxs_code clxs_store_count(clxs_store *st, clxs_db db, size_t *entries, clxs_error *err)
{
	clxs_txn *t;
	clxs_code rc = clxs_txn_begin(st, false, &t, err);
	if (rc)
		return rc;
	MDB_stat s;
	int lrc = mdb_stat(t->txn, st->dbi[db], &s);
	clxs_txn_abort(t);
	if (lrc)
		return lmdb_fail(err, lrc, "stat");
	*entries = s.ms_entries;
	return CLXS_OK;
}
