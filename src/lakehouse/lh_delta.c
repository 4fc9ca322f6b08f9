/* The Delta-like layer: physical data tables, segments (immutable rowid
 * ranges), the version log, live sets, snapshot subqueries, constraint
 * checks, DESCRIBE HISTORY and DESCRIBE DETAIL. */
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>

#include "clxs/util.h"

void lh_mset_int(json_object *o, const char *k, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	json_object_object_add(o, k, json_object_new_string(buf));
}

void lh_mset_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

/* ---- segment lists ------------------------------------------------------------------- */

void lh_segs_free(lh_segs *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

clxs_code lh_segs_push(lh_segs *s, const lh_seg *g, clxs_error *err)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		lh_seg *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *g;
	return CLXS_OK;
}

clxs_code lh_live_segments(clxs_lh *lh, int64_t table_id, int64_t version, lh_segs *s,
			   clxs_error *err)
{
	memset(s, 0, sizeof(*s));
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st,
			       "SELECT s.id, s.physical_id, s.lo, s.hi, s.num_rows, s.size_bytes,"
			       " coalesce(s.copied_from, 0), s.vacuumed_at IS NOT NULL"
			       " FROM lh_table_segments ts JOIN lh_segments s ON s.id=ts.segment_id"
			       " WHERE ts.table_id=?1 AND (CASE WHEN ?2 < 0 THEN ts.removed_version IS NULL"
			       "  ELSE ts.added_version <= ?2 AND (ts.removed_version IS NULL"
			       "   OR ts.removed_version > ?2) END)"
			       " ORDER BY s.physical_id, s.lo", "ii", table_id, version);
	if (rc)
		return rc;
	int r;
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		lh_seg g = {
			.id = sqlite3_column_int64(st, 0), .physical_id = sqlite3_column_int64(st, 1),
			.lo = sqlite3_column_int64(st, 2), .hi = sqlite3_column_int64(st, 3),
			.rows = sqlite3_column_int64(st, 4), .bytes = sqlite3_column_int64(st, 5),
			.copied_from = sqlite3_column_int64(st, 6),
			.vacuumed = sqlite3_column_int(st, 7) != 0,
		};
		rc = lh_segs_push(s, &g, err);
	}
	if (!rc && r != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, "live segments");
	sqlite3_finalize(st);
	if (rc)
		lh_segs_free(s);
	return rc;
}

/* ---- versions ---------------------------------------------------------------------------- */

clxs_code lh_latest_version(clxs_lh *lh, int64_t table_id, int64_t *v, clxs_error *err)
{
	return lh_int(lh, err, v, NULL,
		      "SELECT coalesce(max(version), -1) FROM lh_versions WHERE table_id=?", "i",
		      table_id);
}

