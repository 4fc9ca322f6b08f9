/* Query history: one row per executed statement plus the tables and
 * columns it touched, written after the statement by the statements
 * service (svc_statements.c) in a short transaction of its own.
 *
 * Why lexical references: the executor rewrites a statement into SQLite
 * SQL in many places (queries, DML, DDL, clones), so the one place that
 * sees every statement whole is its text. The tokenizer (clxs/sql_token.h)
 * finds the names after FROM/JOIN/USING/CLONE (read) and after
 * INTO/UPDATE/DELETE FROM/CREATE TABLE (write); each is resolved with the
 * statement's default catalog and schema against the metastore, and only
 * names of existing tables and views are kept. A column counts as used by
 * a statement when one of its identifiers names a column of a table the
 * statement references (so `SELECT *` records the table but no column).
 * docs/lakehouse-sql.md states these limits. */
#include "lh_history.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/sql_token.h"
#include "lh_internal.h"

#define MAX_REFS 64

typedef struct {
	char part[3][LH_NAME_MAX + 1];
	int n;
	bool write;
} tref;

static bool is_ident(const clxs_sql_token *t)
{
	return t->kind == CLXS_TOK_IDENT || t->kind == CLXS_TOK_QUOTED_IDENT;
}

static bool kw(const clxs_sql_token *t, const char *word)
{
	return t->kind == CLXS_TOK_IDENT && !strcasecmp(t->value, word);
}

/* Words after a table name that are not an alias. */
static bool clause_word(const clxs_sql_token *t)
{
	static const char *const w[] = {"WHERE", "JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "FULL", "CROSS",
					"ON", "GROUP", "ORDER", "LIMIT", "UNION", "HAVING", "VERSION",
					"TIMESTAMP", "NATURAL", "WINDOW", "LATERAL", "EXCEPT", "INTERSECT",
					"SET", "USING", "SELECT", "VALUES", "WHEN", "TABLESAMPLE", "CLUSTER",
					"DISTRIBUTE", "SORT", "QUALIFY", "PIVOT", "UNPIVOT", "ANTI", "SEMI",
					"MINUS", "OFFSET", "FOR", "AS", "PARTITION", "SHALLOW", "DEEP", "CLONE",
					"LOCATION", "TBLPROPERTIES", "COMMENT", "OPTIONS", "REPLACE", NULL};
	if (t->kind != CLXS_TOK_IDENT)
		return false;
	for (size_t i = 0; w[i]; i++)
		if (!strcasecmp(t->value, w[i]))
			return true;
	return false;
}

typedef struct {
	tref refs[MAX_REFS];
	size_t nrefs;
	bool *name_tok; /* non-trivia tokens that are part of a table name */
} scan;

static void add_ref(scan *s, const tref *r)
{
	for (size_t k = 0; k < s->nrefs; k++) {
		const tref *o = &s->refs[k];
		bool same = o->n == r->n && o->write == r->write;
		for (int p = 0; same && p < r->n; p++)
			same = !strcmp(o->part[p], r->part[p]);
		if (same)
			return;
	}
	if (s->nrefs < MAX_REFS)
		s->refs[s->nrefs++] = *r;
}

static bool is_dot(const char *sql, const clxs_sql_token *t)
{
	return t->kind == CLXS_TOK_PUNCT && t->len == 1 && sql[t->start] == '.';
}

static bool is_char(const char *sql, const clxs_sql_token *t, char ch)
{
	return t->kind == CLXS_TOK_PUNCT && t->len == 1 && sql[t->start] == ch;
}

/* Name at position *i (dotted, up to 3 parts), marking its tokens. */
static bool take_name(const char *sql, const clxs_sql_tokens *tk, const size_t *idx, size_t n, size_t *i,
		      scan *s, tref *r)
{
	r->n = 0;
	while (*i < n && is_ident(&tk->tok[idx[*i]])) {
		const clxs_sql_token *t = &tk->tok[idx[*i]];
		size_t len = strlen(t->value);
		if (r->n == 3 || len == 0 || len > LH_NAME_MAX)
			return false;
		for (size_t k = 0; k <= len; k++)
			r->part[r->n][k] = (char)tolower((unsigned char)t->value[k]);
		r->n++;
		s->name_tok[*i] = true;
		(*i)++;
		if (*i + 1 < n && is_dot(sql, &tk->tok[idx[*i]]) && is_ident(&tk->tok[idx[*i + 1]]))
			(*i)++;
		else
			break;
	}
	return r->n > 0;
}

