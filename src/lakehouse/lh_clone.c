/* DEEP and SHALLOW CLONE. A deep clone copies the source's live segments
 * into its own physical table and remembers, per target segment, which
 * source segment it came from, so re-running it copies only what changed.
 * A shallow clone's first version just lists the source's segments. */
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>

#include "clxs/util.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool in_sorted(const int64_t *v, size_t n, int64_t x)
{
	return n && bsearch(&x, v, n, sizeof(*v), cmp_i64) != NULL;
}

/* Whether two physical tables were declared identically, which lets
 * SQLite's transfer optimisation copy whole b-tree records. */
static bool same_layout(clxs_lh *lh, int64_t a, int64_t b)
{
	char na[32], nb[32];
	snprintf(na, sizeof(na), "d_%lld", (long long)a);
	snprintf(nb, sizeof(nb), "d_%lld", (long long)b);
	sqlite3_stmt *st;
	bool same = false;
	if (lh_stmt(lh, NULL, &st,
		    "SELECT substr(x.sql, instr(x.sql, '(')), substr(y.sql, instr(y.sql, '('))"
		    " FROM sqlite_master x, sqlite_master y WHERE x.name=? AND y.name=?", "tt", na, nb))
		return false;
	if (sqlite3_step(st) == SQLITE_ROW && lh_col_text(st, 0) && lh_col_text(st, 1))
		same = strcmp(lh_col_text(st, 0), lh_col_text(st, 1)) == 0;
	sqlite3_finalize(st);
	return same;
}

/* Copy source segments v[i..j) (adjacent rowid ranges of one physical
 * table) into the target's physical table with one INSERT ... SELECT, then
 * record one target segment per source segment. */
static clxs_code copy_run(clxs_lh *lh, const lh_tbl *tgt, int64_t version, const lh_cols *c,
			  const lh_seg *v, size_t i, size_t j, clxs_error *err)
{
	int64_t src = v[i].physical_id, a = v[i].lo, b = v[j - 1].hi, lo = 0, n = 0;
	int64_t smin = 0, smax = 0;
	clxs_code rc;
	char q[256];
	/* Two queries: SQLite answers a lone min() or max() on the rowid from
	 * the b-tree edge, but scans the table for both at once. */
	snprintf(q, sizeof(q), "SELECT min(\"" LH_RID "\") FROM \"d_%lld\"", (long long)src);
	if ((rc = lh_int(lh, err, &smin, NULL, q, NULL)))
		return rc;
	snprintf(q, sizeof(q), "SELECT max(\"" LH_RID "\") FROM \"d_%lld\"", (long long)src);
	if ((rc = lh_int(lh, err, &smax, NULL, q, NULL)))
		return rc;
	lh_sb sb = {0};
	if (smin == a && smax == b && same_layout(lh, src, tgt->data_id)) {
		/* Fast path: the run is the whole source table, so a plain
		 * INSERT ... SELECT * lets SQLite copy the records without
		 * decoding them (its transfer optimisation); rows keep their
		 * order and get the next rowids of the target. */
		lh_sb_addf(&sb, " SELECT * FROM \"d_%lld\"", (long long)src);
	} else {
		lh_sb_add(&sb, "(");
		lh_sb_collist(&sb, c, NULL);
		lh_sb_add(&sb, ") SELECT ");
		lh_sb_collist(&sb, c, NULL);
		lh_sb_addf(&sb, " FROM \"d_%lld\" WHERE \"" LH_RID "\" BETWEEN %lld AND %lld ORDER BY \""
			   LH_RID "\"", (long long)src, (long long)a, (long long)b);
	}
	char *tail = lh_sb_take(&sb, err);
	if (!tail)
		return CLXS_ENOMEM;
	rc = lh_insert_rows(lh, tgt->data_id, tail, &lo, &n, err);
	free(tail);
	if (rc)
		return rc;
	if (n != b - a + 1)
		return lh_fail(err, CLXS_EINTERNAL, "INTERNAL_ERROR",
			       "source rows %lld..%lld are incomplete (%lld copied)", (long long)a,
			       (long long)b, (long long)n);
	for (size_t k = i; k < j && !rc; k++) {
		lh_seg g;
		int64_t glo = lo + (v[k].lo - a);
		rc = lh_segment_record(lh, tgt->data_id, glo, glo + v[k].rows - 1, v[k].bytes, v[k].id,
				       &g, err);
		if (!rc)
			rc = lh_ts_add(lh, tgt->id, g.id, version, err);
	}
	return rc;
}