clxs_code lh_resolve_at(clxs_lh *lh, const lh_tbl *t, const clxs_lh_at *at, int64_t *version,
			clxs_error *err)
{
	int64_t first = 0, latest = -1;
	clxs_code rc;
	if ((rc = lh_latest_version(lh, t->id, &latest, err)) ||
	    (rc = lh_int(lh, err, &first, NULL,
			 "SELECT coalesce(min(version), 0) FROM lh_versions WHERE table_id=?", "i", t->id)))
		return rc;
	if (latest < 0)
		return lh_fail(err, CLXS_EVALIDATION, "DELTA_TABLE_NOT_FOUND",
			       "%s is not a Delta table.", t->full);
	if (!at || at->kind == CLXS_LH_AT_LATEST) {
		*version = latest;
		return CLXS_OK;
	}
	if (at->kind == CLXS_LH_AT_VERSION) {
		if (at->version < first || at->version > latest)
			return lh_fail(err, CLXS_EVALIDATION, "DELTA_VERSION_NOT_FOUND",
				       "Cannot time travel Delta table to version %lld. Available versions:"
				       " [%lld, %lld].", (long long)at->version, (long long)first,
				       (long long)latest);
		*version = at->version;
		return CLXS_OK;
	}
	int64_t ts0, ts1;
	if ((rc = lh_int(lh, err, &ts0, NULL,
			 "SELECT ts_ms FROM lh_versions WHERE table_id=? AND version=?", "ii", t->id,
			 first)) ||
	    (rc = lh_int(lh, err, &ts1, NULL,
			 "SELECT ts_ms FROM lh_versions WHERE table_id=? AND version=?", "ii", t->id,
			 latest)))
		return rc;
	char want[32], lim[32];
	clxs_iso8601(at->timestamp_ms, want);
	if (at->timestamp_ms < ts0) {
		clxs_iso8601(ts0, lim);
		return lh_fail(err, CLXS_EVALIDATION, "DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION",
			       "The provided timestamp (%s) is before the earliest version available to"
			       " this table (%s). Please use a timestamp after %s.", want, lim, lim);
	}
	if (at->timestamp_ms > ts1) {
		clxs_iso8601(ts1, lim);
		return lh_fail(err, CLXS_EVALIDATION, "DELTA_TIMESTAMP_GREATER_THAN_COMMIT",
			       "The provided timestamp (%s) is after the latest version available to"
			       " this table (%s). Please use a timestamp before or at %s.", want, lim, lim);
	}
	return lh_int(lh, err, version, NULL,
		      "SELECT max(version) FROM lh_versions WHERE table_id=? AND ts_ms <= ?", "ii",
		      t->id, at->timestamp_ms);
}

clxs_code lh_version_cols(clxs_lh *lh, int64_t table_id, int64_t v, lh_cols *c, clxs_error *err)
{
	memset(c, 0, sizeof(*c));
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st,
			       "SELECT schema_json FROM lh_versions WHERE table_id=? AND version=?", "ii",
			       table_id, v);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_object *arr = lh_json_or_empty(lh_col_text(st, 0), json_type_array);
		rc = lh_cols_from_json(arr, c, err);
		json_object_put(arr);
	} else {
		rc = lh_sqlfail(lh, err, "version schema");
	}
	sqlite3_finalize(st);
	return rc;
}

clxs_code lh_commit_version(clxs_lh *lh, int64_t table_id, int64_t version, const char *op,
			    json_object *params, json_object *metrics, const lh_cols *schema,
			    clxs_error *err)
{
	int64_t last = 0, now = clxs_now_ms();
	clxs_code rc = lh_int(lh, err, &last, NULL,
			      "SELECT coalesce(max(ts_ms), 0) FROM lh_versions WHERE table_id=?", "i",
			      table_id);
	if (rc)
		return rc;
	/* Commit timestamps strictly increase, so TIMESTAMP AS OF always maps to
	 * exactly one version (Delta adjusts skewed clocks the same way). */
	int64_t ts = now > last ? now : last + 1;
	json_object *sch = lh_cols_json(schema);
	rc = lh_run(lh, err,
		    "INSERT INTO lh_versions(table_id, version, ts_ms, user_name, operation, params,"
		    " metrics, schema_json) VALUES(?,?,?,?,?,?,?,?)", "iiittttt", table_id, version, ts,
		    lh->user, op, json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN),
		    json_object_to_json_string_ext(metrics, JSON_C_TO_STRING_PLAIN),
		    json_object_to_json_string_ext(sch, JSON_C_TO_STRING_PLAIN));
	json_object_put(sch);
	if (!rc)
		rc = lh_run(lh, err, "UPDATE lh_tables SET updated_at=? WHERE id=?", "ii", ts, table_id);
	return rc;
}

/* ---- physical tables and segments --------------------------------------------------------- */

