/* Table maintenance: RESTORE, VACUUM and OPTIMIZE [ZORDER BY]. */
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/util.h"

#define LH_DEFAULT_RETENTION_HOURS 168.0

static bool seg_in(const lh_segs *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].id == id)
			return true;
	return false;
}

/* ---- RESTORE ------------------------------------------------------------------------------ */

static clxs_code restore_txn(clxs_lh *lh, const clxs_lh_name *n, const clxs_lh_at *at,
			     json_object **metrics_out, clxs_error *err)
{
	lh_tbl t;
	lh_cols vc = {0}, cc = {0};
	lh_segs want = {0}, cur = {0};
	int64_t v, nv;
	clxs_code rc;
	json_object *params = NULL, *metrics = NULL;
	if ((rc = lh_tbl_resolve_table(lh, n, "RESTORE", &t, err)))
		return rc;
	if ((rc = lh_resolve_at(lh, &t, at, &v, err))) {
		if (err && !strcmp(err->detail, "DELTA_VERSION_NOT_FOUND")) {
			int64_t latest = -1;
			lh_latest_version(lh, t.id, &latest, NULL);
			rc = lh_fail(err, CLXS_EVALIDATION, "DELTA_CANNOT_RESTORE_TABLE_VERSION",
				     "Cannot restore table to version %lld. Available versions: [0, %lld].",
				     (long long)at->version, (long long)latest);
		}
		return rc;
	}
	if ((rc = lh_latest_version(lh, t.id, &nv, err)) ||
	    (rc = lh_version_cols(lh, t.id, v, &vc, err)) || (rc = lh_cols_load(lh, t.id, &cc, err)) ||
	    (rc = lh_live_segments(lh, t.id, v, &want, err)) ||
	    (rc = lh_live_segments(lh, t.id, -1, &cur, err)))
		goto out;
	nv++;
	for (size_t i = 0; i < want.n; i++)
		if (want.v[i].vacuumed) {
			char *unused = NULL;
			rc = lh_snapshot_build(lh, &t, &want, &vc, &unused, err);
			free(unused);
			goto out;
		}
	int64_t restored = 0, restored_bytes = 0, removed = 0, removed_bytes = 0, size_after = 0;
	for (size_t i = 0; i < cur.n && !rc; i++)
		if (!seg_in(&want, cur.v[i].id)) {
			removed++;
			removed_bytes += cur.v[i].bytes;
			rc = lh_ts_remove(lh, t.id, cur.v[i].id, nv, err);
		}
	for (size_t i = 0; i < want.n && !rc; i++) {
		size_after += want.v[i].bytes;
		if (!seg_in(&cur, want.v[i].id)) {
			restored++;
			restored_bytes += want.v[i].bytes;
			rc = lh_ts_add(lh, t.id, want.v[i].id, nv, err);
		}
	}
	/* Restoring across a schema change brings the old columns back; new
	 * writes then go to a fresh physical table with those columns. */
	if (!rc && !lh_cols_same(&vc, &cc)) {
		rc = lh_cols_store(lh, t.id, &vc, err);
		if (!rc)
			rc = lh_run(lh, err, "UPDATE lh_tables SET data_id=NULL WHERE id=?", "i", t.id);
	}
	if (rc)
		goto out;
	params = json_object_new_object();
	metrics = json_object_new_object();
	if (at && at->kind == CLXS_LH_AT_TIMESTAMP) {
		char iso[32];
		clxs_iso8601(at->timestamp_ms, iso);
		lh_mset_str(params, "timestamp", iso);
		lh_mset_str(params, "version", NULL);
	} else {
		lh_mset_int(params, "version", v);
		lh_mset_str(params, "timestamp", NULL);
	}
	lh_mset_int(metrics, "numRestoredFiles", restored);
	lh_mset_int(metrics, "restoredFilesSize", restored_bytes);
	lh_mset_int(metrics, "numRemovedFiles", removed);
	lh_mset_int(metrics, "removedFilesSize", removed_bytes);
	lh_mset_int(metrics, "tableSizeAfterRestore", size_after);
	lh_mset_int(metrics, "numOfFilesAfterRestore", (int64_t)want.n);
	if (!(rc = lh_commit_version(lh, t.id, nv, "RESTORE", params, metrics, &vc, err)) &&
	    metrics_out)
		*metrics_out = json_object_get(metrics);
out:
	json_object_put(params);
	json_object_put(metrics);
	lh_cols_free(&vc);
	lh_cols_free(&cc);
	lh_segs_free(&want);
	lh_segs_free(&cur);
	return rc;
}

