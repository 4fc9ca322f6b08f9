/* Lakehouse handle: opening the SQLite file, the metastore schema,
 * transactions with lock waiting, statement helpers and error mapping. */
#include "lh_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clxs/util.h"

/* How long a writer waits for another process's write lock before the
 * caller gets CLXS_EUNAVAILABLE. Transactions are short, so this is only
 * reached when something is badly stuck. */
#define LH_BUSY_LIMIT_MS (10 * 60 * 1000)

static const char *const schema_sql[] = {
	"CREATE TABLE IF NOT EXISTS lh_meta(key TEXT PRIMARY KEY, value TEXT)",
	"CREATE TABLE IF NOT EXISTS lh_catalogs("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, owner TEXT, comment TEXT,"
	" storage_root TEXT, properties TEXT NOT NULL DEFAULT '{}',"
	" created_at INTEGER NOT NULL, created_by TEXT, updated_at INTEGER NOT NULL, updated_by TEXT)",
	"CREATE TABLE IF NOT EXISTS lh_schemas("
	" id INTEGER PRIMARY KEY,"
	" catalog_id INTEGER NOT NULL REFERENCES lh_catalogs(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, owner TEXT, comment TEXT, storage_root TEXT,"
	" properties TEXT NOT NULL DEFAULT '{}',"
	" created_at INTEGER NOT NULL, created_by TEXT, updated_at INTEGER NOT NULL, updated_by TEXT,"
	" UNIQUE(catalog_id, name))",
	"CREATE TABLE IF NOT EXISTS lh_tables("
	" id INTEGER PRIMARY KEY,"
	" schema_id INTEGER NOT NULL REFERENCES lh_schemas(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, table_uuid TEXT NOT NULL, table_type TEXT NOT NULL,"
	" data_source_format TEXT, owner TEXT, comment TEXT,"
	" properties TEXT NOT NULL DEFAULT '{}', storage_location TEXT,"
	" partition_columns TEXT NOT NULL DEFAULT '[]', view_definition TEXT,"
	" data_id INTEGER REFERENCES lh_physical(id),"
	" clone_source_id INTEGER REFERENCES lh_tables(id) ON DELETE SET NULL,"
	" clone_source_name TEXT, clone_source_version INTEGER,"
	" created_at INTEGER NOT NULL, created_by TEXT, updated_at INTEGER NOT NULL, updated_by TEXT,"
	" UNIQUE(schema_id, name))",
	"CREATE TABLE IF NOT EXISTS lh_columns("
	" table_id INTEGER NOT NULL REFERENCES lh_tables(id) ON DELETE CASCADE,"
	" position INTEGER NOT NULL, name TEXT NOT NULL, type_text TEXT NOT NULL,"
	" nullable INTEGER NOT NULL DEFAULT 1, comment TEXT,"
	" PRIMARY KEY(table_id, position))",
	"CREATE TABLE IF NOT EXISTS lh_constraints("
	" table_id INTEGER NOT NULL REFERENCES lh_tables(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, kind TEXT NOT NULL CHECK(kind IN ('CHECK','PRIMARY KEY','FOREIGN KEY')),"
	" expression TEXT, sqlite_expression TEXT, columns TEXT NOT NULL DEFAULT '[]',"
	" ref_catalog TEXT, ref_schema TEXT, ref_table TEXT, ref_columns TEXT NOT NULL DEFAULT '[]',"
	" PRIMARY KEY(table_id, name))",
	"CREATE TABLE IF NOT EXISTS lh_physical("
	" id INTEGER PRIMARY KEY,"
	" owner_table_id INTEGER REFERENCES lh_tables(id) ON DELETE SET NULL,"
	" next_rid INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS lh_segments("
	" id INTEGER PRIMARY KEY,"
	" physical_id INTEGER NOT NULL REFERENCES lh_physical(id),"
	" lo INTEGER NOT NULL, hi INTEGER NOT NULL, num_rows INTEGER NOT NULL,"
	" size_bytes INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	" vacuumed_at INTEGER, copied_from INTEGER)",
	"CREATE INDEX IF NOT EXISTS lh_segments_phys ON lh_segments(physical_id)",
	"CREATE TABLE IF NOT EXISTS lh_versions("
	" table_id INTEGER NOT NULL REFERENCES lh_tables(id) ON DELETE CASCADE,"
	" version INTEGER NOT NULL, ts_ms INTEGER NOT NULL, user_name TEXT,"
	" operation TEXT NOT NULL, params TEXT NOT NULL, metrics TEXT NOT NULL,"
	" schema_json TEXT NOT NULL, PRIMARY KEY(table_id, version))",
	"CREATE TABLE IF NOT EXISTS lh_table_segments("
	" table_id INTEGER NOT NULL REFERENCES lh_tables(id) ON DELETE CASCADE,"
	" segment_id INTEGER NOT NULL REFERENCES lh_segments(id),"
	" added_version INTEGER NOT NULL, removed_version INTEGER)",
	"CREATE INDEX IF NOT EXISTS lh_ts_table ON lh_table_segments(table_id, removed_version)",
	"CREATE INDEX IF NOT EXISTS lh_ts_segment ON lh_table_segments(segment_id)",
	/* query history (lh_history.c): system.query.history, system.access.*_lineage */
	"CREATE TABLE IF NOT EXISTS lh_query_history("
	" seq INTEGER PRIMARY KEY, statement_id TEXT NOT NULL, statement_text TEXT NOT NULL,"
	" statement_type TEXT, executed_by TEXT, execution_status TEXT NOT NULL, error_message TEXT,"
	" start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, produced_rows INTEGER)",
	"CREATE INDEX IF NOT EXISTS lh_query_history_start ON lh_query_history(start_ms)",
	"CREATE TABLE IF NOT EXISTS lh_query_refs("
	" hist_seq INTEGER NOT NULL, statement_id TEXT NOT NULL, access TEXT NOT NULL,"
	" catalog_name TEXT NOT NULL, schema_name TEXT NOT NULL, table_name TEXT NOT NULL,"
	" column_name TEXT NOT NULL DEFAULT '', executed_by TEXT, event_ms INTEGER NOT NULL)",
	"CREATE INDEX IF NOT EXISTS lh_query_refs_seq ON lh_query_refs(hist_seq)",
	"INSERT OR IGNORE INTO lh_meta(key, value) VALUES('schema_version', '1')",
};

