/* Governance statements: GRANT/REVOKE/SHOW GRANTS, SET/UNSET TAGS on every
 * securable and on columns, CREATE/DROP VIEW, FUNCTION (SQL UDFs) and
 * VOLUME, column masks and row filters, owners of volumes and functions;
 * and the translator hooks that make them work in queries: SQL UDFs are
 * inlined with their arguments substituted, a table with a row filter or
 * column masks is read through a subquery that applies them. */
#include "sql_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/lakehouse_gov.h"

static clxs_code principal(lhs_ctx *c, char **out)
{
	if (lhs_at_string(c))
		return lhs_string(c, out);
	return lhs_ident(c, out);
}

/* CATALOG|SCHEMA|DATABASE|TABLE|VIEW|FUNCTION|VOLUME [name] -> securable */
static clxs_code securable(lhs_ctx *c, bool kind_optional, clxs_lh_sec *s)
{
	clxs_lh_sec_kind k = CLXS_LH_SEC_TABLE;
	if (lhs_accept_kw(c, "CATALOG"))
		k = CLXS_LH_SEC_CATALOG;
	else if (lhs_accept_kw(c, "SCHEMA") || lhs_accept_kw(c, "DATABASE"))
		k = CLXS_LH_SEC_SCHEMA;
	else if (lhs_accept_kw(c, "TABLE") || lhs_accept_kw(c, "VIEW"))
		k = CLXS_LH_SEC_TABLE;
	else if (lhs_accept_kw(c, "FUNCTION"))
		k = CLXS_LH_SEC_FUNCTION;
	else if (lhs_accept_kw(c, "VOLUME"))
		k = CLXS_LH_SEC_VOLUME;
	else if (!kind_optional)
		return lhs_syntax(c);
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	lhs_name nm;
	if (k == CLXS_LH_SEC_CATALOG) {
		if (q.n != 1)
			rc = lhs_syntax_at(c, &c->k, q.first_tok);
		else {
			memset(&nm, 0, sizeof(nm));
			nm.n.catalog = q.part[0];
		}
	} else if (k == CLXS_LH_SEC_SCHEMA)
		rc = lhs_resolve2(c, &q, &nm);
	else
		rc = lhs_resolve3(c, &q, NULL, NULL, &nm);
	if (!rc)
		rc = clxs_lh_sec_resolve(c->lh, k, &nm.n, s, NULL, c->err);
	lhs_qname_free(&q);
	return rc;
}

/* ---- grants ---------------------------------------------------------------------------- */

static clxs_code grant(lhs_ctx *c, bool revoke)
{
	/* privilege words up to ON, split by commas */
	char **privs = NULL;
	size_t n = 0;
	clxs_code rc = CLXS_OK;
	clxs_buf b;
	clxs_buf_init(&b);
	while (!rc && !lhs_at_kw(c, "ON")) {
		const char *w = lhs_tok_ident(&c->k, c->p);
		if (!w) {
			rc = lhs_syntax(c);
			break;
		}
		if (b.len)
			clxs_buf_putc(&b, ' ');
		clxs_buf_puts(&b, w);
		c->p++;
		if (lhs_accept_punct(c, ',') || lhs_at_kw(c, "ON")) {
			char **v = realloc(privs, (n + 1) * sizeof(*v));
			char *s = clxs_buf_detach(&b);
			if (!v || !s) {
				free(s);
				if (v)
					privs = v;
				rc = lhs_oom(c);
				break;
			}
			privs = v;
			privs[n++] = s;
		}
	}
	clxs_buf_free(&b);
	clxs_lh_sec s;
	char *who = NULL;
	if (!rc && !n)
		rc = lhs_syntax(c);
	if (!rc)
		rc = lhs_expect_kw(c, "ON");
	if (!rc)
		rc = securable(c, true, &s);
	if (!rc)
		rc = lhs_expect_kw(c, revoke ? "FROM" : "TO");
	if (!rc)
		rc = principal(c, &who);
	if (!rc)
		rc = lhs_expect_eof(c);
	if (!rc)
		rc = clxs_lh_grant(c->lh, &s, who, (const char *const *)privs, n, revoke, c->err);
	for (size_t i = 0; i < n; i++)
		free(privs[i]);
	free(privs);
	free(who);
	return rc;
}

