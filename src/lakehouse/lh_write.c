/* Write batches: append, delete, update and truncate steps committed as one
 * Delta version in one transaction, with Databricks' operation metrics.
 * DELETE and UPDATE rewrite only the segments holding matching rows. */
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/util.h"

struct clxs_lh_write {
	clxs_lh *lh;
	lh_tbl t;
	lh_cols c;
	int64_t version;   /* the version the commit will write */
	int steps;         /* steps that changed the table (or appended) */
	int64_t t0;
	bool overwrite;
	int64_t out_rows, inserted_rows, deleted_rows, updated_rows, copied_rows;
	int64_t added_files, removed_files, added_bytes, removed_bytes;
};

clxs_code clxs_lh_write_begin(clxs_lh *lh, const clxs_lh_name *n, clxs_lh_write **out,
			      clxs_error *err)
{
	*out = NULL;
	if (lh->batch)
		return lh_fail(err, CLXS_ECONFLICT, "INTERNAL_ERROR",
			       "a write batch is already open on this handle");
	clxs_lh_write *w = calloc(1, sizeof(*w));
	if (!w)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	w->lh = lh;
	w->t0 = clxs_mono_ms();
	clxs_code rc = lh_begin(lh, true, err);
	if (rc) {
		free(w);
		return rc;
	}
	if (!(rc = lh_tbl_resolve(lh, n, &w->t, NULL, err))) {
		if (w->t.is_view)
			rc = lh_fail(err, CLXS_EVALIDATION, "EXPECT_TABLE_NOT_VIEW",
				     "%s is a view; it cannot be written to.", w->t.full);
	}
	if (!rc)
		rc = lh_cols_load(lh, w->t.id, &w->c, err);
	if (!rc && !(rc = lh_latest_version(lh, w->t.id, &w->version, err)))
		w->version++;
	if (rc) {
		lh_cols_free(&w->c);
		free(w);
		return lh_end(lh, rc, err);
	}
	lh->batch = w;
	*out = w;
	return CLXS_OK;
}

/* Each step runs in a savepoint: a failed step leaves the batch as it was. */
static clxs_code step_begin(clxs_lh_write *w, int64_t *saved_data_id, clxs_error *err)
{
	*saved_data_id = w->t.data_id;
	return lh_begin(w->lh, true, err);
}

static clxs_code step_end(clxs_lh_write *w, clxs_code rc, int64_t saved_data_id, clxs_error *err)
{
	rc = lh_end(w->lh, rc, err);
	if (rc)
		w->t.data_id = saved_data_id;
	return rc;
}

clxs_code clxs_lh_write_append(clxs_lh_write *w, const char *select_sql, int64_t *nrows,
			       clxs_error *err)
{
	if (nrows)
		*nrows = 0;
	if (!select_sql || !*select_sql)
		return lh_fail(err, CLXS_EINVAL, "INVALID_SQL", "no rows to append");
	int64_t saved;
	clxs_code rc = step_begin(w, &saved, err);
	if (rc)
		return rc;
	lh_seg g = {0};
	rc = lh_physical_ensure(w->lh, &w->t, &w->c, err);
	if (!rc)
		rc = lh_segment_append(w->lh, w->t.data_id, &w->c, select_sql, 0, &g, err);
	if (!rc && g.id)
		rc = lh_ts_add(w->lh, w->t.id, g.id, w->version, err);
	if (!rc && g.id)
		rc = lh_check_rows(w->lh, &w->t, &w->c, w->t.data_id, g.lo, g.hi, err);
	if ((rc = step_end(w, rc, saved, err)))
		return rc;
	w->steps++;
	if (g.id) {
		w->out_rows += g.rows;
		w->inserted_rows += g.rows;
		w->added_files++;
		w->added_bytes += g.bytes;
	}
	if (nrows)
		*nrows = g.rows;
	return CLXS_OK;
}

