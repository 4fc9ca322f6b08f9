/* The shared state of every process: one LMDB environment with named
 * databases holding JSON values. Open it after fork(), never before (LMDB
 * forbids using an environment across fork). A write transaction is the unit
 * of atomicity: every multi-key change happens inside one. */
#ifndef CLXS_STORE_H
#define CLXS_STORE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "clxs/error.h"

/* The named databases. Adding one: append here and to db_names in store.c. */
typedef enum {
	CLXS_DB_JOBS = 0,  /* job_id -> job record */
	CLXS_DB_QUEUE,     /* "<created_ms hex>:<job_id>" -> job_id, FIFO of queued jobs */
	CLXS_DB_EVENTS,    /* "<job_id>:<seq>" -> {ts, level, message} */
	CLXS_DB_CACHE,     /* cache key -> {expires_ms, value} */
	CLXS_DB_SESSIONS,  /* session id -> session */
	CLXS_DB_SETTINGS,  /* name -> value */
	CLXS_DB_KV,        /* small stores of later features */
	CLXS_DB_JOBLIST,   /* list index of jobs: see jobs.c (index keys) */
	CLXS_DB__COUNT
} clxs_db;

typedef struct clxs_store clxs_store;
typedef struct clxs_txn clxs_txn;

/* Open (creating when needed) the environment in directory dir. map_size 0
 * means the default (1 GiB; the file is sparse). */
clxs_code clxs_store_open(const char *dir, size_t map_size, clxs_store **out, clxs_error *err);
void clxs_store_close(clxs_store *st);
const char *clxs_store_dir(const clxs_store *st);

clxs_code clxs_txn_begin(clxs_store *st, bool write, clxs_txn **out, clxs_error *err);
clxs_code clxs_txn_commit(clxs_txn *txn, clxs_error *err);
void clxs_txn_abort(clxs_txn *txn);

/* Returns a new reference (caller puts it), or NULL with CLXS_ENOTFOUND
 * when the key is absent / CLXS_ESTORE|CLXS_EINVAL on failure. */
json_object *clxs_txn_get(clxs_txn *txn, clxs_db db, const char *key, clxs_error *err);
clxs_code clxs_txn_put(clxs_txn *txn, clxs_db db, const char *key, json_object *val, clxs_error *err);
/* Deleting an absent key is not an error. */
clxs_code clxs_txn_del(clxs_txn *txn, clxs_db db, const char *key, clxs_error *err);

/* Visit keys starting with prefix ("" for all) in key order. The callback
 * returns non-zero to stop early. The value is only valid during the call. */
typedef int (*clxs_store_visit_fn)(const char *key, json_object *val, void *ud);
clxs_code clxs_txn_scan(clxs_txn *txn, clxs_db db, const char *prefix, bool reverse,
			clxs_store_visit_fn fn, void *ud, clxs_error *err);

/* Single-key conveniences, each in its own transaction. */
json_object *clxs_store_get(clxs_store *st, clxs_db db, const char *key, clxs_error *err);
clxs_code clxs_store_put(clxs_store *st, clxs_db db, const char *key, json_object *val, clxs_error *err);

/* Entries and bytes per database, for stats endpoints and tests. */
clxs_code clxs_store_count(clxs_store *st, clxs_db db, size_t *entries, clxs_error *err);

#endif