static clxs_code show_grants(lhs_ctx *c)
{
	char *who = NULL;
	clxs_code rc = CLXS_OK;
	if (!lhs_at_kw(c, "ON"))
		rc = principal(c, &who);
	clxs_lh_sec s;
	json_object *g = NULL;
	if (!rc)
		rc = lhs_expect_kw(c, "ON");
	if (!rc)
		rc = securable(c, true, &s);
	if (!rc && !(rc = lhs_expect_eof(c)))
		rc = clxs_lh_grants_list(c->lh, &s, who, &g, c->err);
	if (!rc)
		rc = lhs_res_columns(c, (const char *const[]){"principal", "ActionType", "ObjectType",
							     "ObjectKey"},
				     (const char *const[]){"STRING", "STRING", "STRING", "STRING"}, 4);
	for (size_t i = 0; !rc && i < json_object_array_length(g); i++) {
		json_object *o = json_object_array_get_idx(g, i);
		char act[64];
		snprintf(act, sizeof(act), "%s", clxs_json_str(o, "privilege", ""));
		for (char *p = act; *p; p++)
			if (*p == '_')
				*p = ' ';
		const char *row[4] = {clxs_json_str(o, "principal", ""), act,
				      clxs_json_str(o, "object_type", ""), clxs_json_str(o, "object_key", "")};
		rc = lhs_res_row(c, row, 4);
	}
	json_object_put(g);
	free(who);
	return rc;
}

/* ---- ALTER ... (tags, masks, filters, owners) ------------------------------------------------ */

static clxs_code tags_clause(lhs_ctx *c, const clxs_lh_sec *s, const char *column)
{
	clxs_code rc;
	json_object *v = NULL;
	if (lhs_accept_kws(c, (const char *const[]){"SET", "TAGS", NULL})) {
		if (!(rc = lhs_props(c, &v)) && !(rc = lhs_expect_eof(c)))
			rc = clxs_lh_tags_set(c->lh, s, column, v, c->err);
	} else if (lhs_accept_kws(c, (const char *const[]){"UNSET", "TAGS", NULL})) {
		if (!(rc = lhs_keylist(c, &v)) && !(rc = lhs_expect_eof(c)))
			rc = clxs_lh_tags_unset(c->lh, s, column, v, c->err);
	} else
		rc = lhs_syntax(c);
	json_object_put(v);
	return rc;
}

static clxs_code fn_name(lhs_ctx *c, lhs_name *fn)
{
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (!rc)
		rc = lhs_resolve3(c, &q, NULL, NULL, fn);
	lhs_qname_free(&q);
	return rc;
}