clxs_code lh_physical_ensure(clxs_lh *lh, lh_tbl *t, const lh_cols *c, clxs_error *err)
{
	if (t->data_id)
		return CLXS_OK;
	clxs_code rc = lh_run(lh, err,
			      "INSERT INTO lh_physical(owner_table_id, next_rid, created_at) VALUES(?,1,?)",
			      "ii", t->id, clxs_now_ms());
	if (rc)
		return rc;
	int64_t id = sqlite3_last_insert_rowid(lh->db);
	lh_sb b = {0};
	lh_sb_addf(&b, "CREATE TABLE \"d_%lld\"(", (long long)id);
	for (size_t i = 0; i < c->n; i++) {
		if (i)
			lh_sb_add(&b, ", ");
		lh_sb_ident(&b, c->v[i].name);
		lh_sb_addf(&b, " %s", lh_type_affinity(c->v[i].type_text));
	}
	lh_sb_add(&b, ")");
	char *sql = lh_sb_take(&b, err);
	if (!sql)
		return CLXS_ENOMEM;
	rc = lh_run(lh, err, sql, NULL);
	free(sql);
	if (!rc)
		rc = lh_run(lh, err, "UPDATE lh_tables SET data_id=? WHERE id=?", "ii", id, t->id);
	if (!rc)
		t->data_id = id;
	return rc;
}

clxs_code lh_segment_record(clxs_lh *lh, int64_t phys, int64_t lo, int64_t hi, int64_t bytes,
			    int64_t copied_from, lh_seg *out, clxs_error *err)
{
	clxs_code rc = lh_run(lh, err,
			      "INSERT INTO lh_segments(physical_id, lo, hi, num_rows, size_bytes,"
			      " created_at, copied_from) VALUES(?,?,?,?,?,?,NULLIF(?, 0))", "iiiiiii",
			      phys, lo, hi, hi - lo + 1, bytes, clxs_now_ms(), copied_from);
	if (rc)
		return rc;
	*out = (lh_seg){.id = sqlite3_last_insert_rowid(lh->db), .physical_id = phys, .lo = lo,
			.hi = hi, .rows = hi - lo + 1, .bytes = bytes, .copied_from = copied_from};
	return lh_run(lh, err, "UPDATE lh_physical SET next_rid=max(next_rid, ?) WHERE id=?", "ii",
		      hi + 1, phys);
}

/* Size estimate of rows [lo,hi]: the stored length of a sample of up to 256
 * rows scaled to the whole range, plus a per-value record overhead. Exact
 * sizes would cost a full scan of every new segment. */
static clxs_code estimate_bytes(clxs_lh *lh, int64_t phys, const lh_cols *c, int64_t lo,
				int64_t hi, int64_t *bytes, clxs_error *err)
{
	lh_sb b = {0};
	lh_sb_add(&b, "SELECT coalesce(sum(");
	for (size_t i = 0; i < c->n; i++) {
		lh_sb_add(&b, i ? "+coalesce(length(" : "coalesce(length(");
		lh_sb_ident(&b, c->v[i].name);
		lh_sb_add(&b, "),0)");
	}
	lh_sb_addf(&b, "),0), count(*) FROM \"d_%lld\" WHERE \"" LH_RID "\" BETWEEN ?1 AND ?2",
		   (long long)phys);
	char *sql = lh_sb_take(&b, err);
	if (!sql)
		return CLXS_ENOMEM;
	sqlite3_stmt *st;
	int64_t top = hi - lo >= 256 ? lo + 255 : hi;
	clxs_code rc = lh_stmt(lh, err, &st, sql, "ii", lo, top);
	free(sql);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		int64_t sum = sqlite3_column_int64(st, 0), n = sqlite3_column_int64(st, 1);
		int64_t rows = hi - lo + 1;
		*bytes = (n ? sum * rows / n : 0) + rows * (int64_t)(c->n + 2);
	} else {
		rc = lh_sqlfail(lh, err, "size estimate");
	}
	sqlite3_finalize(st);
	return rc;
}

