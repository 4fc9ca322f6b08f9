/* Internals of the lakehouse SQL front end (src/lakehouse/sql_*.c): the
 * statement context, a cursor over the tokens of one statement, the query
 * translator (Databricks SQL -> SQLite SQL over table snapshots) and result
 * building. Not a public header. See docs/lakehouse-sql.md. */
#ifndef CLXS_LH_SQL_INTERNAL_H
#define CLXS_LH_SQL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clxs/buf.h"
#include "clxs/lakehouse.h"
#include "clxs/sql_token.h"
#include "lh_internal.h"

/* Nesting limits: parentheses in one statement, and views/functions
 * expanded inside each other (a view over itself would loop forever). */
#define LHS_MAX_DEPTH 200
#define LHS_MAX_EXPAND 16

/* ---- tokens ------------------------------------------------------------------ */

/* The significant tokens (no whitespace or comments) of one text; the last
 * is EOF. match[i] is the index of the bracket matching an opening '(' at
 * i (SIZE_MAX when none). */
typedef struct {
	const char *text;
	clxs_sql_tokens all;
	const clxs_sql_token **t;
	size_t *match;
	size_t n;
	unsigned serial;   /* distinguishes token lists inside one statement */
} lhs_toks;

typedef struct lhs_ctx lhs_ctx;

clxs_code lhs_toks_init(lhs_ctx *c, lhs_toks *k, const char *text, clxs_error *err);
void lhs_toks_free(lhs_toks *k);
/* ASCII case-insensitive keyword test of token i. */
bool lhs_tok_kw(const lhs_toks *k, size_t i, const char *kw);
bool lhs_tok_punct(const lhs_toks *k, size_t i, char ch);
bool lhs_tok_op(const lhs_toks *k, size_t i, const char *op);
/* Identifier (bare or backticked) value of token i, or NULL. */
const char *lhs_tok_ident(const lhs_toks *k, size_t i);

/* ---- statement context --------------------------------------------------------- */

typedef struct {
	char *name;
	int kind;          /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
	int64_t i;
	double d;
	char *s;
} lhs_param;

/* A table reference resolved while translating: its columns at the version
 * read and the physical data tables its snapshot reads (for result types). */
typedef struct {
	char *alias;             /* lowercased */
	json_object *columns;    /* [{name,type_text,...}] or NULL (CTE, subquery) */
	int64_t *phys;
	size_t nphys;
} lhs_ref;

/* A qualified name as written: 1 to 3 parts. */
typedef struct {
	char *part[3];
	int n;
	size_t first_tok, last_tok;
} lhs_qname;

struct lhs_ctx {
	clxs_lh *lh;
	sqlite3 *db;
	const clxs_lh_exec_opts *opts;
	const char *catalog;     /* current catalog (may be NULL) */
	const char *schema;      /* current schema ("default" when none given) */
	lhs_toks k;              /* the statement */
	size_t p;                /* cursor into k */
	clxs_error *err;
	clxs_lh_result *res;
	lhs_param *params;
	size_t nparams;
	lhs_ref **refs;          /* every table reference of the statement */
	size_t nrefs;
	unsigned serial;
	int expand_depth;
	int tmp_seq;
	int64_t now_ms;          /* current_timestamp() of the statement */
};

/* Cursor over c->k. */
const clxs_sql_token *lhs_cur(lhs_ctx *c);
bool lhs_at_kw(lhs_ctx *c, const char *kw);
bool lhs_accept_kw(lhs_ctx *c, const char *kw);
/* Accept a sequence of keywords, all or nothing ("IF", "NOT", "EXISTS"). */
bool lhs_accept_kws(lhs_ctx *c, const char *const *kws);
clxs_code lhs_expect_kw(lhs_ctx *c, const char *kw);
bool lhs_accept_punct(lhs_ctx *c, char ch);
clxs_code lhs_expect_punct(lhs_ctx *c, char ch);
bool lhs_at_eof(lhs_ctx *c);
clxs_code lhs_expect_eof(lhs_ctx *c);
/* PARSE_SYNTAX_ERROR at the current token (or token i). */
clxs_code lhs_syntax(lhs_ctx *c);
clxs_code lhs_syntax_at(lhs_ctx *c, const lhs_toks *k, size_t i);
clxs_code lhs_unsupported(lhs_ctx *c, const char *what);
/* Fail with CLXS_ENOMEM ("out of memory"). */
clxs_code lhs_oom(lhs_ctx *c);
/* An identifier (bare or backticked); *out is malloc'd. */
clxs_code lhs_ident(lhs_ctx *c, char **out);
clxs_code lhs_qname_parse(lhs_ctx *c, lhs_qname *q);
void lhs_qname_free(lhs_qname *q);
/* Resolve against the current catalog/schema into storage buffers. */
typedef struct {
	char catalog[LH_NAME_MAX + 1], schema[LH_NAME_MAX + 1], name[LH_NAME_MAX + 1];
	clxs_lh_name n;
} lhs_name;
clxs_code lhs_resolve3(lhs_ctx *c, const lhs_qname *q, const char *def_cat, const char *def_sch,
		       lhs_name *out);