static clxs_code alter(lhs_ctx *c)
{
	clxs_lh_sec_kind k;
	if (lhs_accept_kw(c, "CATALOG"))
		k = CLXS_LH_SEC_CATALOG;
	else if (lhs_accept_kw(c, "SCHEMA") || lhs_accept_kw(c, "DATABASE"))
		k = CLXS_LH_SEC_SCHEMA;
	else if (lhs_accept_kw(c, "TABLE") || lhs_accept_kw(c, "VIEW"))
		k = CLXS_LH_SEC_TABLE;
	else if (lhs_accept_kw(c, "VOLUME"))
		k = CLXS_LH_SEC_VOLUME;
	else if (lhs_accept_kw(c, "FUNCTION"))
		k = CLXS_LH_SEC_FUNCTION;
	else
		return lhs_unsupported(c, "This ALTER statement");
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	lhs_name nm;
	memset(&nm, 0, sizeof(nm));
	if (k == CLXS_LH_SEC_CATALOG)
		nm.n.catalog = q.part[0];
	else if (k == CLXS_LH_SEC_SCHEMA)
		rc = lhs_resolve2(c, &q, &nm);
	else
		rc = lhs_resolve3(c, &q, NULL, NULL, &nm);
	clxs_lh_sec s;
	if (!rc && k == CLXS_LH_SEC_CATALOG && q.n != 1)
		rc = lhs_syntax_at(c, &c->k, q.first_tok);
	if (!rc)
		rc = clxs_lh_sec_resolve(c->lh, k, &nm.n, &s, NULL, c->err);
	if (rc)
		goto out;
	if (lhs_at_kw(c, "SET") && lhs_tok_kw(&c->k, c->p + 1, "TAGS")) {
		rc = tags_clause(c, &s, NULL);
	} else if (lhs_at_kw(c, "UNSET") && lhs_tok_kw(&c->k, c->p + 1, "TAGS")) {
		rc = tags_clause(c, &s, NULL);
	} else if (k == CLXS_LH_SEC_TABLE && (lhs_accept_kw(c, "ALTER") || lhs_accept_kw(c, "CHANGE"))) {
		lhs_accept_kw(c, "COLUMN");
		char *col = NULL;
		if ((rc = lhs_ident(c, &col)))
			goto out;
		if ((lhs_at_kw(c, "SET") || lhs_at_kw(c, "UNSET")) && lhs_tok_kw(&c->k, c->p + 1, "TAGS")) {
			rc = tags_clause(c, &s, col);
		} else if (lhs_accept_kws(c, (const char *const[]){"SET", "MASK", NULL})) {
			lhs_name fn;
			json_object *using = NULL;
			if (!(rc = fn_name(c, &fn)) &&
			    lhs_accept_kws(c, (const char *const[]){"USING", "COLUMNS", NULL}))
				rc = lhs_identlist(c, &using);
			if (!rc && !(rc = lhs_expect_eof(c)))
				rc = clxs_lh_column_mask_set(c->lh, &nm.n, col, &fn.n, using, c->err);
			json_object_put(using);
		} else if (lhs_accept_kws(c, (const char *const[]){"DROP", "MASK", NULL})) {
			if (!(rc = lhs_expect_eof(c)))
				rc = clxs_lh_column_mask_drop(c->lh, &nm.n, col, c->err);
		} else
			rc = lhs_unsupported(c, "This ALTER COLUMN clause");
		free(col);
	} else if (k == CLXS_LH_SEC_TABLE &&
		   lhs_accept_kws(c, (const char *const[]){"SET", "ROW", "FILTER", NULL})) {
		lhs_name fn;
		json_object *cols = NULL;
		if (!(rc = fn_name(c, &fn)) && !(rc = lhs_expect_kw(c, "ON")))
			rc = lhs_identlist(c, &cols);
		if (!rc && !(rc = lhs_expect_eof(c)))
			rc = clxs_lh_row_filter_set(c->lh, &nm.n, &fn.n, cols, c->err);
		json_object_put(cols);
	} else if (k == CLXS_LH_SEC_TABLE &&
		   lhs_accept_kws(c, (const char *const[]){"DROP", "ROW", "FILTER", NULL})) {
		if (!(rc = lhs_expect_eof(c)))
			rc = clxs_lh_row_filter_drop(c->lh, &nm.n, c->err);
	} else if ((k == CLXS_LH_SEC_VOLUME || k == CLXS_LH_SEC_FUNCTION) &&
		   (lhs_accept_kws(c, (const char *const[]){"SET", "OWNER", "TO", NULL}) ||
		    lhs_accept_kws(c, (const char *const[]){"OWNER", "TO", NULL}))) {
		char *p = NULL;
		if (!(rc = principal(c, &p)) && !(rc = lhs_expect_eof(c)))
			rc = clxs_lh_sec_set_owner(c->lh, &s, p, c->err);
		free(p);
	} else
		rc = lhs_unsupported(c, "This ALTER statement");
out:
	lhs_qname_free(&q);
	return rc;
}

/* ---- views ---------------------------------------------------------------------------- */