static void scan_refs(const char *sql, const clxs_sql_tokens *tk, const size_t *idx, size_t n, scan *s)
{
	bool del = n > 0 && kw(&tk->tok[idx[0]], "DELETE");
	bool create = n > 0 && (kw(&tk->tok[idx[0]], "CREATE") || kw(&tk->tok[idx[0]], "REPLACE"));
	bool first_from = true;
	for (size_t i = 0; i < n; i++) {
		const clxs_sql_token *t = &tk->tok[idx[i]];
		bool read, list = false;
		if (kw(t, "FROM")) {
			read = !(del && first_from);
			first_from = false;
			list = true;
		} else if (kw(t, "JOIN") || kw(t, "USING") || kw(t, "CLONE")) {
			read = true;
		} else if (kw(t, "INTO") || kw(t, "UPDATE")) {
			read = false;
		} else if (kw(t, "TABLE") && create) {
			read = false;
			create = false; /* only the created table */
		} else {
			continue;
		}
		size_t j = i + 1;
		/* INSERT INTO TABLE t, CREATE TABLE IF NOT EXISTS t */
		while (j < n && (kw(&tk->tok[idx[j]], "TABLE") || kw(&tk->tok[idx[j]], "IF") ||
				 kw(&tk->tok[idx[j]], "NOT") || kw(&tk->tok[idx[j]], "EXISTS")))
			j++;
		for (;;) {
			tref r;
			r.write = !read;
			if (j >= n || clause_word(&tk->tok[idx[j]]) || !take_name(sql, tk, idx, n, &j, s, &r))
				break;
			add_ref(s, &r);
			if (!list)
				break;
			/* FROM a x, b y: skip an alias, continue after a comma */
			if (j < n && kw(&tk->tok[idx[j]], "AS"))
				j++;
			if (j < n && is_ident(&tk->tok[idx[j]]) && !clause_word(&tk->tok[idx[j]]))
				j++;
			if (j + 1 < n && is_char(sql, &tk->tok[idx[j]], ','))
				j++;
			else
				break;
		}
		i = j - 1 > i ? j - 1 : i;
	}
}

typedef struct {
	int64_t id;
	char cat[LH_NAME_MAX + 1], sch[LH_NAME_MAX + 1], name[LH_NAME_MAX + 1];
} resolved;

static bool resolve(clxs_lh *lh, const clxs_lh_history_entry *e, const tref *r, resolved *out)
{
	const char *cat = r->n == 3 ? r->part[0] : e->catalog;
	const char *sch = r->n >= 2 ? r->part[r->n - 2] : e->schema;
	if (!cat || !sch)
		return false;
	char c[LH_NAME_MAX + 1], s[LH_NAME_MAX + 1];
	if (lh_name_norm(cat, "catalog", c, NULL) || lh_name_norm(sch, "schema", s, NULL))
		return false;
	sqlite3_stmt *st;
	if (lh_stmt(lh, NULL, &st,
		    "SELECT t.id FROM lh_tables t JOIN lh_schemas s ON s.id = t.schema_id"
		    " JOIN lh_catalogs c ON c.id = s.catalog_id WHERE c.name = ? AND s.name = ? AND t.name = ?",
		    "ttt", c, s, r->part[r->n - 1]))
		return false;
	bool found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		out->id = sqlite3_column_int64(st, 0);
		snprintf(out->cat, sizeof(out->cat), "%s", c);
		snprintf(out->sch, sizeof(out->sch), "%s", s);
		snprintf(out->name, sizeof(out->name), "%s", r->part[r->n - 1]);
	}
	sqlite3_finalize(st);
	return found;
}

