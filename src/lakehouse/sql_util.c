/* Utility statements: DESCRIBE HISTORY/DETAIL/TABLE [EXTENDED], SHOW
 * CATALOGS/SCHEMAS/TABLES/VIEWS/COLUMNS/TBLPROPERTIES, RESTORE, VACUUM,
 * OPTIMIZE, CONVERT TO DELTA, COMMENT ON, and ALTER CATALOG/SCHEMA/TABLE
 * for properties, constraints, column comments and owners. Result sets have
 * the columns Databricks returns for each. */
#include "sql_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/lakehouse_gov.h"
#include "clxs/util.h"

/* A table name at the cursor, resolved. */
static clxs_code table_name(lhs_ctx *c, lhs_name *nm)
{
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	rc = lhs_resolve3(c, &q, NULL, NULL, nm);
	lhs_qname_free(&q);
	return rc;
}

/* A principal: identifier, backticked or a string. */
static clxs_code principal(lhs_ctx *c, char **out)
{
	if (lhs_at_string(c))
		return lhs_string(c, out);
	return lhs_ident(c, out);
}

static char *json_text(json_object *v)
{
	if (!v || json_object_is_type(v, json_type_null))
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return strdup(json_object_get_string(v));
	if (json_object_is_type(v, json_type_boolean))
		return strdup(json_object_get_boolean(v) ? "true" : "false");
	return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

/* Rows of (name, type) columns from JSON objects, by key. */
static clxs_code rows_from_json(lhs_ctx *c, json_object *arr, const char *const *keys,
				const char *const *names, const char *const *types, size_t n)
{
	clxs_code rc = lhs_res_columns(c, names, types, n);
	for (size_t r = 0; !rc && r < json_object_array_length(arr); r++) {
		json_object *o = json_object_array_get_idx(arr, r);
		char *vals[32] = {0};
		for (size_t i = 0; i < n && i < 32; i++) {
			json_object *v = NULL;
			json_object_object_get_ex(o, keys[i], &v);
			vals[i] = json_text(v);
		}
		rc = lhs_res_row(c, (const char *const *)vals, n);
		for (size_t i = 0; i < n && i < 32; i++)
			free(vals[i]);
	}
	return rc;
}

/* ---- DESCRIBE ------------------------------------------------------------------------ */

static clxs_code describe_history(lhs_ctx *c)
{
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	int64_t limit = 0;
	if (!rc && lhs_accept_kw(c, "LIMIT"))
		rc = lhs_int(c, &limit);
	if (rc || (rc = lhs_expect_eof(c)))
		return rc;
	json_object *h = NULL;
	if ((rc = clxs_lh_table_history(c->lh, &nm.n, (int)limit, &h, c->err)))
		return rc;
	static const char *const keys[] = {"version", "timestamp", "userId", "userName", "operation",
					   "operationParameters", "job", "notebook", "clusterId",
					   "readVersion", "isolationLevel", "isBlindAppend",
					   "operationMetrics", "userMetadata", "engineInfo"};
	static const char *const types[] = {"BIGINT", "TIMESTAMP", "STRING", "STRING", "STRING",
					    "MAP<STRING,STRING>", "STRUCT", "STRUCT", "STRING",
					    "BIGINT", "STRING", "BOOLEAN", "MAP<STRING,STRING>",
					    "STRING", "STRING"};
	rc = rows_from_json(c, h, keys, keys, types, sizeof(keys) / sizeof(keys[0]));
	json_object_put(h);
	return rc;
}

static clxs_code describe_detail(lhs_ctx *c)
{
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	if (rc || (rc = lhs_expect_eof(c)))
		return rc;
	json_object *d = NULL;
	if ((rc = clxs_lh_table_detail(c->lh, &nm.n, &d, c->err)))
		return rc;
	static const char *const keys[] = {"format", "id", "name", "description", "location",
					   "createdAt", "lastModified", "partitionColumns",
					   "clusteringColumns", "numFiles", "sizeInBytes", "properties",
					   "minReaderVersion", "minWriterVersion", "tableFeatures"};
	static const char *const types[] = {"STRING", "STRING", "STRING", "STRING", "STRING",
					    "TIMESTAMP", "TIMESTAMP", "ARRAY<STRING>", "ARRAY<STRING>",
					    "BIGINT", "BIGINT", "MAP<STRING,STRING>", "INT", "INT",
					    "ARRAY<STRING>"};
	json_object *arr = json_object_new_array();
	json_object_array_add(arr, d);
	rc = rows_from_json(c, arr, keys, keys, types, sizeof(keys) / sizeof(keys[0]));
	json_object_put(arr);
	return rc;
}

static clxs_code row3(lhs_ctx *c, const char *a, const char *b, const char *d)
{
	const char *v[3] = {a, b, d};
	return lhs_res_row(c, v, 3);
}

static clxs_code describe_table(lhs_ctx *c)
{
	bool extended = lhs_accept_kw(c, "EXTENDED") || lhs_accept_kw(c, "FORMATTED");
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	if (rc || (rc = lhs_expect_eof(c)))
		return rc;
	json_object *t = NULL;
	if ((rc = clxs_lh_table_get(c->lh, &nm.n, &t, c->err)))
		return rc;
	rc = lhs_res_columns(c, (const char *const[]){"col_name", "data_type", "comment"},
			     (const char *const[]){"STRING", "STRING", "STRING"}, 3);
	json_object *cols = NULL, *part = NULL;
	json_object_object_get_ex(t, "columns", &cols);
	json_object_object_get_ex(t, "partition_columns", &part);
	for (size_t i = 0; !rc && i < json_object_array_length(cols); i++) {
		json_object *o = json_object_array_get_idx(cols, i);
		char ty[128];
		lhs_type_canon(clxs_json_str(o, "type_text", "STRING"), ty, sizeof(ty));
		rc = row3(c, clxs_json_str(o, "name", ""), ty, clxs_json_str(o, "comment", NULL));
	}
	if (!rc && json_object_array_length(part)) {
		rc = row3(c, "# Partition Information", "", "");
		if (!rc)
			rc = row3(c, "# col_name", "data_type", "comment");
		for (size_t i = 0; !rc && i < json_object_array_length(part); i++) {
			const char *pn = json_object_get_string(json_object_array_get_idx(part, i));
			for (size_t j = 0; j < json_object_array_length(cols); j++) {
				json_object *o = json_object_array_get_idx(cols, j);
				if (strcasecmp(clxs_json_str(o, "name", ""), pn))
					continue;
				char ty[128];
				lhs_type_canon(clxs_json_str(o, "type_text", "STRING"), ty, sizeof(ty));
				rc = row3(c, clxs_json_str(o, "name", ""), ty, clxs_json_str(o, "comment", NULL));
			}
		}
	}
	if (!rc && extended) {
		char created[40];
		clxs_iso8601(clxs_json_int(t, "created_at", 0), created);
		json_object *props = NULL;
		json_object_object_get_ex(t, "properties", &props);
		clxs_buf pb;
		clxs_buf_init(&pb);
		clxs_buf_putc(&pb, '[');
		bool first = true;
		json_object_object_foreach(props, k, v) {
			clxs_buf_appendf(&pb, "%s%s=%s", first ? "" : ",", k, json_object_get_string(v));
			first = false;
		}
		clxs_buf_putc(&pb, ']');
		const char *fmt = clxs_json_str(t, "data_source_format", "DELTA");
		char prov[32];
		snprintf(prov, sizeof(prov), "%s", fmt);
		for (char *p = prov; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		const char *rows[][2] = {
			{"", ""},
			{"# Detailed Table Information", ""},
			{"Catalog", clxs_json_str(t, "catalog_name", "")},
			{"Database", clxs_json_str(t, "schema_name", "")},
			{"Table", clxs_json_str(t, "name", "")},
			{"Created Time", created},
			{"Last Access", "UNKNOWN"},
			{"Created By", "Spark (clxs-lakehouse)"},
			{"Type", clxs_json_str(t, "table_type", "MANAGED")},
			{"Comment", clxs_json_str(t, "comment", NULL)},
			{"Location", clxs_json_str(t, "storage_location", NULL)},
			{"Provider", prov},
			{"Owner", clxs_json_str(t, "owner", NULL)},
			{"Table Properties", clxs_buf_str(&pb)},
			{"View Text", clxs_json_str(t, "view_definition", NULL)},
		};
		for (size_t i = 0; !rc && i < sizeof(rows) / sizeof(rows[0]); i++) {
			if (!rows[i][1] && i > 1)
				continue;
			rc = row3(c, rows[i][0], rows[i][1], "");
		}
		clxs_buf_free(&pb);
	}
	json_object_put(t);
	return rc;
}

/* ---- SHOW ---------------------------------------------------------------------------- */

/* Databricks' SHOW ... LIKE patterns: '*' wildcards, '|' alternatives,
 * case-insensitive. */
static bool glob1(const char *p, const char *pe, const char *s)
{
	if (p == pe)
		return !*s;
	if (*p == '*') {
		for (;; s++) {
			if (glob1(p + 1, pe, s))
				return true;
			if (!*s)
				return false;
		}
	}
	return *s && tolower((unsigned char)*p) == tolower((unsigned char)*s) && glob1(p + 1, pe, s + 1);
}

static bool like_match(const char *pat, const char *s)
{
	if (!pat)
		return true;
	for (const char *p = pat;;) {
		const char *e = strchr(p, '|');
		if (!e)
			e = p + strlen(p);
		const char *a = p, *b = e;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (glob1(a, b, s))
			return true;
		if (!*e)
			return false;
		p = e + 1;
	}
}

static clxs_code like_clause(lhs_ctx *c, char **pat)
{
	*pat = NULL;
	if (lhs_accept_kw(c, "LIKE") || lhs_at_string(c))
		return lhs_string(c, pat);
	return CLXS_OK;
}

static clxs_code show_catalogs(lhs_ctx *c)
{
	char *pat = NULL;
	clxs_code rc = like_clause(c, &pat);
	json_object *l = NULL, *arr = NULL;
	if (!rc && !(rc = lhs_expect_eof(c)))
		rc = clxs_lh_catalog_list(c->lh, NULL, 0, &l, c->err);
	if (!rc)
		rc = lhs_res_columns(c, (const char *const[]){"catalog"}, (const char *const[]){"STRING"}, 1);
	json_object_object_get_ex(l, "catalogs", &arr);
	for (size_t i = 0; !rc && i < json_object_array_length(arr); i++) {
		const char *n = clxs_json_str(json_object_array_get_idx(arr, i), "name", "");
		if (like_match(pat, n))
			rc = lhs_res_row(c, &n, 1);
	}
	json_object_put(l);
	free(pat);
	return rc;
}

static clxs_code show_schemas(lhs_ctx *c)
{
	char *cat = NULL, *pat = NULL;
	clxs_code rc = CLXS_OK;
	if (lhs_accept_kw(c, "IN") || lhs_accept_kw(c, "FROM"))
		rc = lhs_ident(c, &cat);
	if (!rc)
		rc = like_clause(c, &pat);
	char catn[LH_NAME_MAX + 1];
	const char *cn = cat ? cat : c->catalog;
	if (!rc && !cn)
		rc = lh_fail(c->err, CLXS_EINVAL, "NO_SUCH_CATALOG_EXCEPTION",
			     "No current catalog: use SHOW SCHEMAS IN <catalog>.");
	if (!rc)
		rc = lh_name_norm(cn, "catalog", catn, c->err);
	json_object *l = NULL, *arr = NULL;
	if (!rc && !(rc = lhs_expect_eof(c)))
		rc = clxs_lh_schema_list(c->lh, catn, NULL, 0, &l, c->err);
	if (!rc)
		rc = lhs_res_columns(c, (const char *const[]){"databaseName"},
				     (const char *const[]){"STRING"}, 1);
	json_object_object_get_ex(l, "schemas", &arr);
	for (size_t i = 0; !rc && i < json_object_array_length(arr); i++) {
		const char *n = clxs_json_str(json_object_array_get_idx(arr, i), "name", "");
		if (like_match(pat, n))
			rc = lhs_res_row(c, &n, 1);
	}
	json_object_put(l);
	free(cat);
	free(pat);
	return rc;
}

static clxs_code show_tables(lhs_ctx *c, bool views)
{
	lhs_name nm;
	memset(&nm, 0, sizeof(nm));
	clxs_code rc = CLXS_OK;
	char *pat = NULL;
	if (lhs_accept_kw(c, "IN") || lhs_accept_kw(c, "FROM")) {
		lhs_qname q;
		if (!(rc = lhs_qname_parse(c, &q))) {
			rc = lhs_resolve2(c, &q, &nm);
			lhs_qname_free(&q);
		}
	} else {
		lhs_qname q = {.n = 1};
		q.part[0] = (char *)c->schema;
		rc = lhs_resolve2(c, &q, &nm);
	}
	if (!rc)
		rc = like_clause(c, &pat);
	json_object *l = NULL, *arr = NULL;
	if (!rc && !(rc = lhs_expect_eof(c)))
		rc = clxs_lh_table_list(c->lh, nm.catalog, nm.schema, NULL, 0, &l, c->err);
	if (!rc)
		rc = lhs_res_columns(c, (const char *const[]){views ? "namespace" : "database",
							     views ? "viewName" : "tableName",
							     "isTemporary"},
				     (const char *const[]){"STRING", "STRING", "BOOLEAN"}, 3);
	json_object_object_get_ex(l, "tables", &arr);
	for (size_t i = 0; !rc && i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		const char *n = clxs_json_str(o, "name", "");
		bool is_view = !strcmp(clxs_json_str(o, "table_type", ""), "VIEW");
		if ((views && !is_view) || !like_match(pat, n))
			continue;
		rc = row3(c, nm.schema, n, "false");
	}
	json_object_put(l);
	free(pat);
	return rc;
}

static clxs_code show_columns(lhs_ctx *c)
{
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	if (!rc && (lhs_accept_kw(c, "IN") || lhs_accept_kw(c, "FROM"))) {
		/* SHOW COLUMNS IN t IN schema: schema given separately */
		lhs_qname q;
		if (!(rc = lhs_qname_parse(c, &q))) {
			lhs_name s;
			if (!(rc = lhs_resolve2(c, &q, &s))) {
				snprintf(nm.catalog, sizeof(nm.catalog), "%s", s.catalog);
				snprintf(nm.schema, sizeof(nm.schema), "%s", s.schema);
			}
			lhs_qname_free(&q);
		}
	}
	json_object *t = NULL, *cols = NULL;
	if (!rc && !(rc = lhs_expect_eof(c)))
		rc = clxs_lh_table_get(c->lh, &nm.n, &t, c->err);
	if (!rc)
		rc = lhs_res_columns(c, (const char *const[]){"col_name"}, (const char *const[]){"STRING"}, 1);
	json_object_object_get_ex(t, "columns", &cols);
	for (size_t i = 0; !rc && i < json_object_array_length(cols); i++) {
		const char *n = clxs_json_str(json_object_array_get_idx(cols, i), "name", "");
		rc = lhs_res_row(c, &n, 1);
	}
	json_object_put(t);
	return rc;
}

static clxs_code show_tblproperties(lhs_ctx *c)
{
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	json_object *keys = NULL, *t = NULL, *props = NULL;
	if (!rc && lhs_tok_punct(&c->k, c->p, '('))
		rc = lhs_keylist(c, &keys);
	if (!rc && !(rc = lhs_expect_eof(c)))
		rc = clxs_lh_table_get(c->lh, &nm.n, &t, c->err);
	if (!rc)
		rc = lhs_res_columns(c, (const char *const[]){"key", "value"},
				     (const char *const[]){"STRING", "STRING"}, 2);
	json_object_object_get_ex(t, "properties", &props);
	if (!rc && keys) {
		for (size_t i = 0; !rc && i < json_object_array_length(keys); i++) {
			const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
			json_object *v = NULL;
			char *missing = NULL;
			if (!json_object_object_get_ex(props, k, &v) &&
			    asprintf(&missing, "Table %s does not have property: %s", nm.name, k) < 0) {
				rc = lhs_oom(c);
				break;
			}
			const char *row[2] = {k, v ? json_object_get_string(v) : missing};
			rc = lhs_res_row(c, row, 2);
			free(missing);
		}
	} else if (!rc) {
		json_object_object_foreach(props, k, v) {
			const char *row[2] = {k, json_object_get_string(v)};
			if ((rc = lhs_res_row(c, row, 2)))
				break;
		}
	}
	json_object_put(keys);
	json_object_put(t);
	return rc;
}

/* ---- maintenance ------------------------------------------------------------------------ */

static clxs_code metrics_row(lhs_ctx *c, json_object *m, const char *const *names,
			     const char *const *keys, size_t n)
{
	int64_t v[16];
	for (size_t i = 0; i < n && i < 16; i++) {
		json_object *x = NULL;
		v[i] = m && json_object_object_get_ex(m, keys[i], &x) ? json_object_get_int64(x) : 0;
		if (x && json_object_is_type(x, json_type_string))
			v[i] = atoll(json_object_get_string(x));
	}
	return lhs_res_counts(c, names, v, n);
}

static clxs_code restore(lhs_ctx *c)
{
	lhs_accept_kw(c, "TABLE");
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	if (rc)
		return rc;
	lhs_accept_kw(c, "TO");
	clxs_lh_at at;
	bool found = false;
	if ((rc = lhs_at_clause(c, &c->k, &c->p, &at, &found)))
		return rc;
	if (!found)
		return lhs_syntax(c);
	if ((rc = lhs_expect_eof(c)))
		return rc;
	json_object *m = NULL;
	if (!(rc = clxs_lh_restore(c->lh, &nm.n, &at, &m, c->err)))
		rc = metrics_row(c, m,
				 (const char *const[]){"table_size_after_restore", "num_of_files_after_restore",
						       "num_removed_files", "num_restored_files",
						       "removed_files_size", "restored_files_size"},
				 (const char *const[]){"tableSizeAfterRestore", "numOfFilesAfterRestore",
						       "numRemovedFiles", "numRestoredFiles",
						       "removedFilesSize", "restoredFilesSize"}, 6);
	json_object_put(m);
	return rc;
}

static clxs_code vacuum(lhs_ctx *c)
{
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	double hours = -1;
	bool dry = false;
	while (!rc && !lhs_at_eof(c)) {
		if (lhs_accept_kw(c, "RETAIN")) {
			if (!(rc = lhs_number(c, &hours)))
				rc = lhs_expect_kw(c, "HOURS");
		} else if (lhs_accept_kws(c, (const char *const[]){"DRY", "RUN", NULL})) {
			dry = true;
		} else if (lhs_accept_kw(c, "LITE") || lhs_accept_kw(c, "FULL")) {
		} else
			rc = lhs_syntax(c);
	}
	json_object *out = NULL, *files = NULL;
	if (!rc)
		rc = clxs_lh_vacuum(c->lh, &nm.n, hours, dry, &out, c->err);
	if (!rc)
		rc = lhs_res_columns(c, (const char *const[]){"path"}, (const char *const[]){"STRING"}, 1);
	if (!rc && dry) {
		json_object_object_get_ex(out, "files", &files);
		for (size_t i = 0; !rc && i < json_object_array_length(files); i++) {
			const char *f = json_object_get_string(json_object_array_get_idx(files, i));
			rc = lhs_res_row(c, &f, 1);
		}
	} else if (!rc) {
		json_object *d = NULL;
		if (!(rc = clxs_lh_table_detail(c->lh, &nm.n, &d, c->err))) {
			const char *loc = clxs_json_str(d, "location", "");
			rc = lhs_res_row(c, &loc, 1);
		}
		json_object_put(d);
	}
	json_object_put(out);
	return rc;
}

static clxs_code optimize(lhs_ctx *c)
{
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	json_object *z = NULL;
	if (!rc && lhs_at_kw(c, "WHERE"))
		rc = lhs_unsupported(c, "OPTIMIZE ... WHERE");
	if (!rc && lhs_accept_kws(c, (const char *const[]){"ZORDER", "BY", NULL})) {
		if (lhs_tok_punct(&c->k, c->p, '('))
			rc = lhs_identlist(c, &z);
		else {
			z = json_object_new_array();
			do {
				char *id = NULL;
				if ((rc = lhs_ident(c, &id)))
					break;
				json_object_array_add(z, json_object_new_string(id));
				free(id);
			} while (lhs_accept_punct(c, ','));
		}
	}
	if (!rc)
		rc = lhs_expect_eof(c);
	size_t nz = z ? json_object_array_length(z) : 0;
	const char **zc = calloc(nz + 1, sizeof(char *));
	if (!rc && !zc)
		rc = lhs_oom(c);
	for (size_t i = 0; !rc && i < nz; i++)
		zc[i] = json_object_get_string(json_object_array_get_idx(z, i));
	json_object *m = NULL, *d = NULL;
	if (!rc)
		rc = clxs_lh_optimize(c->lh, &nm.n, zc, nz, &m, c->err);
	if (!rc)
		rc = clxs_lh_table_detail(c->lh, &nm.n, &d, c->err);
	if (!rc)
		rc = lhs_res_columns(c, (const char *const[]){"path", "metrics"},
				     (const char *const[]){"STRING", "STRUCT"}, 2);
	if (!rc) {
		const char *row[2] = {clxs_json_str(d, "location", ""),
				      json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN)};
		rc = lhs_res_row(c, row, 2);
	}
	json_object_put(m);
	json_object_put(d);
	json_object_put(z);
	free(zc);
	return rc;
}

static clxs_code convert(lhs_ctx *c)
{
	lhs_name nm;
	if (lhs_tok_ident(&c->k, c->p) && lhs_tok_punct(&c->k, c->p + 1, '.') &&
	    c->k.t[c->p + 2]->kind == CLXS_TOK_QUOTED_IDENT &&
	    strchr(c->k.t[c->p + 2]->value, '/'))
		return lhs_unsupported(c, "CONVERT TO DELTA on a path");
	clxs_code rc = table_name(c, &nm);
	lhs_accept_kws(c, (const char *const[]){"NO", "STATISTICS", NULL});
	if (!rc && lhs_at_kw(c, "PARTITIONED"))
		rc = lhs_unsupported(c, "CONVERT TO DELTA ... PARTITIONED BY");
	if (!rc && !(rc = lhs_expect_eof(c)))
		rc = clxs_lh_convert_to_delta(c->lh, &nm.n, c->err);
	return rc;
}

/* ---- COMMENT ON / ALTER ---------------------------------------------------------------- */

static clxs_code set_comment(lhs_ctx *c, const char *kind, const lhs_qname *q, const char *comment)
{
	clxs_lh_update u = {.set_comment = true, .comment = comment};
	lhs_name nm;
	clxs_code rc;
	if (!strcmp(kind, "CATALOG")) {
		char n[LH_NAME_MAX + 1];
		if (q->n != 1)
			return lhs_syntax_at(c, &c->k, q->first_tok);
		if ((rc = lh_name_norm(q->part[0], "catalog", n, c->err)))
			return rc;
		return clxs_lh_catalog_update(c->lh, n, &u, c->err);
	}
	if (!strcmp(kind, "SCHEMA")) {
		if ((rc = lhs_resolve2(c, q, &nm)))
			return rc;
		return clxs_lh_schema_update(c->lh, nm.catalog, nm.schema, &u, c->err);
	}
	if ((rc = lhs_resolve3(c, q, NULL, NULL, &nm)))
		return rc;
	if (!strcmp(kind, "VOLUME")) {
		clxs_lh_sec s;
		if ((rc = clxs_lh_sec_resolve(c->lh, CLXS_LH_SEC_VOLUME, &nm.n, &s, NULL, c->err)))
			return rc;
		return clxs_lh_sec_set_comment(c->lh, &s, comment, c->err);
	}
	return clxs_lh_table_update(c->lh, &nm.n, &u, c->err);
}

static clxs_code comment_on(lhs_ctx *c)
{
	const char *kind = lhs_accept_kw(c, "CATALOG") ? "CATALOG"
		: lhs_accept_kw(c, "SCHEMA") || lhs_accept_kw(c, "DATABASE") ? "SCHEMA"
		: lhs_accept_kw(c, "TABLE") || lhs_accept_kw(c, "VIEW") ? "TABLE"
		: lhs_accept_kw(c, "VOLUME") ? "VOLUME" : lhs_accept_kw(c, "COLUMN") ? "COLUMN" : NULL;
	if (!kind)
		return lhs_syntax(c);
	lhs_qname q;
	clxs_code rc;
	char *comment = NULL, *col = NULL;
	if (!strcmp(kind, "COLUMN")) {
		/* [[c.]s.]t.col */
		memset(&q, 0, sizeof(q));
		char *parts[4] = {0};
		int n = 0;
		do {
			if (n == 4 || (rc = lhs_ident(c, &parts[n]))) {
				for (int i = 0; i < n; i++)
					free(parts[i]);
				return n == 4 ? lhs_syntax(c) : rc;
			}
			n++;
		} while (lhs_accept_punct(c, '.'));
		if (n < 2) {
			free(parts[0]);
			return lhs_syntax(c);
		}
		col = parts[n - 1];
		for (int i = 0; i < n - 1; i++)
			q.part[i] = parts[i];
		q.n = n - 1;
	} else if ((rc = lhs_qname_parse(c, &q)))
		return rc;
	if (!(rc = lhs_expect_kw(c, "IS"))) {
		if (!lhs_accept_kw(c, "NULL"))
			rc = lhs_string(c, &comment);
	}
	if (!rc && !(rc = lhs_expect_eof(c))) {
		if (col) {
			lhs_name nm;
			if (!(rc = lhs_resolve3(c, &q, NULL, NULL, &nm)))
				rc = clxs_lh_column_comment(c->lh, &nm.n, col, comment, c->err);
		} else
			rc = set_comment(c, kind, &q, comment);
	}
	lhs_qname_free(&q);
	free(col);
	free(comment);
	return rc;
}

/* ALTER CATALOG|SCHEMA name [SET] OWNER TO p | SET DBPROPERTIES (...) */
static clxs_code alter_container(lhs_ctx *c, bool catalog, bool *handled)
{
	size_t save = c->p;
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	bool set = lhs_accept_kw(c, "SET");
	clxs_lh_update u = {0};
	char *p = NULL;
	json_object *props = NULL;
	if (lhs_accept_kws(c, (const char *const[]){"OWNER", "TO", NULL})) {
		rc = principal(c, &p);
		u.owner = p;
	} else if (set && (lhs_accept_kw(c, "DBPROPERTIES") || lhs_accept_kw(c, "PROPERTIES"))) {
		rc = lhs_props(c, &props);
		u.set_properties = props;
	} else {
		lhs_qname_free(&q);
		c->p = save;
		*handled = false;
		return CLXS_OK;
	}
	if (!rc && !(rc = lhs_expect_eof(c))) {
		lhs_name nm;
		if (catalog) {
			char n[LH_NAME_MAX + 1];
			if (q.n != 1)
				rc = lhs_syntax_at(c, &c->k, q.first_tok);
			else if (!(rc = lh_name_norm(q.part[0], "catalog", n, c->err)))
				rc = clxs_lh_catalog_update(c->lh, n, &u, c->err);
		} else if (!(rc = lhs_resolve2(c, &q, &nm)))
			rc = clxs_lh_schema_update(c->lh, nm.catalog, nm.schema, &u, c->err);
	}
	free(p);
	json_object_put(props);
	lhs_qname_free(&q);
	return rc;
}

/* ADD [COLUMN|COLUMNS] [(] c TYPE [NOT NULL] [COMMENT '...'], ... [)] and
 * DROP COLUMN|COLUMNS [IF EXISTS] [(] c, ... [)] (lh_evolve.c). */
static clxs_code alter_columns(lhs_ctx *c, const lhs_name *nm, clxs_lh_col_change_kind kind)
{
	bool if_exists = kind == CLXS_LH_COL_DROP && lhs_accept_kws(c, (const char *const[]){"IF", "EXISTS", NULL});
	if (kind == CLXS_LH_COL_ADD && !lhs_accept_kw(c, "COLUMNS"))
		lhs_accept_kw(c, "COLUMN");
	bool paren = lhs_accept_punct(c, '(');
	clxs_lh_col_change ch[64];
	char *owned[3 * 64];
	size_t n = 0, no = 0;
	clxs_code rc = CLXS_OK;
	do {
		if (n == 64) {
			rc = lhs_unsupported(c, "More than 64 columns in one ALTER TABLE");
			break;
		}
		char *name = NULL, *ty = NULL, *cm = NULL;
		if ((rc = lhs_ident(c, &name)))
			break;
		owned[no++] = name;
		ch[n] = (clxs_lh_col_change){.kind = kind, .name = name, .nullable = true};
		if (kind == CLXS_LH_COL_ADD) {
			if ((rc = lhs_type(c, &ty)))
				break;
			owned[no++] = ty;
			ch[n].type_text = ty;
			if (lhs_accept_kws(c, (const char *const[]){"NOT", "NULL", NULL}))
				ch[n].nullable = false;
			if (lhs_accept_kw(c, "COMMENT")) {
				if ((rc = lhs_string(c, &cm)))
					break;
				owned[no++] = cm;
				ch[n].comment = cm;
			}
		}
		n++;
	} while (lhs_accept_punct(c, ','));
	if (!rc && paren)
		rc = lhs_expect_punct(c, ')');
	if (!rc && !(rc = lhs_expect_eof(c)))
		rc = clxs_lh_columns_alter(c->lh, &nm->n, ch, n, if_exists, c->err);
	for (size_t i = 0; i < no; i++)
		free(owned[i]);
	return rc;
}

static clxs_code alter_table(lhs_ctx *c, bool *handled)
{
	size_t save = c->p;
	lhs_name nm;
	clxs_code rc = table_name(c, &nm);
	if (rc)
		return rc;
	if (lhs_accept_kws(c, (const char *const[]){"SET", "TBLPROPERTIES", NULL})) {
		json_object *p = NULL;
		if ((rc = lhs_props(c, &p)) || (rc = lhs_expect_eof(c))) {
			json_object_put(p);
			return rc;
		}
		clxs_lh_update u = {.set_properties = p};
		rc = clxs_lh_table_update(c->lh, &nm.n, &u, c->err);
		json_object_put(p);
		return rc;
	}
	if (lhs_accept_kws(c, (const char *const[]){"UNSET", "TBLPROPERTIES", NULL})) {
		bool ie = lhs_accept_kws(c, (const char *const[]){"IF", "EXISTS", NULL});
		json_object *k = NULL;
		if ((rc = lhs_keylist(c, &k)) || (rc = lhs_expect_eof(c))) {
			json_object_put(k);
			return rc;
		}
		clxs_lh_update u = {.unset_properties = k, .unset_if_exists = ie};
		rc = clxs_lh_table_update(c->lh, &nm.n, &u, c->err);
		json_object_put(k);
		return rc;
	}
	if (lhs_accept_kw(c, "ADD")) {
		if (!lhs_at_kw(c, "CONSTRAINT") && !lhs_at_kw(c, "CHECK") && !lhs_at_kw(c, "PRIMARY") &&
		    !lhs_at_kw(c, "FOREIGN"))
			return alter_columns(c, &nm, CLXS_LH_COL_ADD);
		return lhs_alter_add_constraint(c, &nm);
	}
	if (lhs_accept_kws(c, (const char *const[]){"DROP", "COLUMN", NULL}) ||
	    lhs_accept_kws(c, (const char *const[]){"DROP", "COLUMNS", NULL}))
		return alter_columns(c, &nm, CLXS_LH_COL_DROP);
	if (lhs_accept_kws(c, (const char *const[]){"DROP", "CONSTRAINT", NULL})) {
		bool ie = lhs_accept_kws(c, (const char *const[]){"IF", "EXISTS", NULL});
		char *n = NULL;
		if ((rc = lhs_ident(c, &n)))
			return rc;
		if (!lhs_accept_kw(c, "CASCADE"))
			lhs_accept_kw(c, "RESTRICT");
		if (!(rc = lhs_expect_eof(c)))
			rc = clxs_lh_constraint_drop(c->lh, &nm.n, n, ie, c->err);
		free(n);
		return rc;
	}
	if (lhs_accept_kws(c, (const char *const[]){"DROP", "PRIMARY", "KEY", NULL})) {
		/* the table's primary key, whatever its name */
		lh_tbl tb;
		if ((rc = lh_tbl_resolve(c->lh, &nm.n, &tb, NULL, c->err)))
			return rc;
		lhs_accept_kws(c, (const char *const[]){"IF", "EXISTS", NULL});
		lhs_accept_kw(c, "CASCADE");
		sqlite3_stmt *st;
		if ((rc = lh_stmt(c->lh, c->err, &st,
				  "SELECT name FROM lh_constraints WHERE table_id=? AND kind='PRIMARY KEY'",
				  "i", tb.id)))
			return rc;
		char *pk = sqlite3_step(st) == SQLITE_ROW ? strdup(lh_col_text(st, 0)) : NULL;
		sqlite3_finalize(st);
		if (!(rc = lhs_expect_eof(c)))
			rc = pk ? clxs_lh_constraint_drop(c->lh, &nm.n, pk, false, c->err)
				: lh_fail(c->err, CLXS_ENOTFOUND, "DELTA_CONSTRAINT_DOES_NOT_EXIST",
					  "Table %s has no primary key.", tb.full);
		free(pk);
		return rc;
	}
	if ((lhs_at_kw(c, "ALTER") || lhs_at_kw(c, "CHANGE"))) {
		size_t p0 = c->p;
		c->p++;
		lhs_accept_kw(c, "COLUMN");
		char *col = NULL;
		if ((rc = lhs_ident(c, &col)))
			return rc;
		if (lhs_accept_kw(c, "COMMENT")) {
			char *cm = NULL;
			if (!(rc = lhs_string(c, &cm)) && !(rc = lhs_expect_eof(c)))
				rc = clxs_lh_column_comment(c->lh, &nm.n, col, cm, c->err);
			free(cm);
			free(col);
			return rc;
		}
		clxs_lh_col_change ch = {.name = col};
		char *ty = NULL;
		bool known = true;
		if (lhs_accept_kw(c, "TYPE")) {
			ch.kind = CLXS_LH_COL_TYPE;
			rc = lhs_type(c, &ty);
			ch.type_text = ty;
		} else if (lhs_accept_kws(c, (const char *const[]){"SET", "NOT", "NULL", NULL})) {
			ch.kind = CLXS_LH_COL_NULLABLE;
		} else if (lhs_accept_kws(c, (const char *const[]){"DROP", "NOT", "NULL", NULL})) {
			ch.kind = CLXS_LH_COL_NULLABLE;
			ch.nullable = true;
		} else {
			known = false;
		}
		if (known) {
			if (!rc && !(rc = lhs_expect_eof(c)))
				rc = clxs_lh_columns_alter(c->lh, &nm.n, &ch, 1, false, c->err);
			free(ty);
			free(col);
			return rc;
		}
		free(col);
		c->p = p0;
	}
	lhs_accept_kw(c, "SET");
	if (lhs_accept_kws(c, (const char *const[]){"OWNER", "TO", NULL})) {
		char *p = NULL;
		if (!(rc = principal(c, &p)) && !(rc = lhs_expect_eof(c))) {
			clxs_lh_update u = {.owner = p};
			rc = clxs_lh_table_update(c->lh, &nm.n, &u, c->err);
		}
		free(p);
		return rc;
	}
	/* tags, masks, row filters: governance */
	c->p = save;
	*handled = false;
	return CLXS_OK;
}

clxs_code lhs_exec_util(lhs_ctx *c, bool *handled)
{
	*handled = true;
	size_t save = c->p;
	if (lhs_accept_kw(c, "DESCRIBE") || lhs_accept_kw(c, "DESC")) {
		if (lhs_accept_kw(c, "HISTORY"))
			return describe_history(c);
		if (lhs_accept_kw(c, "DETAIL"))
			return describe_detail(c);
		if (lhs_at_kw(c, "CATALOG") || lhs_at_kw(c, "SCHEMA") || lhs_at_kw(c, "DATABASE") ||
		    lhs_at_kw(c, "FUNCTION") || lhs_at_kw(c, "VOLUME") || lhs_at_kw(c, "QUERY"))
			return lhs_unsupported(c, "DESCRIBE CATALOG/SCHEMA/FUNCTION/VOLUME/QUERY");
		lhs_accept_kw(c, "TABLE");
		return describe_table(c);
	}
	if (lhs_accept_kw(c, "SHOW")) {
		if (lhs_accept_kw(c, "CATALOGS"))
			return show_catalogs(c);
		if (lhs_accept_kw(c, "SCHEMAS") || lhs_accept_kw(c, "DATABASES"))
			return show_schemas(c);
		if (lhs_accept_kw(c, "TABLES"))
			return show_tables(c, false);
		if (lhs_accept_kw(c, "VIEWS"))
			return show_tables(c, true);
		if (lhs_accept_kw(c, "COLUMNS")) {
			if (!lhs_accept_kw(c, "IN") && !lhs_accept_kw(c, "FROM"))
				return lhs_syntax(c);
			return show_columns(c);
		}
		if (lhs_accept_kw(c, "TBLPROPERTIES"))
			return show_tblproperties(c);
		c->p = save;
		*handled = false;
		return CLXS_OK;
	}
	if (lhs_accept_kw(c, "RESTORE"))
		return restore(c);
	if (lhs_accept_kw(c, "VACUUM"))
		return vacuum(c);
	if (lhs_accept_kw(c, "OPTIMIZE"))
		return optimize(c);
	if (lhs_accept_kws(c, (const char *const[]){"CONVERT", "TO", "DELTA", NULL}))
		return convert(c);
	if (lhs_accept_kws(c, (const char *const[]){"COMMENT", "ON", NULL}))
		return comment_on(c);
	if (lhs_accept_kw(c, "ALTER")) {
		clxs_code rc = CLXS_OK;
		if (lhs_accept_kw(c, "CATALOG"))
			rc = alter_container(c, true, handled);
		else if (lhs_accept_kw(c, "SCHEMA") || lhs_accept_kw(c, "DATABASE"))
			rc = alter_container(c, false, handled);
		else if (lhs_accept_kw(c, "TABLE") || lhs_accept_kw(c, "VIEW"))
			rc = alter_table(c, handled);
		else
			*handled = false;
		if (!*handled)
			c->p = save;
		return rc;
	}
	c->p = save;
	*handled = false;
	return CLXS_OK;
}