clxs_code lh_insert_rows(clxs_lh *lh, int64_t phys, const char *insert_tail, int64_t *lo_out,
			 int64_t *n_out, clxs_error *err)
{
	*lo_out = 0;
	*n_out = 0;
	char tbl[32];
	snprintf(tbl, sizeof(tbl), "\"d_%lld\"", (long long)phys);
	char q[128];
	int64_t maxrid = 0, next = 1, n = 0;
	snprintf(q, sizeof(q), "SELECT coalesce(max(\"" LH_RID "\"), 0) FROM %s", tbl);
	clxs_code rc = lh_int(lh, err, &maxrid, NULL, q, NULL);
	if (!rc)
		rc = lh_int(lh, err, &next, NULL, "SELECT next_rid FROM lh_physical WHERE id=?", "i", phys);
	if (rc)
		return rc;
	/* Rowids are never reused: when VACUUM emptied the top of the table,
	 * a placeholder row makes SQLite continue numbering after it. */
	bool placeholder = maxrid + 1 < next;
	if (placeholder) {
		snprintf(q, sizeof(q), "INSERT INTO %s(\"" LH_RID "\") VALUES(?)", tbl);
		if ((rc = lh_run(lh, err, q, "i", next - 1)))
			return rc;
	}
	int64_t lo = placeholder ? next : maxrid + 1;
	lh_sb b = {0};
	lh_sb_addf(&b, "INSERT INTO %s", tbl);
	lh_sb_add(&b, insert_tail);
	char *sql = lh_sb_take(&b, err);
	if (!sql)
		return CLXS_ENOMEM;
	rc = lh_exec_one(lh, err, sql, &n);
	free(sql);
	if (!rc && placeholder) {
		snprintf(q, sizeof(q), "DELETE FROM %s WHERE \"" LH_RID "\"=?", tbl);
		rc = lh_run(lh, err, q, "i", next - 1);
	}
	if (rc || n == 0)
		return rc;
	int64_t hi = lo + n - 1, top = 0;
	snprintf(q, sizeof(q), "SELECT max(\"" LH_RID "\") FROM %s", tbl);
	if ((rc = lh_int(lh, err, &top, NULL, q, NULL)))
		return rc;
	if (top != hi)
		return lh_fail(err, CLXS_EINTERNAL, "INTERNAL_ERROR",
			       "new rows of %s are not contiguous (%lld..%lld, top %lld)", tbl,
			       (long long)lo, (long long)hi, (long long)top);
	*lo_out = lo;
	*n_out = n;
	return CLXS_OK;
}

clxs_code lh_segment_append(clxs_lh *lh, int64_t phys, const lh_cols *c, const char *select_sql,
			    int64_t copied_from, lh_seg *out, clxs_error *err)
{
	memset(out, 0, sizeof(*out));
	lh_sb b = {0};
	lh_sb_add(&b, "(");
	lh_sb_collist(&b, c, NULL);
	lh_sb_add(&b, ") ");
	lh_sb_add(&b, select_sql);
	char *tail = lh_sb_take(&b, err);
	if (!tail)
		return CLXS_ENOMEM;
	int64_t lo, n, bytes = 0;
	clxs_code rc = lh_insert_rows(lh, phys, tail, &lo, &n, err);
	free(tail);
	if (rc || n == 0)
		return rc;
	if ((rc = estimate_bytes(lh, phys, c, lo, lo + n - 1, &bytes, err)))
		return rc;
	return lh_segment_record(lh, phys, lo, lo + n - 1, bytes, copied_from, out, err);
}

clxs_code lh_ts_add(clxs_lh *lh, int64_t table_id, int64_t seg, int64_t version, clxs_error *err)
{
	return lh_run(lh, err,
		      "INSERT INTO lh_table_segments(table_id, segment_id, added_version) VALUES(?,?,?)",
		      "iii", table_id, seg, version);
}