static const char *statement_type(const clxs_sql_tokens *tk, const size_t *idx, size_t n, char *buf,
				  size_t len)
{
	snprintf(buf, len, "OTHER");
	for (size_t i = 0; i < n && i < 4; i++) {
		const clxs_sql_token *t = &tk->tok[idx[i]];
		if (t->kind != CLXS_TOK_IDENT || !strcasecmp(t->value, "WITH"))
			continue;
		snprintf(buf, len, "%s", t->value);
		for (char *p = buf; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		break;
	}
	return buf;
}

static clxs_code insert_ref(clxs_lh *lh, clxs_error *err, int64_t seq, const clxs_lh_history_entry *e,
			    const resolved *rt, bool write, const char *column)
{
	return lh_run(lh, err,
		      "INSERT INTO lh_query_refs(hist_seq, statement_id, access, catalog_name, schema_name,"
		      " table_name, column_name, executed_by, event_ms) VALUES(?,?,?,?,?,?,?,?,?)",
		      "ittttttti", seq, e->statement_id, write ? "WRITE" : "READ", rt->cat, rt->sch, rt->name,
		      column, e->user, e->end_ms);
}

/* Table and column references of a finished statement. */
static clxs_code record_refs(clxs_lh *lh, clxs_error *err, int64_t seq, const clxs_lh_history_entry *e,
			     const clxs_sql_tokens *tk, const size_t *idx, size_t n)
{
	scan *s = calloc(1, sizeof(*s));
	if (!s || !(s->name_tok = calloc(n + 1, sizeof(bool)))) {
		free(s);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	scan_refs(e->text, tk, idx, n, s);
	clxs_code rc = CLXS_OK;
	for (size_t k = 0; k < s->nrefs && !rc; k++) {
		resolved rt;
		if (!resolve(lh, e, &s->refs[k], &rt))
			continue;
		if ((rc = insert_ref(lh, err, seq, e, &rt, s->refs[k].write, "")))
			break;
		/* Columns of this table named anywhere outside table names. */
		sqlite3_stmt *st;
		if ((rc = lh_stmt(lh, err, &st, "SELECT name FROM lh_columns WHERE table_id = ? ORDER BY position",
				  "i", rt.id)))
			break;
		while (!rc && sqlite3_step(st) == SQLITE_ROW) {
			const char *col = lh_col_text(st, 0);
			for (size_t i = 0; i < n; i++) {
				const clxs_sql_token *t = &tk->tok[idx[i]];
				if (!s->name_tok[i] && is_ident(t) && !strcasecmp(t->value, col)) {
					rc = insert_ref(lh, err, seq, e, &rt, s->refs[k].write, col);
					break;
				}
			}
		}
		sqlite3_finalize(st);
	}
	free(s->name_tok);
	free(s);
	return rc;
}

static clxs_code retention(clxs_lh *lh, clxs_error *err, int64_t seq, int64_t now)
{
	int64_t cut = seq - LH_HISTORY_MAX, old = 0;
	bool found = false;
	clxs_code rc = lh_int(lh, err, &old, &found,
			      "SELECT max(seq) FROM lh_query_history WHERE start_ms < ?", "i",
			      now - (int64_t)LH_HISTORY_DAYS * 86400000);
	if (rc)
		return rc;
	if (found && old > cut)
		cut = old;
	if (cut <= 0)
		return CLXS_OK;
	if ((rc = lh_run(lh, err, "DELETE FROM lh_query_refs WHERE hist_seq <= ?", "i", cut)))
		return rc;
	return lh_run(lh, err, "DELETE FROM lh_query_history WHERE seq <= ?", "i", cut);
}

clxs_code clxs_lh_history_record(clxs_lh *lh, const clxs_lh_history_entry *e, clxs_error *err)
{
	clxs_sql_tokens tk = {0};
	size_t *idx = NULL, n = 0;
	/* An untokenizable text is still history, without references. */
	clxs_error terr = {0};
	if (clxs_sql_tokenize(e->text, strlen(e->text), &tk, &terr) == CLXS_OK &&
	    (idx = malloc((tk.n + 1) * sizeof(*idx)))) {
		for (size_t i = 0; i < tk.n; i++)
			if (tk.tok[i].kind != CLXS_TOK_EOF && !clxs_sql_tok_is_trivia(tk.tok[i].kind))
				idx[n++] = i;
	}
	char type[32];
	statement_type(&tk, idx, n, type, sizeof(type));
	clxs_code rc = lh_begin(lh, true, err);
	if (!rc) {
		rc = lh_run(lh, err,
			    "INSERT INTO lh_query_history(statement_id, statement_text, statement_type, executed_by,"
			    " execution_status, error_message, start_ms, end_ms, produced_rows)"
			    " VALUES(?,?,?,?,?,?,?,?,?)",
			    "ttttttiii", e->statement_id, e->text, type, e->user, e->status, e->error_message,
			    e->start_ms, e->end_ms, e->produced_rows);
		int64_t seq = sqlite3_last_insert_rowid(lh->db);
		if (!rc && idx && !strcmp(e->status, "FINISHED"))
			rc = record_refs(lh, err, seq, e, &tk, idx, n);
		if (!rc && seq % 100 == 0)
			rc = retention(lh, err, seq, e->end_ms);
		rc = lh_end(lh, rc, err);
	}
	free(idx);
	clxs_sql_tokens_free(&tk);
	return rc;
}
