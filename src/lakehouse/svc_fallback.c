/* Stand-ins for the SQL front end (src/lakehouse/sql_*.c) while it is not
 * built. This object sits in its own library, linked after the lakehouse
 * library: a static link only pulls it in when nothing earlier defined
 * these symbols, and the weak definitions cannot clash with the real ones
 * should both end up in one link. */
#include "clxs/lakehouse.h"

#include <stdio.h>

__attribute__((weak)) clxs_code clxs_lh_sql_exec(clxs_lh *lh, const char *sql,
						 const clxs_lh_exec_opts *opts,
						 clxs_lh_result *res, clxs_error *err)
{
	(void)lh;
	(void)sql;
	(void)opts;
	(void)res;
	return clxs_fail(err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
			 "[UNSUPPORTED_FEATURE] SQL front end not built: this lakehouse cannot run"
			 " SQL statements yet");
}

__attribute__((weak)) void clxs_lh_result_free(clxs_lh_result *res)
{
	if (!res)
		return;
	json_object_put(res->columns);
	json_object_put(res->rows);
	res->columns = NULL;
	res->rows = NULL;
	res->row_count = 0;
}