clxs_code lh_ts_remove(clxs_lh *lh, int64_t table_id, int64_t seg, int64_t version,
		       clxs_error *err)
{
	return lh_run(lh, err,
		      "UPDATE lh_table_segments SET removed_version=? WHERE table_id=? AND segment_id=?"
		      " AND removed_version IS NULL", "iii", version, table_id, seg);
}

clxs_code lh_physical_gc(clxs_lh *lh, clxs_error *err)
{
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st,
			       "SELECT p.id FROM lh_physical p WHERE p.owner_table_id IS NULL AND NOT EXISTS"
			       " (SELECT 1 FROM lh_segments s JOIN lh_table_segments ts"
			       "  ON ts.segment_id=s.id WHERE s.physical_id=p.id)", NULL);
	if (rc)
		return rc;
	int64_t ids[64];
	size_t n = 0;
	while (n < 64 && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	for (size_t i = 0; i < n && !rc; i++) {
		char q[64];
		snprintf(q, sizeof(q), "DROP TABLE IF EXISTS \"d_%lld\"", (long long)ids[i]);
		if (!(rc = lh_run(lh, err, q, NULL)) &&
		    !(rc = lh_run(lh, err, "DELETE FROM lh_segments WHERE physical_id=?", "i", ids[i])))
			rc = lh_run(lh, err, "DELETE FROM lh_physical WHERE id=?", "i", ids[i]);
	}
	/* More than 64 orphans: take the rest in another round. */
	return rc || n < 64 ? rc : lh_physical_gc(lh, err);
}

/* ---- snapshots ---------------------------------------------------------------------------- */

clxs_code lh_snapshot_build(clxs_lh *lh, const lh_tbl *t, const lh_segs *s, const lh_cols *c,
			    char **sql, clxs_error *err)
{
	(void)lh;
	*sql = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].vacuumed)
			return lh_fail(err, CLXS_ENOTFOUND, "DELTA_FILE_NOT_FOUND_DETAILED",
				       "File segment-%lld referenced in the transaction log of %s cannot be"
				       " found. It was deleted by VACUUM of the table that owns the data"
				       " (a shallow clone breaks when its source is vacuumed). Re-clone the"
				       " table or read a version whose files are retained.",
				       (long long)s->v[i].id, t->full);
	lh_sb b = {0};
	lh_sb_add(&b, "(");
	if (s->n == 0) {
		lh_sb_add(&b, "SELECT ");
		for (size_t i = 0; i < c->n; i++) {
			lh_sb_add(&b, i ? ",NULL AS " : "NULL AS ");
			lh_sb_ident(&b, c->v[i].name);
		}
		lh_sb_add(&b, " WHERE 0");
	}
	for (size_t i = 0; i < s->n;) {
		/* One SELECT per physical table; adjacent segments coalesce into
		 * one range since rowids inside a range belong to one segment. */
		size_t j = i, nr = 0;
		for (size_t k = i; k < s->n && s->v[k].physical_id == s->v[i].physical_id; k++, j++)
			if (k == i || s->v[k].lo != s->v[k - 1].hi + 1)
				nr++;
		if (i)
			lh_sb_add(&b, " UNION ALL ");
		lh_sb_add(&b, "SELECT ");
		if (nr <= LH_MAX_OR_RANGES) {
			lh_sb_collist(&b, c, NULL);
			lh_sb_addf(&b, " FROM \"d_%lld\" WHERE ", (long long)s->v[i].physical_id);
		} else {
			for (size_t k = 0; k < c->n; k++) {
				if (k)
					lh_sb_add(&b, ",");
				lh_sb_add(&b, "d.");
				lh_sb_ident(&b, c->v[k].name);
				lh_sb_add(&b, " AS ");
				lh_sb_ident(&b, c->v[k].name);
			}
			lh_sb_add(&b, " FROM json_each('[");
		}
		for (size_t k = i; k < j;) {
			int64_t lo = s->v[k].lo, hi = s->v[k].hi;
			for (k++; k < j && s->v[k].lo == hi + 1; k++)
				hi = s->v[k].hi;
			if (nr <= LH_MAX_OR_RANGES)
				lh_sb_addf(&b, "%s\"" LH_RID "\" BETWEEN %lld AND %lld",
					   lo == s->v[i].lo ? "" : " OR ", (long long)lo, (long long)hi);
			else
				lh_sb_addf(&b, "%s[%lld,%lld]", lo == s->v[i].lo ? "" : ",",
					   (long long)lo, (long long)hi);
		}
		if (nr > LH_MAX_OR_RANGES)
			lh_sb_addf(&b, "]') AS r CROSS JOIN \"d_%lld\" AS d ON d.\"" LH_RID "\""
				   " BETWEEN r.value->>0 AND r.value->>1", (long long)s->v[i].physical_id);
		i = j;
	}
	lh_sb_add(&b, ")");
	*sql = lh_sb_take(&b, err);
	return *sql ? CLXS_OK : CLXS_ENOMEM;
}