static clxs_code count_matches(clxs_lh *lh, const lh_seg *g, const char *where, int64_t *m,
			       clxs_error *err)
{
	if (!where) {
		*m = g->rows;
		return CLXS_OK;
	}
	lh_sb b = {0};
	lh_sb_addf(&b, "SELECT count(*) FROM \"d_%lld\" WHERE \"" LH_RID "\" BETWEEN ? AND ?"
		   " AND ((%s)) IS TRUE", (long long)g->physical_id, where);
	char *q = lh_sb_take(&b, err);
	if (!q)
		return CLXS_ENOMEM;
	clxs_code rc = lh_int(lh, err, m, NULL, q, "ii", g->lo, g->hi);
	free(q);
	return rc;
}

/* Copy the rows of segment g into the table's own physical table through
 * select_list (expressions over g's columns), keeping those `keep` selects
 * (NULL: all), as one new segment that replaces g. */
static clxs_code rewrite_segment(clxs_lh_write *w, const lh_seg *g, const char *select_list,
				 const char *keep, bool check, lh_seg *ng, clxs_error *err)
{
	lh_sb b = {0};
	lh_sb_addf(&b, "SELECT %s FROM \"d_%lld\" WHERE \"" LH_RID "\" BETWEEN %lld AND %lld",
		   select_list, (long long)g->physical_id, (long long)g->lo, (long long)g->hi);
	if (keep)
		lh_sb_addf(&b, " AND ((%s)) IS NOT TRUE", keep);
	lh_sb_add(&b, " ORDER BY \"" LH_RID "\"");
	char *q = lh_sb_take(&b, err);
	if (!q)
		return CLXS_ENOMEM;
	clxs_code rc = lh_physical_ensure(w->lh, &w->t, &w->c, err);
	if (!rc)
		rc = lh_segment_append(w->lh, w->t.data_id, &w->c, q, 0, ng, err);
	free(q);
	if (!rc && ng->id)
		rc = lh_ts_add(w->lh, w->t.id, ng->id, w->version, err);
	if (!rc && ng->id && check)
		rc = lh_check_rows(w->lh, &w->t, &w->c, w->t.data_id, ng->lo, ng->hi, err);
	if (!rc)
		rc = lh_ts_remove(w->lh, w->t.id, g->id, w->version, err);
	return rc;
}

typedef struct {
	int64_t matched, copied, added_files, removed_files, added_bytes, removed_bytes;
} step_metrics;

/* Add a finished DELETE or UPDATE step's metrics to the batch; rows is the
 * batch's counter of the step's kind. A step that touched no segment adds
 * no step. */
static void step_account(clxs_lh_write *w, const step_metrics *m, int64_t *rows, int64_t *nrows)
{
	if (m->removed_files)
		w->steps++;
	*rows += m->matched;
	w->copied_rows += m->copied;
	w->added_files += m->added_files;
	w->removed_files += m->removed_files;
	w->added_bytes += m->added_bytes;
	w->removed_bytes += m->removed_bytes;
	if (nrows)
		*nrows = m->matched;
}

clxs_code clxs_lh_write_delete(clxs_lh_write *w, const char *where_sql, int64_t *nrows,
			       clxs_error *err)
{
	if (nrows)
		*nrows = 0;
	int64_t saved;
	clxs_code rc = step_begin(w, &saved, err);
	if (rc)
		return rc;
	lh_segs s;
	step_metrics m = {0};
	char *list = NULL;
	lh_sb b = {0};
	lh_sb_collist(&b, &w->c, NULL);
	if (!(list = lh_sb_take(&b, err)))
		rc = CLXS_ENOMEM;
	if (!rc && !(rc = lh_live_segments(w->lh, w->t.id, -1, &s, err))) {
		for (size_t i = 0; i < s.n && !rc; i++) {
			const lh_seg *g = &s.v[i];
			int64_t hit = 0;
			if ((rc = count_matches(w->lh, g, where_sql, &hit, err)) || hit == 0)
				continue;
			m.matched += hit;
			m.removed_files++;
			m.removed_bytes += g->bytes;
			if (hit == g->rows) {
				/* Every row goes: drop the segment, copy nothing. */
				rc = lh_ts_remove(w->lh, w->t.id, g->id, w->version, err);
				continue;
			}
			lh_seg ng;
			rc = rewrite_segment(w, g, list, where_sql, false, &ng, err);
			m.copied += ng.rows;
			m.added_files += ng.id ? 1 : 0;
			m.added_bytes += ng.bytes;
		}
		lh_segs_free(&s);
	}
	free(list);
	if ((rc = step_end(w, rc, saved, err)))
		return rc;
	step_account(w, &m, &w->deleted_rows, nrows);
	return CLXS_OK;
}