static clxs_code create_view(lhs_ctx *c, bool or_replace)
{
	bool ine = lhs_accept_kws(c, (const char *const[]){"IF", "NOT", "EXISTS", NULL});
	lhs_name nm;
	clxs_code rc = lhs_name3(c, &nm);
	if (rc)
		return rc;
	json_object *names = NULL, *props = NULL, *qcols = NULL;
	char *comment = NULL, *sql = NULL, *def = NULL;
	if (lhs_accept_punct(c, '(')) {
		names = json_object_new_array();
		for (;;) {
			char *n = NULL, *cm = NULL;
			if ((rc = lhs_ident(c, &n)))
				break;
			if (lhs_accept_kw(c, "COMMENT") && (rc = lhs_string(c, &cm))) {
				free(n);
				break;
			}
			json_object *o = json_object_new_object();
			clxs_json_set_str(o, "name", n);
			if (cm)
				clxs_json_set_str(o, "comment", cm);
			json_object_array_add(names, o);
			free(n);
			free(cm);
			if (lhs_accept_punct(c, ')'))
				break;
			if ((rc = lhs_expect_punct(c, ',')))
				break;
		}
	}
	while (!rc && !lhs_accept_kw(c, "AS")) {
		if (lhs_accept_kw(c, "COMMENT")) {
			free(comment);
			rc = lhs_string(c, &comment);
		} else if (lhs_accept_kw(c, "TBLPROPERTIES")) {
			json_object_put(props);
			rc = lhs_props(c, &props);
		} else
			rc = lhs_syntax(c);
	}
	size_t from = c->p, to = c->k.n - 1;
	for (size_t i = from; !rc && i < to; i++)
		if (c->k.t[i]->kind == CLXS_TOK_PARAM)
			rc = lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
				     "Parameter markers are not allowed in a view definition.");
	if (!rc && from >= to)
		rc = lhs_syntax(c);
	if (!rc)
		rc = lhs_describe_query(c, from, to, &sql, &qcols);
	size_t n = qcols ? json_object_array_length(qcols) : 0;
	if (!rc && names && json_object_array_length(names) != n)
		rc = lh_fail(c->err, CLXS_EINVAL, "CREATE_VIEW_COLUMN_ARITY_MISMATCH",
			     "Cannot create view %s.%s.%s: the column list has %zu names but the query %zu columns.",
			     nm.catalog, nm.schema, nm.name, json_object_array_length(names), n);
	clxs_lh_column *cols = calloc(n + 1, sizeof(*cols));
	if (!rc && !cols)
		rc = lhs_oom(c);
	for (size_t i = 0; !rc && i < n; i++) {
		json_object *o = json_object_array_get_idx(qcols, i);
		json_object *r = names ? json_object_array_get_idx(names, i) : NULL;
		cols[i].name = r ? clxs_json_str(r, "name", "") : clxs_json_str(o, "name", "");
		cols[i].type_text = clxs_json_str(o, "type_text", "STRING");
		cols[i].nullable = true;
		cols[i].comment = r ? clxs_json_str(r, "comment", NULL) : NULL;
	}
	if (!rc && !(def = lhs_text(&c->k, from, to)))
		rc = lhs_oom(c);
	if (!rc) {
		clxs_lh_table_spec spec = {.name = nm.n, .table_type = "VIEW", .comment = comment,
					   .columns = cols, .ncolumns = n, .properties = props,
					   .view_definition = def, .if_not_exists = ine,
					   .or_replace = or_replace};
		rc = clxs_lh_table_create(c->lh, &spec, c->err);
	}
	free(cols);
	free(def);
	free(sql);
	free(comment);
	json_object_put(names);
	json_object_put(props);
	json_object_put(qcols);
	return rc;
}

/* ---- functions ---------------------------------------------------------------------------- */