static clxs_code copy_metadata(clxs_lh *lh, const lh_tbl *src, const lh_tbl *tgt,
			       const clxs_lh_clone_spec *spec, clxs_error *err)
{
	sqlite3_stmt *st;
	char *props = NULL;
	clxs_code rc = lh_stmt(lh, err, &st,
			       "SELECT properties, comment, partition_columns FROM lh_tables WHERE id=?",
			       "i", src->id);
	if (rc)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return lh_sqlfail(lh, err, "clone source");
	}
	clxs_lh_update upd = {.set_properties = spec->properties};
	rc = lh_props_apply(lh_col_text(st, 0), &upd, &props, err);
	if (!rc)
		rc = lh_run(lh, err,
			    "UPDATE lh_tables SET properties=?, comment=?, partition_columns=? WHERE id=?",
			    "ttti", props, spec->comment ? spec->comment : lh_col_text(st, 1),
			    lh_col_text(st, 2), tgt->id);
	sqlite3_finalize(st);
	free(props);
	if (!rc)
		rc = lh_run(lh, err, "DELETE FROM lh_constraints WHERE table_id=?", "i", tgt->id);
	if (!rc)
		rc = lh_run(lh, err,
			    "INSERT INTO lh_constraints(table_id, name, kind, expression, sqlite_expression,"
			    " columns, ref_catalog, ref_schema, ref_table, ref_columns)"
			    " SELECT ?, name, kind, expression, sqlite_expression, columns, ref_catalog,"
			    " ref_schema, ref_table, ref_columns FROM lh_constraints WHERE table_id=?",
			    "ii", tgt->id, src->id);
	return rc;
}