clxs_code clxs_lh_restore(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_at *at,
			  json_object **metrics_out, clxs_error *err)
{
	if (metrics_out)
		*metrics_out = NULL;
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	rc = lh_end(lh, restore_txn(lh, t, at, metrics_out, err), err);
	if (rc && metrics_out) {
		json_object_put(*metrics_out);
		*metrics_out = NULL;
	}
	return rc;
}

/* ---- VACUUM --------------------------------------------------------------------------------- */

static clxs_code vacuum_txn(clxs_lh *lh, const clxs_lh_name *n, double hours, bool dry_run,
			    json_object **out, clxs_error *err)
{
	lh_tbl t;
	lh_cols c = {0};
	lh_segs del = {0};
	sqlite3_stmt *st = NULL;
	clxs_code rc;
	if ((rc = lh_tbl_resolve_table(lh, n, "VACUUM", &t, err)))
		return rc;
	/* The table's delta.deletedFileRetentionDuration ('interval N hours' or
	 * 'interval N days') is both VACUUM's default and the floor of the
	 * safety check, as in Delta; without it, 168 hours. */
	int64_t prop_hours = -1;
	if ((rc = lh_int(lh, err, &prop_hours, NULL,
			 "SELECT coalesce((SELECT CASE"
			 " WHEN lower(v) LIKE 'interval % day%' THEN CAST(substr(v, 10) AS INTEGER) * 24"
			 " WHEN lower(v) LIKE 'interval % hour%' THEN CAST(substr(v, 10) AS INTEGER)"
			 " ELSE -1 END FROM (SELECT json_extract(properties,"
			 " '$.\"delta.deletedFileRetentionDuration\"') AS v FROM lh_tables WHERE id=?)"
			 " WHERE v IS NOT NULL), -1)", "i", t.id)))
		return rc;
	double floor_hours = prop_hours >= 0 ? (double)prop_hours : LH_DEFAULT_RETENTION_HOURS;
	if (hours < 0)
		hours = floor_hours;
	if (lh->retention_check && hours < floor_hours)
		return lh_fail(err, CLXS_EVALIDATION, "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT",
			       "Are you sure you would like to vacuum files with such a low retention"
			       " period? If you have writers that are currently writing to this table,"
			       " there is a risk that you may corrupt the state of your Delta table. If you"
			       " are certain that there are no operations being performed on this table,"
			       " then you may turn off this check by setting:"
			       " spark.databricks.delta.retentionDurationCheck.enabled = false. If you are"
			       " not sure, please use a value not less than \"%.0f hours\".",
			       floor_hours);
	/* Commit timestamps are kept strictly increasing, so a burst of
	 * commits can run a few ms ahead of the wall clock: measure the
	 * retention from whichever is later. */
	int64_t now = clxs_now_ms(), last = 0;
	if ((rc = lh_int(lh, err, &last, NULL,
			 "SELECT coalesce(max(ts_ms), 0) FROM lh_versions WHERE table_id=?", "i", t.id)))
		return rc;
	int64_t cutoff = (last > now ? last : now) - (int64_t)(hours * 3600.0 * 1000.0);
	/* Deletable: data this table owns that is not in its current version
	 * and was removed before the cutoff. Shallow clones of this table are
	 * not consulted, exactly as Delta's VACUUM does not consult them. */
	if ((rc = lh_stmt(lh, err, &st,
			  "SELECT s.id, s.physical_id, s.lo, s.hi, s.num_rows, s.size_bytes"
			  " FROM lh_segments s JOIN lh_physical p ON p.id=s.physical_id"
			  " WHERE p.owner_table_id=?1 AND s.vacuumed_at IS NULL"
			  " AND NOT EXISTS (SELECT 1 FROM lh_table_segments ts WHERE ts.table_id=?1"
			  "  AND ts.segment_id=s.id AND ts.removed_version IS NULL)"
			  " AND coalesce((SELECT max(v.ts_ms) FROM lh_table_segments ts JOIN lh_versions v"
			  "  ON v.table_id=ts.table_id AND v.version=ts.removed_version"
			  "  WHERE ts.table_id=?1 AND ts.segment_id=s.id), s.created_at) <= ?2"
			  " ORDER BY s.id", "ii", t.id, cutoff)))
		return rc;
	int r;
	while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
		lh_seg g = {.id = sqlite3_column_int64(st, 0), .physical_id = sqlite3_column_int64(st, 1),
			    .lo = sqlite3_column_int64(st, 2), .hi = sqlite3_column_int64(st, 3),
			    .rows = sqlite3_column_int64(st, 4), .bytes = sqlite3_column_int64(st, 5)};
		rc = lh_segs_push(&del, &g, err);
	}
	if (!rc && r != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, "vacuum");
	sqlite3_finalize(st);
	if (rc)
		goto out;
	int64_t bytes = 0;
	json_object *files = json_object_new_array();
	for (size_t i = 0; i < del.n; i++) {
		char name[40];
		snprintf(name, sizeof(name), "segment-%lld", (long long)del.v[i].id);
		json_object_array_add(files, json_object_new_string(name));
		bytes += del.v[i].bytes;
	}
	json_object *res = json_object_new_object();
	json_object_object_add(res, "files", files);
	clxs_json_set_int(res, "numDeletedFiles", (int64_t)del.n);
	clxs_json_set_int(res, "sizeOfDataToDelete", bytes);
	clxs_json_set_bool(res, "dryRun", dry_run);
	if (dry_run) {
		*out = res;
		goto out;
	}
	for (size_t i = 0; i < del.n && !rc; i++) {
		char q[128];
		snprintf(q, sizeof(q), "DELETE FROM \"d_%lld\" WHERE \"" LH_RID "\" BETWEEN ? AND ?",
			 (long long)del.v[i].physical_id);
		if (!(rc = lh_run(lh, err, q, "ii", del.v[i].lo, del.v[i].hi)))
			rc = lh_run(lh, err, "UPDATE lh_segments SET vacuumed_at=? WHERE id=?", "ii", now,
				    del.v[i].id);
	}
	/* Delta logs VACUUM START and VACUUM END as two commits. */
	int64_t v = -1;
	if (!rc && !(rc = lh_cols_load(lh, t.id, &c, err)) &&
	    !(rc = lh_latest_version(lh, t.id, &v, err))) {
		json_object *p = json_object_new_object(), *m = json_object_new_object();
		lh_mset_str(p, "retentionCheckEnabled", lh->retention_check ? "true" : "false");
		lh_mset_int(p, "defaultRetentionMillis", (int64_t)(LH_DEFAULT_RETENTION_HOURS * 3600000));
		lh_mset_int(p, "specifiedRetentionMillis", (int64_t)(hours * 3600000.0));
		lh_mset_int(m, "numFilesToDelete", (int64_t)del.n);
		lh_mset_int(m, "sizeOfDataToDelete", bytes);
		rc = lh_commit_version(lh, t.id, ++v, "VACUUM START", p, m, &c, err);
		json_object_put(p);
		json_object_put(m);
	}
	if (!rc) {
		json_object *p = json_object_new_object(), *m = json_object_new_object();
		lh_mset_str(p, "status", "COMPLETED");
		lh_mset_int(m, "numDeletedFiles", (int64_t)del.n);
		lh_mset_int(m, "numVacuumedDirectories", 1);
		rc = lh_commit_version(lh, t.id, ++v, "VACUUM END", p, m, &c, err);
		json_object_put(p);
		json_object_put(m);
	}
	if (rc)
		json_object_put(res);
	else
		*out = res;