/* ---- errors ---------------------------------------------------------------- */

clxs_code lh_fail(clxs_error *err, clxs_code code, const char *cls, const char *fmt, ...)
{
	if (!err)
		return code;
	char text[sizeof(err->message)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return clxs_fail(err, code, cls, "[%s] %s", cls, text);
}

clxs_code lh_sqlfail(clxs_lh *lh, clxs_error *err, const char *what)
{
	int rc = sqlite3_extended_errcode(lh->db);
	const char *msg = sqlite3_errmsg(lh->db);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return lh_fail(err, CLXS_EUNAVAILABLE, "TEMPORARILY_UNAVAILABLE",
			       "%s: the lakehouse stayed locked too long (%s)", what, msg);
	if ((rc & 0xff) == SQLITE_NOMEM)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	return lh_fail(err, CLXS_ESTORE, "INTERNAL_ERROR", "%s: %s", what, msg);
}

/* ---- strings ---------------------------------------------------------------- */

static void sb_grow(lh_sb *b, size_t need)
{
	if (b->oom || b->len + need + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 128;
	while (cap < b->len + need + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

void lh_sb_add(lh_sb *b, const char *s)
{
	size_t n = strlen(s);
	sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

void lh_sb_addf(lh_sb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	sb_grow(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void lh_sb_ident(lh_sb *b, const char *s)
{
	sb_grow(b, 2 * strlen(s) + 2);
	if (b->oom)
		return;
	char *o = b->p + b->len;
	*o++ = '"';
	for (; *s; s++) {
		if (*s == '"')
			*o++ = '"';
		*o++ = *s;
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->p);
}

char *lh_sb_take(lh_sb *b, clxs_error *err)
{
	if (!b->oom && !b->p)
		lh_sb_add(b, "");
	if (b->oom) {
		lh_sb_free(b);
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	char *p = b->p;
	memset(b, 0, sizeof(*b));
	return p;
}

void lh_sb_free(lh_sb *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

char *lh_strdup(const char *s, clxs_error *err)
{
	char *p = strdup(s ? s : "");
	if (!p)
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	return p;
}

const char *lh_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- names ------------------------------------------------------------------ */

clxs_code lh_name_norm(const char *in, const char *what, char *out, clxs_error *err)
{
	if (!in || !*in)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE", "%s name is empty", what);
	size_t n = strlen(in);
	if (n > LH_NAME_MAX)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "%s name is longer than %d bytes", what, LH_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)in[i];
		/* Unity Catalog refuses these in object names; everything else is
		 * allowed (and always quoted when it reaches SQL). */
		if (ch < 0x20 || ch == 0x7f || ch == '.' || ch == '/')
			return lh_fail(err, CLXS_EINVAL, "INVALID_SCHEMA_OR_RELATION_NAME",
				       "%s name contains an invalid character (period, slash or control character)",
				       what);
		out[i] = (char)tolower(ch);
	}
	out[n] = '\0';
	return CLXS_OK;
}

static void tick(char **o, char *end, const char *s)
{
	if (*o < end)
		*(*o)++ = '`';
	for (; *s && *o < end; s++) {
		if (*s == '`' && *o + 1 < end)
			*(*o)++ = '`';
		*(*o)++ = *s;
	}
	if (*o < end)
		*(*o)++ = '`';
}

void lh_fullname(char *out, size_t outsz, const char *c, const char *s, const char *t)
{
	char *o = out, *end = out + outsz - 1;
	const char *parts[3] = {c, s, t};
	bool first = true;
	for (int i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		if (!first && o < end)
			*o++ = '.';
		tick(&o, end, parts[i]);
		first = false;
	}
	*o = '\0';
}

/* ---- statements -------------------------------------------------------------- */

static clxs_code bindv(clxs_lh *lh, clxs_error *err, sqlite3_stmt *st, const char *types,
		       va_list ap)
{
	int idx = 1, rc = SQLITE_OK;
	for (const char *t = types ? types : ""; *t && rc == SQLITE_OK; t++, idx++) {
		switch (*t) {
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, idx);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st, idx, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_double(st, idx, va_arg(ap, double));
			break;
		default:
			rc = sqlite3_bind_null(st, idx);
			break;
		}
	}
	return rc == SQLITE_OK ? CLXS_OK : lh_sqlfail(lh, err, "bind");
}

static clxs_code stmtv(clxs_lh *lh, clxs_error *err, sqlite3_stmt **st, const char *sql,
		       const char *types, va_list ap)
{
	*st = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(lh->db, sql, -1, st, &tail) != SQLITE_OK) {
		/* Fragments of trusted front-end SQL end up here too: a bad one is
		 * the caller's input error, not a broken store. */
		if (sqlite3_errcode(lh->db) == SQLITE_ERROR)
			return lh_fail(err, CLXS_EINVAL, "INVALID_SQL", "%s", sqlite3_errmsg(lh->db));
		return lh_sqlfail(lh, err, "prepare");
	}
	/* One statement only: a fragment must never smuggle in a second one. */
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r'))
		tail++;
	if (!*st || (tail && *tail)) {
		sqlite3_finalize(*st);
		*st = NULL;
		return lh_fail(err, CLXS_EINVAL, "INVALID_SQL", "a single SQL statement was expected");
	}
	clxs_code rc = bindv(lh, err, *st, types, ap);
	if (rc) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return rc;
}

clxs_code lh_stmt(clxs_lh *lh, clxs_error *err, sqlite3_stmt **st, const char *sql,
		  const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	clxs_code rc = stmtv(lh, err, st, sql, types, ap);
	va_end(ap);
	return rc;
}

clxs_code lh_run(clxs_lh *lh, clxs_error *err, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	va_start(ap, types);
	clxs_code rc = stmtv(lh, err, &st, sql, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (s != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, "statement");
	sqlite3_finalize(st);
	return rc;
}

clxs_code lh_int(clxs_lh *lh, clxs_error *err, int64_t *out, bool *found, const char *sql,
		 const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	va_start(ap, types);
	clxs_code rc = stmtv(lh, err, &st, sql, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	int s = sqlite3_step(st);
	if (found)
		*found = s == SQLITE_ROW;
	if (s == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (s != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, "query");
	sqlite3_finalize(st);
	return rc;
}

clxs_code lh_exec_one(clxs_lh *lh, clxs_error *err, const char *sql, int64_t *changes)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(lh->db, sql, -1, &st, &tail) != SQLITE_OK)
		return lh_fail(err, CLXS_EINVAL, "INVALID_SQL", "%s", sqlite3_errmsg(lh->db));
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' ||
			*tail == ';'))
		tail++;
	if (!st || (tail && *tail)) {
		sqlite3_finalize(st);
		return lh_fail(err, CLXS_EINVAL, "INVALID_SQL",
			       "a single SQL statement was expected");
	}
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		;
	clxs_code rc = CLXS_OK;
	if (s != SQLITE_DONE) {
		int ec = sqlite3_errcode(lh->db);
		if (ec == SQLITE_ERROR || ec == SQLITE_MISMATCH || ec == SQLITE_TOOBIG ||
		    ec == SQLITE_RANGE)
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_SQL", "%s", sqlite3_errmsg(lh->db));
		else
			rc = lh_sqlfail(lh, err, "statement");
	}
	if (changes)
		*changes = sqlite3_changes64(lh->db);
	sqlite3_finalize(st);
	return rc;
}

/* ---- transactions -------------------------------------------------------------- */

/* Run a transaction-control statement, waiting out locks held by other
 * connections: the busy handler already sleeps inside SQLite, and this loop
 * covers the cases where SQLite returns SQLITE_BUSY without calling it. */
static clxs_code exec_wait(clxs_lh *lh, const char *sql, clxs_error *err)
{
	int64_t start = clxs_mono_ms(), pause = 1;
	for (;;) {
		int rc = sqlite3_exec(lh->db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return CLXS_OK;
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return lh_sqlfail(lh, err, sql);
		if (clxs_mono_ms() - start > LH_BUSY_LIMIT_MS)
			return lh_sqlfail(lh, err, sql);
		clxs_sleep_ms(pause);
		if (pause < 50)
			pause *= 2;
	}
}

clxs_code lh_begin(clxs_lh *lh, bool write, clxs_error *err)
{
	clxs_code rc;
	if (lh->depth == 0)
		rc = exec_wait(lh, write ? "BEGIN IMMEDIATE" : "BEGIN", err);
	else {
		char sp[32];
		snprintf(sp, sizeof(sp), "SAVEPOINT lh_%d", lh->depth);
		rc = exec_wait(lh, sp, err);
	}
	if (rc == CLXS_OK)
		lh->depth++;
	return rc;
}

clxs_code lh_end(clxs_lh *lh, clxs_code rc, clxs_error *err)
{
	if (lh->depth <= 0)
		return rc ? rc : lh_fail(err, CLXS_EINTERNAL, "INTERNAL_ERROR", "no open transaction");
	lh->depth--;
	char sql[64];
	if (lh->depth == 0) {
		if (rc == CLXS_OK) {
			clxs_code c = exec_wait(lh, "COMMIT", err);
			if (c == CLXS_OK)
				return CLXS_OK;
			rc = c;
		}
		/* A failed COMMIT may already have ended the transaction. */
		if (!sqlite3_get_autocommit(lh->db))
			sqlite3_exec(lh->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (rc == CLXS_OK) {
		snprintf(sql, sizeof(sql), "RELEASE lh_%d", lh->depth);
		return exec_wait(lh, sql, err);
	}
	snprintf(sql, sizeof(sql), "ROLLBACK TO lh_%d", lh->depth);
	sqlite3_exec(lh->db, sql, NULL, NULL, NULL);
	snprintf(sql, sizeof(sql), "RELEASE lh_%d", lh->depth);
	sqlite3_exec(lh->db, sql, NULL, NULL, NULL);
	return rc;
}

/* Sleep-and-retry busy handler: short waits first so that the many small
 * transactions of concurrent writers interleave quickly. */
static int busy_handler(void *arg, int count)
{
	(void)arg;
	int64_t ms = count < 10 ? 1 : count < 50 ? 5 : 20;
	if ((int64_t)count * 20 > LH_BUSY_LIMIT_MS)
		return 0;
	clxs_sleep_ms(ms);
	return 1;
}

/* ---- handle ------------------------------------------------------------------ */

clxs_code clxs_lh_open(const char *dir, clxs_lh **out, clxs_error *err)
{
	*out = NULL;
	if (!dir || !*dir)
		return clxs_fail(err, CLXS_EINVAL, "dir", "lakehouse directory is empty");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return clxs_fail(err, CLXS_EIO, "dir", "cannot create %s: %s", dir, strerror(errno));
	clxs_lh *lh = calloc(1, sizeof(*lh));
	if (!lh)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	snprintf(lh->user, sizeof(lh->user), "local-user");
	lh->retention_check = true;
	if (asprintf(&lh->path, "%s/lakehouse.db", dir) < 0) {
		lh->path = NULL;
		free(lh);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	clxs_code rc = CLXS_OK;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(lh->path, &lh->db, flags, NULL) != SQLITE_OK) {
		rc = clxs_fail(err, CLXS_EIO, "dir", "cannot open %s: %s", lh->path,
			       lh->db ? sqlite3_errmsg(lh->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(lh->db, 1);
	sqlite3_busy_handler(lh->db, busy_handler, NULL);
	/* WAL: readers never block the writer; NORMAL sync is durable across
	 * process crashes (the case that matters for a local store). */
	if ((rc = exec_wait(lh, "PRAGMA journal_mode=WAL", err)) ||
	    (rc = exec_wait(lh, "PRAGMA synchronous=NORMAL", err)) ||
	    (rc = exec_wait(lh, "PRAGMA foreign_keys=ON", err)))
		goto fail;
	if ((rc = lh_begin(lh, true, err)))
		goto fail;
	for (size_t i = 0; i < sizeof(schema_sql) / sizeof(schema_sql[0]) && !rc; i++)
		rc = lh_run(lh, err, schema_sql[i], NULL);
	if ((rc = lh_end(lh, rc, err)))
		goto fail;
	*out = lh;
	return CLXS_OK;
fail:
	clxs_lh_close(lh);
	return rc;
}

void clxs_lh_close(clxs_lh *lh)
{
	if (!lh)
		return;
	if (lh->batch)
		clxs_lh_write_abort(lh->batch);
	sqlite3_close_v2(lh->db);
	free(lh->path);
	free(lh);
}

void clxs_lh_set_user(clxs_lh *lh, const char *user)
{
	snprintf(lh->user, sizeof(lh->user), "%s", user && *user ? user : "local-user");
}

void clxs_lh_set_retention_check(clxs_lh *lh, bool enabled)
{
	lh->retention_check = enabled;
}

sqlite3 *clxs_lh_db(clxs_lh *lh)
{
	return lh->db;
}