static clxs_code create_function(lhs_ctx *c, bool or_replace)
{
	if (lhs_at_kw(c, "TEMPORARY") || lhs_at_kw(c, "TEMP"))
		return lhs_unsupported(c, "Temporary functions");
	bool ine = lhs_accept_kws(c, (const char *const[]){"IF", "NOT", "EXISTS", NULL});
	lhs_name nm;
	clxs_code rc = lhs_name3(c, &nm);
	if (rc)
		return rc;
	json_object *info = json_object_new_object(), *params = json_object_new_array();
	char *ret = NULL, *comment = NULL;
	bool det = true;
	if (!info || !params)
		rc = lhs_oom(c);
	if (!rc)
		rc = lhs_expect_punct(c, '(');
	for (int pos = 0; !rc && !lhs_accept_punct(c, ')'); pos++) {
		if (pos && (rc = lhs_expect_punct(c, ',')))
			break;
		char *pn = NULL, *pt = NULL, *pc = NULL;
		if ((rc = lhs_ident(c, &pn)) || (rc = lhs_type(c, &pt))) {
			free(pn);
			break;
		}
		if (lhs_at_kw(c, "DEFAULT"))
			rc = lhs_unsupported(c, "Function parameter defaults");
		if (!rc && lhs_accept_kw(c, "COMMENT"))
			rc = lhs_string(c, &pc);
		if (!rc) {
			json_object *o = json_object_new_object();
			char canon[128];
			lhs_type_canon(pt, canon, sizeof(canon));
			clxs_json_set_str(o, "name", pn);
			clxs_json_set_str(o, "type_text", canon);
			clxs_json_set_str(o, "type_name", lhs_type_name(pt));
			clxs_json_set_int(o, "position", pos);
			clxs_json_set_str(o, "parameter_mode", "IN");
			clxs_json_set_str(o, "parameter_type", "PARAM");
			if (pc)
				clxs_json_set_str(o, "comment", pc);
			json_object_array_add(params, o);
		}
		free(pn);
		free(pt);
		free(pc);
	}
	if (!rc)
		rc = lhs_expect_kw(c, "RETURNS");
	if (!rc && lhs_at_kw(c, "TABLE"))
		rc = lhs_unsupported(c, "Table functions (RETURNS TABLE)");
	if (!rc)
		rc = lhs_type(c, &ret);
	while (!rc && !lhs_accept_kw(c, "RETURN")) {
		if (lhs_accept_kws(c, (const char *const[]){"LANGUAGE", "SQL", NULL}) ||
		    lhs_accept_kws(c, (const char *const[]){"CONTAINS", "SQL", NULL}) ||
		    lhs_accept_kws(c, (const char *const[]){"READS", "SQL", "DATA", NULL})) {
		} else if (lhs_accept_kws(c, (const char *const[]){"NOT", "DETERMINISTIC", NULL})) {
			det = false;
		} else if (lhs_accept_kw(c, "DETERMINISTIC")) {
		} else if (lhs_accept_kw(c, "COMMENT")) {
			free(comment);
			rc = lhs_string(c, &comment);
		} else if (lhs_at_kw(c, "LANGUAGE")) {
			rc = lhs_unsupported(c, "Functions in languages other than SQL");
		} else
			rc = lhs_syntax(c);
	}
	size_t from = c->p, to = c->k.n - 1;
	if (!rc && from >= to)
		rc = lhs_syntax(c);
	for (size_t i = from; !rc && i < to; i++)
		if (c->k.t[i]->kind == CLXS_TOK_PARAM)
			rc = lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
				     "Parameter markers are not allowed in a function body.");
	/* the body must translate with the parameters in scope */
	if (!rc) {
		size_t np = json_object_array_length(params);
		const char **pn = calloc(np + 1, sizeof(char *)), **pa = calloc(np + 1, sizeof(char *));
		if (!pn || !pa)
			rc = lhs_oom(c);
		for (size_t i = 0; !rc && i < np; i++) {
			pn[i] = clxs_json_str(json_object_array_get_idx(params, i), "name", "");
			pa[i] = "NULL";
		}
		lhs_tr t;
		lhs_tr_init(&t, c, &c->k);
		t.fparams = pn;
		t.fargs = pa;
		t.nfparams = np;
		t.no_params = true;
		clxs_buf b;
		clxs_buf_init(&b);
		clxs_buf_puts(&b, "SELECT ");
		if (!rc)
			rc = lhs_tr_range(&t, from, to, &b);
		sqlite3_stmt *st = NULL;
		if (!rc && sqlite3_prepare_v2(c->db, clxs_buf_str(&b), -1, &st, NULL) != SQLITE_OK)
			rc = lhs_sqlite_fail(c, "function body");
		sqlite3_finalize(st);
		clxs_buf_free(&b);
		lhs_tr_free(&t);
		free(pn);
		free(pa);
	}
	if (!rc) {
		char *body = lhs_text(&c->k, from, to);
		char canon[128];
		lhs_type_canon(ret, canon, sizeof(canon));
		json_object *ip = json_object_new_object();
		json_object_object_add(ip, "parameters", json_object_get(params));
		json_object_object_add(info, "input_params", ip);
		clxs_json_set_str(info, "data_type", lhs_type_name(ret));
		clxs_json_set_str(info, "full_data_type", canon);
		clxs_json_set_str(info, "routine_body", "SQL");
		clxs_json_set_str(info, "routine_definition", body ? body : "");
		clxs_json_set_str(info, "parameter_style", "S");
		clxs_json_set_bool(info, "is_deterministic", det);
		clxs_json_set_str(info, "sql_data_access", "CONTAINS_SQL");
		clxs_json_set_bool(info, "is_null_call", false);
		clxs_json_set_str(info, "security_type", "DEFINER");
		clxs_json_set_str(info, "specific_name", nm.name);
		if (comment)
			clxs_json_set_str(info, "comment", comment);
		free(body);
		rc = clxs_lh_function_create(c->lh, &nm.n, info, or_replace, ine, c->err);
	}
	json_object_put(info);
	json_object_put(params);
	free(ret);
	free(comment);
	return rc;
}