clxs_code clxs_lh_write_update(clxs_lh_write *w, const char *const *columns,
			       const char *const *exprs, size_t nset, const char *where_sql,
			       int64_t *nrows, clxs_error *err)
{
	if (nrows)
		*nrows = 0;
	if (nset == 0)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE", "UPDATE sets no column");
	/* SET list: each column is its old value or, on matching rows, the new one. */
	lh_sb b = {0};
	for (size_t i = 0; i < w->c.n; i++) {
		const char *e = NULL;
		for (size_t j = 0; j < nset; j++)
			if (columns[j] && strcasecmp(columns[j], w->c.v[i].name) == 0)
				e = exprs[j];
		if (i)
			lh_sb_add(&b, ",");
		if (!e)
			lh_sb_ident(&b, w->c.v[i].name);
		else if (!where_sql)
			lh_sb_addf(&b, "(%s)", e);
		else {
			lh_sb_addf(&b, "CASE WHEN ((%s)) IS TRUE THEN (%s) ELSE ", where_sql, e);
			lh_sb_ident(&b, w->c.v[i].name);
			lh_sb_add(&b, " END");
		}
	}
	for (size_t j = 0; j < nset; j++) {
		bool ok = false;
		for (size_t i = 0; i < w->c.n && columns[j]; i++)
			ok = ok || strcasecmp(columns[j], w->c.v[i].name) == 0;
		if (!ok || !exprs[j]) {
			lh_sb_free(&b);
			return lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
				       "A column with name `%s` cannot be resolved in %s.",
				       columns[j] ? columns[j] : "(null)", w->t.full);
		}
	}
	char *list = lh_sb_take(&b, err);
	if (!list)
		return CLXS_ENOMEM;
	int64_t saved;
	clxs_code rc = step_begin(w, &saved, err);
	if (rc) {
		free(list);
		return rc;
	}
	lh_segs s;
	step_metrics m = {0};
	if (!(rc = lh_live_segments(w->lh, w->t.id, -1, &s, err))) {
		for (size_t i = 0; i < s.n && !rc; i++) {
			const lh_seg *g = &s.v[i];
			int64_t hit = 0;
			if ((rc = count_matches(w->lh, g, where_sql, &hit, err)) || hit == 0)
				continue;
			lh_seg ng;
			rc = rewrite_segment(w, g, list, NULL, true, &ng, err);
			m.matched += hit;
			m.copied += g->rows - hit;
			m.removed_files++;
			m.removed_bytes += g->bytes;
			m.added_files++;
			m.added_bytes += ng.bytes;
		}
		lh_segs_free(&s);
	}
	free(list);
	if ((rc = step_end(w, rc, saved, err)))
		return rc;
	step_account(w, &m, &w->updated_rows, nrows);
	return CLXS_OK;
}