clxs_code clxs_lh_table_snapshot_sql(clxs_lh *lh, const clxs_lh_name *n, const clxs_lh_at *at,
				     char **sql, json_object **columns_out, clxs_error *err)
{
	*sql = NULL;
	if (columns_out)
		*columns_out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	lh_tbl t;
	lh_cols c = {0};
	lh_segs s = {0};
	int64_t v = -1;
	if ((rc = lh_tbl_resolve(lh, n, &t, NULL, err)))
		goto out;
	if (t.is_view) {
		rc = lh_fail(err, CLXS_EVALIDATION, "EXPECT_TABLE_NOT_VIEW",
			     "%s is a view; it has no stored data.", t.full);
		goto out;
	}
	bool latest = !at || at->kind == CLXS_LH_AT_LATEST;
	if ((rc = lh_resolve_at(lh, &t, at, &v, err)))
		goto out;
	/* Latest reads the current state, including an open batch's steps. */
	rc = latest ? lh_cols_load(lh, t.id, &c, err) : lh_version_cols(lh, t.id, v, &c, err);
	if (!rc)
		rc = lh_live_segments(lh, t.id, latest ? -1 : v, &s, err);
	if (!rc)
		rc = lh_snapshot_build(lh, &t, &s, &c, sql, err);
	if (!rc && columns_out)
		*columns_out = lh_cols_json(&c);
out:
	lh_cols_free(&c);
	lh_segs_free(&s);
	return lh_end(lh, rc, err);
}

/* ---- constraints on new rows ---------------------------------------------------------------- */

static clxs_code violation(clxs_lh *lh, sqlite3_stmt *st, const lh_cols *c, const char *name,
			   const char *expr, clxs_error *err)
{
	(void)lh;
	lh_sb b = {0};
	for (size_t i = 0; i < c->n; i++) {
		const char *v = lh_col_text(st, (int)i);
		lh_sb_addf(&b, "\n - %s : %s", c->v[i].name, v ? v : "null");
	}
	char *vals = lh_sb_take(&b, err);
	if (!vals)
		return CLXS_ENOMEM;
	clxs_code rc = lh_fail(err, CLXS_EVALIDATION, "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES",
			       "CHECK constraint %s %s violated by row with values:%s", name, expr, vals);
	free(vals);
	return rc;
}