out:
	lh_cols_free(&c);
	lh_segs_free(&del);
	return rc;
}

clxs_code clxs_lh_vacuum(clxs_lh *lh, const clxs_lh_name *t, double retain_hours, bool dry_run,
			 json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, !dry_run, err);
	if (rc)
		return rc;
	rc = lh_end(lh, vacuum_txn(lh, t, retain_hours, dry_run, out, err), err);
	if (rc) {
		json_object_put(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- OPTIMIZE --------------------------------------------------------------------------------- */

static clxs_code optimize_txn(clxs_lh *lh, const clxs_lh_name *n, const char *const *zcols,
			      size_t nz, json_object **metrics_out, clxs_error *err)
{
	lh_tbl t;
	lh_cols c = {0};
	lh_segs s = {0};
	char *snap = NULL;
	clxs_code rc;
	json_object *params = NULL, *metrics = NULL;
	if ((rc = lh_tbl_resolve_table(lh, n, "OPTIMIZE", &t, err)))
		return rc;
	if ((rc = lh_cols_load(lh, t.id, &c, err)) || (rc = lh_live_segments(lh, t.id, -1, &s, err)))
		goto out;
	for (size_t i = 0; i < nz && !rc; i++) {
		bool ok = false;
		for (size_t k = 0; k < c.n && zcols[i]; k++)
			ok = ok || !strcasecmp(zcols[i], c.v[k].name);
		if (!ok)
			rc = lh_fail(err, CLXS_EINVAL, "DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST",
				     "Z-Ordering column %s does not exist in data schema.",
				     zcols[i] ? zcols[i] : "(null)");
	}
	if (rc)
		goto out;
	int64_t rows = 0, removed_bytes = 0;
	for (size_t i = 0; i < s.n; i++) {
		rows += s.v[i].rows;
		removed_bytes += s.v[i].bytes;
	}
	params = json_object_new_object();
	metrics = json_object_new_object();
	json_object *z = json_object_new_array();
	for (size_t i = 0; i < nz; i++)
		json_object_array_add(z, json_object_new_string(zcols[i]));
	lh_mset_str(params, "predicate", "[]");
	lh_mset_str(params, "zOrderBy", json_object_to_json_string_ext(z, JSON_C_TO_STRING_PLAIN));
	json_object_put(z);
	/* Nothing to compact: Delta reports zero work and commits nothing. */
	bool work = s.n >= 2 || (nz > 0 && s.n == 1);
	lh_seg g = {0};
	if (work) {
		if ((rc = lh_snapshot_build(lh, &t, &s, &c, &snap, err)) ||
		    (rc = lh_physical_ensure(lh, &t, &c, err)))
			goto out;
		lh_sb b = {0};
		lh_sb_addf(&b, "SELECT * FROM %s", snap);
		for (size_t i = 0; i < nz; i++) {
			lh_sb_add(&b, i ? "," : " ORDER BY ");
			lh_sb_ident(&b, zcols[i]);
		}
		char *q = lh_sb_take(&b, err);
		if (!q) {
			rc = CLXS_ENOMEM;
			goto out;
		}
		int64_t nv;
		rc = lh_latest_version(lh, t.id, &nv, err);
		nv++;
		if (!rc)
			rc = lh_segment_append(lh, t.data_id, &c, q, 0, &g, err);
		free(q);
		if (!rc && g.rows != rows)
			rc = lh_fail(err, CLXS_EINTERNAL, "INTERNAL_ERROR",
				     "OPTIMIZE rewrote %lld of %lld rows", (long long)g.rows, (long long)rows);
		for (size_t i = 0; i < s.n && !rc; i++)
			rc = lh_ts_remove(lh, t.id, s.v[i].id, nv, err);
		if (!rc && g.id)
			rc = lh_ts_add(lh, t.id, g.id, nv, err);
		if (rc)
			goto out;
		lh_mset_int(metrics, "numRemovedFiles", (int64_t)s.n);
		lh_mset_int(metrics, "numAddedFiles", g.id ? 1 : 0);
		lh_mset_int(metrics, "numRemovedBytes", removed_bytes);
		lh_mset_int(metrics, "numAddedBytes", g.bytes);
		lh_mset_int(metrics, "minFileSize", g.bytes);
		lh_mset_int(metrics, "maxFileSize", g.bytes);
		rc = lh_commit_version(lh, t.id, nv, "OPTIMIZE", params, metrics, &c, err);
		if (rc)
			goto out;
	} else {
		lh_mset_int(metrics, "numRemovedFiles", 0);
		lh_mset_int(metrics, "numAddedFiles", 0);
		lh_mset_int(metrics, "numRemovedBytes", 0);
		lh_mset_int(metrics, "numAddedBytes", 0);
	}
	if (metrics_out) {
		json_object *m = json_object_new_object();
		json_object_object_foreach(metrics, k, val)
			json_object_object_add(m, k, json_object_get(val));
		lh_mset_int(m, "numFilesAdded", work && g.id ? 1 : 0);
		lh_mset_int(m, "numFilesRemoved", work ? (int64_t)s.n : 0);
		lh_mset_int(m, "totalConsideredFiles", (int64_t)s.n);
		lh_mset_int(m, "totalFilesSkipped", work ? 0 : (int64_t)s.n);
		*metrics_out = m;
	}
out:
	json_object_put(params);
	json_object_put(metrics);
	free(snap);
	lh_cols_free(&c);
	lh_segs_free(&s);
	return rc;
}

clxs_code clxs_lh_optimize(clxs_lh *lh, const clxs_lh_name *t, const char *const *zorder_cols,
			   size_t nzorder, json_object **metrics_out, clxs_error *err)
{
	if (metrics_out)
		*metrics_out = NULL;
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	rc = lh_end(lh, optimize_txn(lh, t, zorder_cols, nzorder, metrics_out, err), err);
	if (rc && metrics_out) {
		json_object_put(*metrics_out);
		*metrics_out = NULL;
	}
	return rc;
}