clxs_code clxs_lh_write_truncate(clxs_lh_write *w, clxs_error *err)
{
	int64_t saved;
	clxs_code rc = step_begin(w, &saved, err);
	if (rc)
		return rc;
	lh_segs s;
	int64_t files = 0, bytes = 0;
	if (!(rc = lh_live_segments(w->lh, w->t.id, -1, &s, err))) {
		for (size_t i = 0; i < s.n && !rc; i++) {
			rc = lh_ts_remove(w->lh, w->t.id, s.v[i].id, w->version, err);
			files++;
			bytes += s.v[i].bytes;
		}
		lh_segs_free(&s);
	}
	if ((rc = step_end(w, rc, saved, err)))
		return rc;
	w->steps++;
	w->overwrite = true;
	w->removed_files += files;
	w->removed_bytes += bytes;
	return CLXS_OK;
}

clxs_code clxs_lh_write_snapshot_sql(clxs_lh_write *w, char **sql, clxs_error *err)
{
	lh_segs s;
	clxs_code rc = lh_live_segments(w->lh, w->t.id, -1, &s, err);
	if (!rc)
		rc = lh_snapshot_build(w->lh, &w->t, &s, &w->c, sql, err);
	lh_segs_free(&s);
	return rc;
}

static json_object *batch_metrics(const clxs_lh_write *w, const char *op)
{
	json_object *m = json_object_new_object();
	int64_t ms = clxs_mono_ms() - w->t0;
	if (!strcmp(op, "WRITE") || !strcmp(op, "STREAMING UPDATE")) {
		lh_mset_int(m, "numFiles", w->added_files);
		lh_mset_int(m, "numOutputRows", w->out_rows);
		lh_mset_int(m, "numOutputBytes", w->added_bytes);
	} else if (!strcmp(op, "DELETE")) {
		lh_mset_int(m, "numDeletedRows", w->deleted_rows);
		lh_mset_int(m, "numRemovedFiles", w->removed_files);
		lh_mset_int(m, "numAddedFiles", w->added_files);
		lh_mset_int(m, "numCopiedRows", w->copied_rows);
		lh_mset_int(m, "numRemovedBytes", w->removed_bytes);
		lh_mset_int(m, "numAddedBytes", w->added_bytes);
		lh_mset_int(m, "executionTimeMs", ms);
	} else if (!strcmp(op, "UPDATE")) {
		lh_mset_int(m, "numUpdatedRows", w->updated_rows);
		lh_mset_int(m, "numCopiedRows", w->copied_rows);
		lh_mset_int(m, "numAddedFiles", w->added_files);
		lh_mset_int(m, "numRemovedFiles", w->removed_files);
		lh_mset_int(m, "numAddedBytes", w->added_bytes);
		lh_mset_int(m, "numRemovedBytes", w->removed_bytes);
		lh_mset_int(m, "executionTimeMs", ms);
	} else if (!strcmp(op, "MERGE")) {
		lh_mset_int(m, "numTargetRowsInserted", w->inserted_rows);
		lh_mset_int(m, "numTargetRowsUpdated", w->updated_rows);
		lh_mset_int(m, "numTargetRowsDeleted", w->deleted_rows);
		lh_mset_int(m, "numTargetRowsCopied", w->copied_rows);
		lh_mset_int(m, "numOutputRows", w->inserted_rows + w->updated_rows + w->copied_rows);
		lh_mset_int(m, "numTargetFilesAdded", w->added_files);
		lh_mset_int(m, "numTargetFilesRemoved", w->removed_files);
		lh_mset_int(m, "numTargetBytesAdded", w->added_bytes);
		lh_mset_int(m, "numTargetBytesRemoved", w->removed_bytes);
		lh_mset_int(m, "executionTimeMs", ms);
	} else {
		lh_mset_int(m, "numOutputRows", w->out_rows);
		lh_mset_int(m, "numDeletedRows", w->deleted_rows);
		lh_mset_int(m, "numUpdatedRows", w->updated_rows);
		lh_mset_int(m, "numCopiedRows", w->copied_rows);
		lh_mset_int(m, "numAddedFiles", w->added_files);
		lh_mset_int(m, "numRemovedFiles", w->removed_files);
		lh_mset_int(m, "numAddedBytes", w->added_bytes);
		lh_mset_int(m, "numRemovedBytes", w->removed_bytes);
	}
	return m;
}