clxs_code lh_check_rows(clxs_lh *lh, const lh_tbl *t, const lh_cols *c, int64_t phys,
			int64_t lo, int64_t hi, clxs_error *err)
{
	clxs_code rc = CLXS_OK;
	for (size_t i = 0; i < c->n && !rc; i++) {
		if (c->v[i].nullable)
			continue;
		lh_sb b = {0};
		lh_sb_addf(&b, "SELECT 1 FROM \"d_%lld\" WHERE \"" LH_RID "\" BETWEEN ? AND ? AND ",
			   (long long)phys);
		lh_sb_ident(&b, c->v[i].name);
		lh_sb_add(&b, " IS NULL LIMIT 1");
		char *q = lh_sb_take(&b, err);
		if (!q)
			return CLXS_ENOMEM;
		int64_t one;
		bool found;
		rc = lh_int(lh, err, &one, &found, q, "ii", lo, hi);
		free(q);
		if (!rc && found)
			rc = lh_fail(err, CLXS_EVALIDATION, "DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
				     "NOT NULL constraint violated for column: %s.", c->v[i].name);
	}
	if (rc)
		return rc;
	sqlite3_stmt *ks;
	if ((rc = lh_stmt(lh, err, &ks,
			  "SELECT name, expression, sqlite_expression FROM lh_constraints"
			  " WHERE table_id=? AND kind='CHECK' ORDER BY name", "i", t->id)))
		return rc;
	while (!rc && sqlite3_step(ks) == SQLITE_ROW) {
		lh_sb b = {0};
		lh_sb_add(&b, "SELECT ");
		lh_sb_collist(&b, c, NULL);
		lh_sb_addf(&b, " FROM \"d_%lld\" WHERE \"" LH_RID "\" BETWEEN ? AND ? AND ((%s)) IS NOT TRUE"
			   " LIMIT 1", (long long)phys, lh_col_text(ks, 2));
		char *q = lh_sb_take(&b, err);
		if (!q) {
			rc = CLXS_ENOMEM;
			break;
		}
		sqlite3_stmt *st;
		rc = lh_stmt(lh, err, &st, q, "ii", lo, hi);
		free(q);
		if (rc)
			break;
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW)
			rc = violation(lh, st, c, lh_col_text(ks, 0), lh_col_text(ks, 1), err);
		else if (r != SQLITE_DONE)
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_CHECK_CONSTRAINT", "CHECK constraint %s: %s",
				     lh_col_text(ks, 0), sqlite3_errmsg(lh->db));
		sqlite3_finalize(st);
	}
	sqlite3_finalize(ks);
	return rc;
}

/* ---- DESCRIBE HISTORY / DETAIL ---------------------------------------------------------------- */

clxs_code clxs_lh_table_history(clxs_lh *lh, const clxs_lh_name *n, int limit, json_object **out,
				clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	lh_tbl t;
	sqlite3_stmt *st = NULL;
	if ((rc = lh_tbl_resolve(lh, n, &t, NULL, err)) ||
	    (rc = lh_stmt(lh, err, &st,
			  "SELECT version, ts_ms, user_name, operation, params, metrics FROM lh_versions"
			  " WHERE table_id=? ORDER BY version DESC LIMIT ?", "ii", t.id,
			  (int64_t)(limit > 0 ? limit : -1))))
		goto out;
	json_object *arr = json_object_new_array();
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_object *o = json_object_new_object();
		int64_t v = sqlite3_column_int64(st, 0), ts = sqlite3_column_int64(st, 1);
		char iso[32];
		clxs_iso8601(ts, iso);
		const char *op = lh_col_text(st, 3);
		json_object *params = lh_json_or_empty(lh_col_text(st, 4), json_type_object);
		clxs_json_set_int(o, "version", v);
		clxs_json_set_str(o, "timestamp", iso);
		clxs_json_set_int(o, "timestamp_ms", ts);
		clxs_json_set_str(o, "userName", lh_col_text(st, 2));
		clxs_json_set_str(o, "operation", op);
		clxs_json_set_bool(o, "isBlindAppend",
				   !strcmp(op, "WRITE") &&
				   !strcmp(clxs_json_str(params, "mode", ""), "Append"));
		json_object_object_add(o, "operationParameters", params);
		json_object_object_add(o, "operationMetrics",
				       lh_json_or_empty(lh_col_text(st, 5), json_type_object));
		if (v > 0)
			clxs_json_set_int(o, "readVersion", v - 1);
		else
			json_object_object_add(o, "readVersion", NULL);
		clxs_json_set_str(o, "isolationLevel", "WriteSerializable");
		clxs_json_set_str(o, "engineInfo", "clxs-lakehouse");
		json_object_array_add(arr, o);
	}
	if (r != SQLITE_DONE) {
		json_object_put(arr);
		rc = lh_sqlfail(lh, err, "history");
	} else {
		*out = arr;
	}