static clxs_code drop_object(lhs_ctx *c, bool volume)
{
	bool ie = lhs_accept_kws(c, (const char *const[]){"IF", "EXISTS", NULL});
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	lhs_name nm;
	if (!(rc = lhs_expect_eof(c)) && !(rc = lhs_resolve3(c, &q, NULL, NULL, &nm)))
		rc = volume ? clxs_lh_volume_drop(c->lh, &nm.n, ie, c->err)
			    : clxs_lh_function_drop(c->lh, &nm.n, ie, c->err);
	lhs_qname_free(&q);
	return rc;
}

static clxs_code create_volume(lhs_ctx *c, bool external)
{
	bool ine = lhs_accept_kws(c, (const char *const[]){"IF", "NOT", "EXISTS", NULL});
	lhs_name nm;
	clxs_code rc = lhs_name3(c, &nm);
	if (rc)
		return rc;
	char *loc = NULL, *comment = NULL;
	while (!rc && !lhs_at_eof(c)) {
		if (lhs_accept_kw(c, "LOCATION")) {
			free(loc);
			rc = lhs_string(c, &loc);
		} else if (lhs_accept_kw(c, "COMMENT")) {
			free(comment);
			rc = lhs_string(c, &comment);
		} else
			rc = lhs_syntax(c);
	}
	if (!rc)
		rc = clxs_lh_volume_create(c->lh, &nm.n, external, loc, comment, ine, c->err);
	free(loc);
	free(comment);
	return rc;
}

clxs_code lhs_exec_gov(lhs_ctx *c, bool *handled)
{
	*handled = true;
	size_t save = c->p;
	if (lhs_accept_kw(c, "GRANT"))
		return grant(c, false);
	if (lhs_accept_kw(c, "REVOKE"))
		return grant(c, true);
	if (lhs_accept_kw(c, "SHOW") && (lhs_accept_kw(c, "GRANTS") || lhs_accept_kw(c, "GRANT")))
		return show_grants(c);
	c->p = save;
	if (lhs_accept_kw(c, "ALTER"))
		return alter(c);
	if (lhs_accept_kw(c, "CREATE")) {
		bool or_replace = lhs_accept_kws(c, (const char *const[]){"OR", "REPLACE", NULL});
		bool external = lhs_accept_kw(c, "EXTERNAL");
		if (!external && lhs_accept_kw(c, "VIEW"))
			return create_view(c, or_replace);
		if (!external && lhs_accept_kw(c, "FUNCTION"))
			return create_function(c, or_replace);
		if (!or_replace && lhs_accept_kw(c, "VOLUME"))
			return create_volume(c, external);
		if (lhs_at_kw(c, "TEMPORARY") || lhs_at_kw(c, "TEMP") || lhs_at_kw(c, "MATERIALIZED") ||
		    lhs_at_kw(c, "STREAMING"))
			return lhs_unsupported(c, "Temporary, materialized and streaming objects");
	}
	c->p = save;
	if (lhs_accept_kw(c, "DROP")) {
		if (lhs_accept_kw(c, "VIEW"))
			return lhs_drop_relation(c, true);
		if (lhs_accept_kw(c, "FUNCTION"))
			return drop_object(c, false);
		if (lhs_accept_kw(c, "VOLUME"))
			return drop_object(c, true);
	}
	c->p = save;
	*handled = false;
	return CLXS_OK;
}

/* ---- translator hooks ------------------------------------------------------------------------ */

/* Append the body of function fn with its parameters bound to args (SQLite
 * text), cast to its return type. 0: no such function. */
