/* libFuzzer target for the SQL tokenizer and the tools built on it.
 * Not built by default; see mk/sql.am for the one-line build command.
 * Checks the invariants the rest of the code relies on: tokens tile the
 * input, and rewriting valid text yields text that tokenizes again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/sql_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sql = (const char *)data;
	clxs_sql_tokens t;
	clxs_error e;
	if (clxs_sql_tokenize(sql, size, &t, &e) == CLXS_OK) {
		size_t pos = 0;
		for (size_t i = 0; i < t.n; i++) {
			if (t.tok[i].start != pos)
				abort();
			pos += t.tok[i].len;
		}
		if (pos != size || t.tok[t.n - 1].kind != CLXS_TOK_EOF)
			abort();
		clxs_sql_tokens_free(&t);
	}
	clxs_sql_stmt *st;
	size_t n;
	if (clxs_sql_split(sql, size, &st, &n, &e) == CLXS_OK)
		clxs_sql_stmts_free(st, n);

	/* The string-based helpers need a NUL-terminated copy. */
	char *z = malloc(size + 1);
	if (!z)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	char *out;
	if (clxs_sql_rewrite_catalog(z, "main", "dev", &out, &e) == CLXS_OK) {
		if (clxs_sql_tokenize(out, strlen(out), &t, &e) != CLXS_OK)
			abort();
		clxs_sql_tokens_free(&t);
		free(out);
	}
	clxs_sql_ref *r;
	if (clxs_sql_references(z, &r, &n, &e) == CLXS_OK)
		clxs_sql_refs_free(r, n);
	free(z);
	return 0;
}
