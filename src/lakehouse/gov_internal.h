/* Internals shared by the governance files (src/lakehouse/gov_*.c); not a
 * public header. */
#ifndef CLXS_GOV_INTERNAL_H
#define CLXS_GOV_INTERNAL_H

#include "clxs/lakehouse_gov.h"

/* The lh_grants / lh_tags column holding a securable of kind k's id (the
 * one that carries the ON DELETE CASCADE). */
const char *gov_id_col(clxs_lh_sec_kind k);

/* The VolumeInfo / FunctionInfo of the row id (gov_info.c). */
clxs_code gov_info_by_id(clxs_lh *lh, clxs_lh_sec_kind kind, const char *metastore_id, int64_t id,
			 json_object **out, clxs_error *err);

#endif