static int expand_fn(lhs_tr *t, const clxs_lh_name *fn, const char *const *args, size_t nargs,
		     clxs_buf *out)
{
	lhs_ctx *c = t->c;
	json_object *info = NULL;
	clxs_error e = {0};
	clxs_code rc = clxs_lh_function_get(c->lh, fn, &info, &e);
	if (rc == CLXS_ENOTFOUND)
		return 0;
	if (rc) {
		*c->err = e;
		return -1;
	}
	json_object *ip = NULL, *params = NULL;
	json_object_object_get_ex(info, "input_params", &ip);
	json_object_object_get_ex(ip, "parameters", &params);
	size_t np = params ? json_object_array_length(params) : 0;
	int r = -1;
	if (np != nargs) {
		lh_fail(c->err, CLXS_EINVAL, "WRONG_NUM_ARGS",
			"The `%s`.`%s`.`%s` requires %zu parameters but the actual number is %zu.",
			fn->catalog, fn->schema, fn->name, np, nargs);
		json_object_put(info);
		return -1;
	}
	if (c->expand_depth >= LHS_MAX_EXPAND) {
		lh_fail(c->err, CLXS_EINVAL, "ROUTINE_RECURSION",
			"Function %s.%s.%s calls itself (or functions nest too deeply).", fn->catalog,
			fn->schema, fn->name);
		json_object_put(info);
		return -1;
	}
	const char **pn = calloc(np + 1, sizeof(char *));
	lhs_toks bk;
	memset(&bk, 0, sizeof(bk));
	if (!pn) {
		lhs_oom(c);
		goto done;
	}
	for (size_t i = 0; i < np; i++)
		pn[i] = clxs_json_str(json_object_array_get_idx(params, i), "name", "");
	if (lhs_toks_init(c, &bk, clxs_json_str(info, "routine_definition", ""), c->err))
		goto done;
	lhs_tr ft;
	lhs_tr_init(&ft, c, &bk);
	ft.def_catalog = fn->catalog;
	ft.def_schema = fn->schema;
	ft.fparams = pn;
	ft.fargs = args;
	ft.nfparams = np;
	ft.no_params = true;
	clxs_buf body;
	clxs_buf_init(&body);
	c->expand_depth++;
	rc = lhs_tr_range(&ft, 0, bk.n - 1, &body);
	c->expand_depth--;
	lhs_tr_free(&ft);
	if (!rc) {
		clxs_buf_putc(out, ' ');
		lhs_cast_sql(c, clxs_json_str(info, "full_data_type", "STRING"), clxs_buf_str(&body), out);
		r = 1;
	}
	clxs_buf_free(&body);
done:
	lhs_toks_free(&bk);
	free(pn);
	json_object_put(info);
	return r;
}

int lhs_udf_expand(lhs_tr *t, const lhs_qname *q, size_t open, size_t close, clxs_buf *out)
{
	lhs_ctx *c = t->c;
	lhs_name nm;
	if (lhs_resolve3(c, q, t->def_catalog, t->def_schema, &nm)) {
		/* an invalid or unqualifiable name is just not a function */
		clxs_error_clear(c->err);
		return 0;
	}
	/* arguments, translated in the caller's scope */
	char **args = NULL;
	size_t n = 0;
	int r = -1;
	for (size_t a = open + 1; a < close;) {
		size_t e = lhs_scan_to(t->k, a, close, NULL, true);
		clxs_buf b;
		clxs_buf_init(&b);
		if (lhs_tr_range(t, a, e, &b)) {
			clxs_buf_free(&b);
			goto out;
		}
		char **v = realloc(args, (n + 1) * sizeof(*v));
		char *s = clxs_buf_detach(&b);
		if (!v || !s) {
			free(s);
			if (v)
				args = v;
			lhs_oom(c);
			goto out;
		}
		args = v;
		args[n++] = s;
		a = e + 1;
	}
	r = expand_fn(t, &nm.n, (const char *const *)args, n, out);
out:
	for (size_t i = 0; i < n; i++)
		free(args[i]);
	free(args);
	return r;
}

static char *qualified(const char *col)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_buf_puts(&b, "\"__lh_m\".");
	lhs_sqlite_ident(&b, col);
	return clxs_buf_detach(&b);
}