/* Parse a table-like name and resolve it to three parts (current catalog
 * and schema by default). */
clxs_code lhs_name3(lhs_ctx *c, lhs_name *nm);
/* A 1- or 2-part schema name (catalog.schema). */
clxs_code lhs_resolve2(lhs_ctx *c, const lhs_qname *q, lhs_name *out);
/* String literal (adjacent ones concatenated); *out malloc'd. */
clxs_code lhs_string(lhs_ctx *c, char **out);
bool lhs_at_string(lhs_ctx *c);
/* Integer literal (suffixes allowed). */
clxs_code lhs_int(lhs_ctx *c, int64_t *out);
clxs_code lhs_number(lhs_ctx *c, double *out);
/* A Databricks type: returns its text normalised ("BIGINT", "DECIMAL(10,2)",
 * "ARRAY<STRING>") in *out (malloc'd). */
clxs_code lhs_type(lhs_ctx *c, char **out);
/* ('k' = 'v', ...) into a JSON object of strings; keys may be dotted names. */
clxs_code lhs_props(lhs_ctx *c, json_object **out);
/* ('k', ...) into a JSON array. */
clxs_code lhs_keylist(lhs_ctx *c, json_object **out);
/* (a, b, ...) identifiers into a JSON array. */
clxs_code lhs_identlist(lhs_ctx *c, json_object **out);
/* Time travel after a table name: VERSION AS OF n | TIMESTAMP AS OF 'ts'. */
clxs_code lhs_at_clause(lhs_ctx *c, const lhs_toks *k, size_t *i, clxs_lh_at *at, bool *found);

/* ---- translation ----------------------------------------------------------------- */

/* Column resolver hook for DML: given an optional qualifier and a column
 * name, append the SQLite text for it and return 1, return 0 to fall back to
 * the default (a quoted identifier), or -1 after filling the error. */
typedef int (*lhs_colres_fn)(void *arg, lhs_ctx *c, const char *qual, const char *name,
			     clxs_buf *out);

typedef struct lhs_level lhs_level;

typedef struct {
	lhs_ctx *c;
	const lhs_toks *k;
	const char *def_catalog, *def_schema;
	lhs_colres_fn colres;
	void *colres_arg;
	bool no_tables;      /* expressions of CHECK constraints, masks... */
	bool no_params;      /* stored text (views, CHECK): markers not allowed */
	/* SQL UDF expansion: parameter names and their translated arguments */
	const char *const *fparams;
	const char *const *fargs;
	size_t nfparams;
	char **ctes;
	size_t nctes;
	lhs_level *level;    /* innermost level being translated */
	lhs_level *outer;    /* the statement's outermost level */
	int depth;
} lhs_tr;

void lhs_tr_init(lhs_tr *t, lhs_ctx *c, const lhs_toks *k);
void lhs_tr_free(lhs_tr *t);
/* Translate tokens [from, to) of t->k as a query (or expression) into out. */
clxs_code lhs_tr_range(lhs_tr *t, size_t from, size_t to, clxs_buf *out);
/* Static type of the expression [from, to) of t->k (NULL: unknown). */
const char *lhs_infer_type(lhs_tr *t, size_t from, size_t to, char *buf, size_t bufsz);
/* One FROM-clause item at *i (name with time travel and alias, or a
 * parenthesised subquery): its SQLite text and, for tables, its ref. */
clxs_code lhs_tr_table_ref(lhs_tr *t, size_t *i, size_t to, clxs_buf *out, lhs_ref **ref);
/* The whole query [from, to) of c->k as SQLite text (malloc'd). */
clxs_code lhs_translate_query(lhs_ctx *c, size_t from, size_t to, char **out);
/* An expression over one table's columns (CHECK, predicates). */
clxs_code lhs_translate_expr(lhs_ctx *c, const lhs_toks *k, size_t from, size_t to,
			     lhs_colres_fn colres, void *arg, bool stored, char **out);
/* The SQLite expression casting `expr` to a Databricks type. */
clxs_code lhs_cast_sql(lhs_ctx *c, const char *type_text, const char *expr, clxs_buf *out);
/* Append a SQLite string literal ('...', quotes doubled). */
int lhs_sqlite_literal(clxs_buf *b, const char *s, size_t n);
/* Append a double-quoted SQLite identifier. */
int lhs_sqlite_ident(clxs_buf *b, const char *s);

/* Index of the token closing the expression/clause that starts at i:
 * the first token at bracket depth 0 in [i, to) that is one of the
 * keywords (NULL-terminated list) or a ',' when stop_comma. */