static clxs_code clone_txn(clxs_lh *lh, const clxs_lh_clone_spec *spec, json_object **metrics_out,
			   clxs_error *err)
{
	lh_tbl src, tgt;
	lh_cols c = {0}, tc = {0};
	lh_segs ss = {0}, ts = {0};
	int64_t *src_ids = NULL, *kept_from = NULL;
	size_t nkept = 0;
	int64_t sv, nv;
	bool found, existed;
	clxs_code rc;
	json_object *params = NULL, *metrics = NULL;

	if ((rc = lh_tbl_resolve(lh, &spec->source, &src, NULL, err)))
		return rc;
	if (src.is_view)
		return lh_fail(err, CLXS_EVALIDATION, "DELTA_CLONE_UNSUPPORTED_SOURCE",
			       "Unsupported clone source %s: it is a view, not a Delta table.", src.full);
	if ((rc = lh_resolve_at(lh, &src, &spec->at, &sv, err)) ||
	    (rc = lh_version_cols(lh, src.id, sv, &c, err)) ||
	    (rc = lh_live_segments(lh, src.id, sv, &ss, err)) ||
	    (rc = lh_tbl_resolve(lh, &spec->target, &tgt, &found, err)))
		goto out;
	for (size_t i = 0; i < ss.n; i++)
		if (ss.v[i].vacuumed) {
			char *unused = NULL;
			rc = lh_snapshot_build(lh, &src, &ss, &c, &unused, err);
			free(unused);
			goto out;
		}
	if (found && tgt.id == src.id) {
		rc = lh_fail(err, CLXS_EVALIDATION, "DELTA_CLONE_SAME_TABLE",
			     "Cannot clone %s onto itself.", src.full);
		goto out;
	}
	if (found && !spec->or_replace) {
		if (!spec->if_not_exists)
			rc = lh_fail(err, CLXS_ECONFLICT, "TABLE_OR_VIEW_ALREADY_EXISTS",
				     "Cannot create table or view %s because it already exists.", tgt.full);
		goto out;
	}
	/* An incremental deep clone: the target is a deep clone of this
	 * source with the same columns, so its copied segments stay. */
	bool keep = false;
	if (found && !spec->shallow && !tgt.is_view && !strcmp(tgt.table_type, "MANAGED")) {
		int64_t from = 0;
		bool has;
		if ((rc = lh_int(lh, err, &from, &has,
				 "SELECT coalesce(clone_source_id, 0) FROM lh_tables WHERE id=?", "i",
				 tgt.id)) ||
		    (rc = lh_cols_load(lh, tgt.id, &tc, err)))
			goto out;
		keep = from == src.id && lh_cols_same(&c, &tc) && tgt.data_id;
	}
	if (found && !tgt.is_view && (rc = lh_live_segments(lh, tgt.id, -1, &ts, err)))
		goto out;

	clxs_lh_column *cols = calloc(c.n, sizeof(*cols));
	if (!cols) {
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c.n; i++)
		cols[i] = (clxs_lh_column){c.v[i].name, c.v[i].type_text, c.v[i].nullable,
					   c.v[i].comment};
	clxs_lh_table_spec ts_spec = {
		.name = spec->target,
		.table_type = spec->shallow ? "MANAGED_SHALLOW_CLONE" : "MANAGED",
		.columns = cols,
		.ncolumns = c.n,
		.or_replace = true,
	};
	lh_create_opts o = {
		.keep_segments = keep,
		.allow_clone_type = true,
		.clone_source_id = src.id,
		.clone_source_name = src.full,
		.clone_source_version = sv,
	};
	rc = lh_tbl_create_txn(lh, &ts_spec, &o, &tgt, &existed, &nv, err);
	free(cols);
	if (rc || (rc = copy_metadata(lh, &src, &tgt, spec, err)))
		goto out;

	int64_t src_bytes = 0, copied = 0, copied_bytes = 0, removed = 0, removed_bytes = 0;
	src_ids = malloc((ss.n + 1) * sizeof(*src_ids));
	kept_from = malloc((ts.n + 1) * sizeof(*kept_from));
	if (!src_ids || !kept_from) {
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ss.n; i++) {
		src_ids[i] = ss.v[i].id;
		src_bytes += ss.v[i].bytes;
	}
	qsort(src_ids, ss.n, sizeof(*src_ids), cmp_i64);
	/* Target segments: kept when copied from a still-live source segment,
	 * removed otherwise (a non-incremental replace already removed all). */
	for (size_t i = 0; i < ts.n && !rc; i++) {
		if (keep && ts.v[i].copied_from && in_sorted(src_ids, ss.n, ts.v[i].copied_from)) {
			kept_from[nkept++] = ts.v[i].copied_from;
			continue;
		}
		removed++;
		removed_bytes += ts.v[i].bytes;
		if (keep)
			rc = lh_ts_remove(lh, tgt.id, ts.v[i].id, nv, err);
	}
	qsort(kept_from, nkept, sizeof(*kept_from), cmp_i64);
	if (spec->shallow) {
		for (size_t i = 0; i < ss.n && !rc; i++)
			rc = lh_ts_add(lh, tgt.id, ss.v[i].id, nv, err);
	} else {
		/* Copy the missing source segments, one INSERT per run of
		 * adjacent ranges. */
		for (size_t i = 0; i < ss.n && !rc;) {
			if (in_sorted(kept_from, nkept, ss.v[i].id)) {
				i++;
				continue;
			}
			size_t j = i + 1;
			while (j < ss.n && ss.v[j].physical_id == ss.v[i].physical_id &&
			       ss.v[j].lo == ss.v[j - 1].hi + 1 && !in_sorted(kept_from, nkept, ss.v[j].id))
				j++;
			for (size_t k = i; k < j; k++) {
				copied++;
				copied_bytes += ss.v[k].bytes;
			}
			rc = copy_run(lh, &tgt, nv, &c, ss.v, i, j, err);
			i = j;
		}
	}
	if (rc)
		goto out;
	params = json_object_new_object();
	metrics = json_object_new_object();
	char srcname[3 * (LH_NAME_MAX + 1) + 3];
	snprintf(srcname, sizeof(srcname), "%s.%s.%s", src.catalog, src.schema, src.name);
	lh_mset_str(params, "source", srcname);
	lh_mset_int(params, "sourceVersion", sv);
	lh_mset_str(params, "isShallow", spec->shallow ? "true" : "false");
	lh_mset_int(metrics, "sourceTableSize", src_bytes);
	lh_mset_int(metrics, "sourceNumOfFiles", (int64_t)ss.n);
	lh_mset_int(metrics, "numCopiedFiles", copied);
	lh_mset_int(metrics, "copiedFilesSize", copied_bytes);
	lh_mset_int(metrics, "numRemovedFiles", removed);
	lh_mset_int(metrics, "removedFilesSize", removed_bytes);
	if ((rc = lh_commit_version(lh, tgt.id, nv, "CLONE", params, metrics, &c, err)))
		goto out;
	if (metrics_out)
		*metrics_out = json_object_get(metrics);
out:
	json_object_put(params);
	json_object_put(metrics);
	free(src_ids);
	free(kept_from);
	lh_cols_free(&c);
	lh_cols_free(&tc);
	lh_segs_free(&ss);
	lh_segs_free(&ts);
	return rc;
}

clxs_code clxs_lh_clone(clxs_lh *lh, const clxs_lh_clone_spec *spec, json_object **metrics_out,
			clxs_error *err)
{
	if (metrics_out)
		*metrics_out = NULL;
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	rc = clone_txn(lh, spec, metrics_out, err);
	rc = lh_end(lh, rc, err);
	if (rc && metrics_out) {
		json_object_put(*metrics_out);
		*metrics_out = NULL;
	}
	return rc;
}