/* Arguments: the masked column first, then USING COLUMNS / filter columns. */
static int apply_fn(lhs_tr *t, const char *fc, const char *fs, const char *fname, const char *first,
		    const char *cols_json, clxs_buf *out)
{
	json_object *cols = json_tokener_parse(cols_json ? cols_json : "[]");
	size_t n = cols ? json_object_array_length(cols) : 0, na = 0;
	char **args = calloc(n + 2, sizeof(char *));
	int r = -1;
	if (!args)
		goto out;
	if (first && !(args[na++] = qualified(first)))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!(args[na++] = qualified(json_object_get_string(json_object_array_get_idx(cols, i)))))
			goto out;
	clxs_lh_name fn = {fc, fs, fname};
	r = expand_fn(t, &fn, (const char *const *)args, na, out);
	if (r == 0) {
		lh_fail(t->c->err, CLXS_EINVAL, "ROUTINE_NOT_FOUND",
			"The function %s.%s.%s used by a row filter or column mask does not exist.", fc, fs,
			fname);
		r = -1;
	}
out:
	for (size_t i = 0; args && i < na; i++)
		free(args[i]);
	free(args);
	json_object_put(cols);
	return r;
}

clxs_code lhs_gov_wrap_table(lhs_tr *t, const lh_tbl *tb, const char *snap, json_object *cols,
			     char **wrapped)
{
	lhs_ctx *c = t->c;
	*wrapped = NULL;
	int64_t nf = 0, nm = 0;
	clxs_code rc = lh_int(c->lh, c->err, &nf, NULL,
			      "SELECT count(*) FROM lh_row_filters WHERE table_id=?", "i", tb->id);
	if (!rc)
		rc = lh_int(c->lh, c->err, &nm, NULL,
			    "SELECT count(*) FROM lh_column_masks WHERE table_id=?", "i", tb->id);
	if (rc)
		return rc;
	if (!nf && !nm)
		return CLXS_OK;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_buf_puts(&b, "(SELECT ");
	for (size_t i = 0; !rc && i < json_object_array_length(cols); i++) {
		const char *col = clxs_json_str(json_object_array_get_idx(cols, i), "name", "");
		sqlite3_stmt *st = NULL;
		if (i)
			clxs_buf_puts(&b, ", ");
		if ((rc = lh_stmt(c->lh, c->err, &st,
				  "SELECT function_catalog, function_schema, function_name, using_columns"
				  " FROM lh_column_masks WHERE table_id=? AND lower(column_name)=lower(?)",
				  "it", tb->id, col)))
			break;
		if (sqlite3_step(st) == SQLITE_ROW) {
			if (apply_fn(t, lh_col_text(st, 0), lh_col_text(st, 1), lh_col_text(st, 2), col,
				     lh_col_text(st, 3), &b) < 0)
				rc = c->err->code ? c->err->code : CLXS_EINTERNAL;
			clxs_buf_puts(&b, " AS ");
			lhs_sqlite_ident(&b, col);
		} else {
			char *q = qualified(col);
			clxs_buf_puts(&b, q ? q : "");
			free(q);
		}
		sqlite3_finalize(st);
	}
	clxs_buf_puts(&b, " FROM ");
	clxs_buf_puts(&b, snap);
	clxs_buf_puts(&b, " AS \"__lh_m\"");
	if (!rc && nf) {
		sqlite3_stmt *st = NULL;
		if (!(rc = lh_stmt(c->lh, c->err, &st,
				   "SELECT function_catalog, function_schema, function_name, columns"
				   " FROM lh_row_filters WHERE table_id=?", "i", tb->id))) {
			if (sqlite3_step(st) == SQLITE_ROW) {
				clxs_buf_puts(&b, " WHERE coalesce((");
				if (apply_fn(t, lh_col_text(st, 0), lh_col_text(st, 1), lh_col_text(st, 2), NULL,
					     lh_col_text(st, 3), &b) < 0)
					rc = c->err->code ? c->err->code : CLXS_EINTERNAL;
				clxs_buf_puts(&b, "), 0)");
			}
			sqlite3_finalize(st);
		}
	}
	clxs_buf_putc(&b, ')');
	if (!rc && !(*wrapped = clxs_buf_detach(&b)))
		rc = lhs_oom(c);
	clxs_buf_free(&b);
	return rc;
}