size_t lhs_scan_to(const lhs_toks *k, size_t i, size_t to, const char *const *kws, bool stop_comma);

/* ---- queries and results ---------------------------------------------------------- */

/* Run the query [from, to) of c->k and fill c->res. */
clxs_code lhs_run_query(lhs_ctx *c, size_t from, size_t to);
/* Prepare translated SQL and describe its columns (names and types) without
 * running it: for views and CTAS. *cols is an array of {name, type_text}. */
clxs_code lhs_describe_query(lhs_ctx *c, size_t from, size_t to, char **sqlite_sql,
			     json_object **cols);
/* Map a SQLite error to a Databricks error class in c->err. */
clxs_code lhs_sqlite_fail(lhs_ctx *c, const char *what);

clxs_code lhs_res_columns(lhs_ctx *c, const char *const *names, const char *const *types,
			  size_t n);
clxs_code lhs_res_row(lhs_ctx *c, const char *const *vals, size_t n);
/* Canonical lower-case type_text and its manifest type_name. */
void lhs_type_canon(const char *type_text, char *out, size_t outsz);
const char *lhs_type_name(const char *type_text);

/* Original text of tokens [from, to) of k (malloc'd). */
char *lhs_text(const lhs_toks *k, size_t from, size_t to);
/* A one-row result of bigint counters. */
clxs_code lhs_res_counts(lhs_ctx *c, const char *const *names, const int64_t *vals, size_t n);

/* ---- statement families ------------------------------------------------------------ */

clxs_code lhs_exec_ddl(lhs_ctx *c, bool *handled);
/* DROP TABLE / DROP VIEW [IF EXISTS] name (after the keywords): each refuses
 * the other kind of relation. */
clxs_code lhs_drop_relation(lhs_ctx *c, bool view);
/* ALTER TABLE nm ADD [CONSTRAINT name] CHECK|PRIMARY KEY|FOREIGN KEY ... */
clxs_code lhs_alter_add_constraint(lhs_ctx *c, const lhs_name *nm);
clxs_code lhs_exec_dml(lhs_ctx *c, bool *handled);
clxs_code lhs_exec_util(lhs_ctx *c, bool *handled);
clxs_code lhs_exec_gov(lhs_ctx *c, bool *handled);

/* ---- functions ------------------------------------------------------------------------ */

/* Register the Spark functions on the connection; ctx feeds :name markers,
 * current_user() and current_catalog(). NULL unhooks the context. */
clxs_code lhs_funcs_register(lhs_ctx *c, sqlite3 *db);
void lhs_funcs_unhook(sqlite3 *db);
/* Java's Double.toString-like text ("1.0", "0.1", "1.0E10"). */
void lhs_fmt_double(double d, char *buf, size_t bufsz);
/* Parse a date/timestamp text into days since the epoch and microseconds
 * of the day; 0 on success. */
int lhs_parse_datetime(const char *s, int64_t *days, int64_t *micros, bool *has_time);
/* Spark's hash() and xxhash64() over typed values (sql_hash.c). */
uint32_t lhs_murmur3_int(uint32_t v, uint32_t seed);
uint32_t lhs_murmur3_long(uint64_t v, uint32_t seed);
uint32_t lhs_murmur3_bytes(const unsigned char *p, size_t n, uint32_t seed);
uint64_t lhs_xxh64_int(uint32_t v, uint64_t seed);
uint64_t lhs_xxh64_long(uint64_t v, uint64_t seed);
uint64_t lhs_xxh64_bytes(const unsigned char *p, size_t n, uint64_t seed);

/* ---- governance hooks of the translator (sql_gov.c) ------------------------------------ */

/* Wrap a table's snapshot with its row filter and column masks: *wrapped
 * (malloc'd) is the text to use, NULL when the table has neither. */
clxs_code lhs_gov_wrap_table(lhs_tr *t, const lh_tbl *tb, const char *snap, json_object *cols,
			     char **wrapped);
/* When q names a SQL function in the metastore, append its body with the
 * arguments (tokens open+1 .. close-1 of t->k) substituted and return 1;
 * 0 when there is no such function; -1 on error. */
int lhs_udf_expand(lhs_tr *t, const lhs_qname *q, size_t open, size_t close, clxs_buf *out);

/* ---- information_schema ------------------------------------------------------------------ */

/* When (catalog, schema, name) names an information_schema view, append
 * its SQLite subquery and return 1; 0 when it is not one; -1 on error. */
int lhs_infoschema(lhs_ctx *c, const lhs_qname *q, clxs_buf *out, json_object **cols);
/* Same for system.query.history and system.access.{table,column}_lineage
 * (sql_systables.c). */
int lhs_systables(lhs_ctx *c, const lhs_qname *q, clxs_buf *out, json_object **cols);

#endif