out:
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

clxs_code clxs_lh_table_detail(clxs_lh *lh, const clxs_lh_name *n, json_object **out,
			       clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	lh_tbl t;
	lh_segs s = {0};
	sqlite3_stmt *st = NULL;
	int64_t nchecks = 0, last = 0;
	if ((rc = lh_tbl_resolve_table(lh, n, "DESCRIBE DETAIL", &t, err)))
		goto out;
	if ((rc = lh_live_segments(lh, t.id, -1, &s, err)) ||
	    (rc = lh_int(lh, err, &nchecks, NULL,
			 "SELECT count(*) FROM lh_constraints WHERE table_id=? AND kind='CHECK'", "i",
			 t.id)) ||
	    (rc = lh_int(lh, err, &last, NULL,
			 "SELECT coalesce(max(ts_ms), 0) FROM lh_versions WHERE table_id=?", "i", t.id)) ||
	    (rc = lh_stmt(lh, err, &st,
			  "SELECT table_uuid, comment, storage_location, partition_columns, properties,"
			  " data_source_format FROM lh_tables WHERE id=?", "i", t.id)))
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = lh_sqlfail(lh, err, "detail");
		goto out;
	}
	int64_t bytes = 0;
	for (size_t i = 0; i < s.n; i++)
		bytes += s.v[i].bytes;
	json_object *o = json_object_new_object();
	char iso[32], full[3 * (LH_NAME_MAX + 1) + 3];
	snprintf(full, sizeof(full), "%s.%s.%s", t.catalog, t.schema, t.name);
	const char *fmt = lh_col_text(st, 5);
	clxs_json_set_str(o, "format", fmt && strcasecmp(fmt, "DELTA") ? fmt : "delta");
	clxs_json_set_str(o, "id", lh_col_text(st, 0));
	clxs_json_set_str(o, "name", full);
	if (lh_col_text(st, 1))
		clxs_json_set_str(o, "description", lh_col_text(st, 1));
	else
		json_object_object_add(o, "description", NULL);
	clxs_json_set_str(o, "location", lh_col_text(st, 2));
	clxs_iso8601(t.created_at, iso);
	clxs_json_set_str(o, "createdAt", iso);
	clxs_iso8601(last, iso);
	clxs_json_set_str(o, "lastModified", iso);
	json_object_object_add(o, "partitionColumns",
			       lh_json_or_empty(lh_col_text(st, 3), json_type_array));
	json_object_object_add(o, "clusteringColumns", json_object_new_array());
	clxs_json_set_int(o, "numFiles", (int64_t)s.n);
	clxs_json_set_int(o, "sizeInBytes", bytes);
	json_object_object_add(o, "properties", lh_json_or_empty(lh_col_text(st, 4), json_type_object));
	clxs_json_set_int(o, "minReaderVersion", 1);
	/* CHECK constraints are a writer feature of protocol version 3. */
	clxs_json_set_int(o, "minWriterVersion", nchecks ? 3 : 2);
	json_object *feat = json_object_new_array();
	json_object_array_add(feat, json_object_new_string("appendOnly"));
	json_object_array_add(feat, json_object_new_string("invariants"));
	if (nchecks)
		json_object_array_add(feat, json_object_new_string("checkConstraints"));
	json_object_object_add(o, "tableFeatures", feat);
	json_object_object_add(o, "statistics", json_object_new_object());
	clxs_json_set_str(o, "tableType", t.table_type);
	*out = o;
out:
	sqlite3_finalize(st);
	lh_segs_free(&s);
	return lh_end(lh, rc, err);
}