static void batch_free(clxs_lh_write *w)
{
	w->lh->batch = NULL;
	lh_cols_free(&w->c);
	free(w);
}

clxs_code clxs_lh_write_commit(clxs_lh_write *w, const char *operation, json_object *params,
			       int64_t *version, clxs_error *err)
{
	clxs_lh *lh = w->lh;
	clxs_code rc = CLXS_OK;
	const char *op = operation && *operation ? operation : "WRITE";
	if (w->steps) {
		json_object *p = params ? json_object_get(params) : json_object_new_object();
		if (!params && !strcmp(op, "WRITE")) {
			lh_mset_str(p, "mode", w->overwrite ? "Overwrite" : "Append");
			lh_mset_str(p, "partitionBy", "[]");
		}
		json_object *m = batch_metrics(w, op);
		rc = lh_commit_version(lh, w->t.id, w->version, op, p, m, &w->c, err);
		json_object_put(p);
		json_object_put(m);
	}
	if (version)
		*version = w->steps ? w->version : w->version - 1;
	batch_free(w);
	return lh_end(lh, rc, err);
}

void clxs_lh_write_abort(clxs_lh_write *w)
{
	if (!w)
		return;
	clxs_lh *lh = w->lh;
	batch_free(w);
	lh_end(lh, CLXS_ECANCELLED, NULL);
}

/* ---- one-step conveniences ------------------------------------------------------------ */

static json_object *predicate_params(const char *where)
{
	json_object *p = json_object_new_object(), *a = json_object_new_array();
	if (where)
		json_object_array_add(a, json_object_new_string(where));
	else
		json_object_array_add(a, json_object_new_string("true"));
	lh_mset_str(p, "predicate", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
	json_object_put(a);
	return p;
}

clxs_code clxs_lh_insert(clxs_lh *lh, const clxs_lh_name *t, const char *select_sql,
			 bool overwrite, int64_t *nrows, clxs_error *err)
{
	clxs_lh_write *w;
	clxs_code rc = clxs_lh_write_begin(lh, t, &w, err);
	if (rc)
		return rc;
	if (overwrite)
		rc = clxs_lh_write_truncate(w, err);
	if (!rc)
		rc = clxs_lh_write_append(w, select_sql, nrows, err);
	if (rc) {
		clxs_lh_write_abort(w);
		return rc;
	}
	return clxs_lh_write_commit(w, "WRITE", NULL, NULL, err);
}

clxs_code clxs_lh_delete(clxs_lh *lh, const clxs_lh_name *t, const char *where_sql,
			 int64_t *nrows, clxs_error *err)
{
	clxs_lh_write *w;
	clxs_code rc = clxs_lh_write_begin(lh, t, &w, err);
	if (rc)
		return rc;
	if ((rc = clxs_lh_write_delete(w, where_sql, nrows, err))) {
		clxs_lh_write_abort(w);
		return rc;
	}
	json_object *p = predicate_params(where_sql);
	rc = clxs_lh_write_commit(w, "DELETE", p, NULL, err);
	json_object_put(p);
	return rc;
}

clxs_code clxs_lh_update_rows(clxs_lh *lh, const clxs_lh_name *t, const char *const *columns,
			      const char *const *exprs, size_t nset, const char *where_sql,
			      int64_t *nrows, clxs_error *err)
{
	clxs_lh_write *w;
	clxs_code rc = clxs_lh_write_begin(lh, t, &w, err);
	if (rc)
		return rc;
	if ((rc = clxs_lh_write_update(w, columns, exprs, nset, where_sql, nrows, err))) {
		clxs_lh_write_abort(w);
		return rc;
	}
	json_object *p = predicate_params(where_sql);
	rc = clxs_lh_write_commit(w, "UPDATE", p, NULL, err);
	json_object_put(p);
	return rc;
}
