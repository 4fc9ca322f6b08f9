/* Unity Catalog REST helpers: paginated lists, SCIM Me, SQL warehouses. */
#include "ws_internal.h"

#include <stdlib.h>
#include <string.h>

#include "clxs/json.h"

/* Guard against a server that keeps handing out page tokens. */
#define MAX_PAGES 100000

clxs_code clxs_ws_list(clxs_ws_client *c, const char *path, const char *const *query,
		       const char *array_field, int max_results, json_object **out,
		       clxs_error *err)
{
	*out = NULL;
	size_t nq = 0;
	while (query && query[nq])
		nq += 2;
	/* The caller's pairs, then max_results and page_token. */
	const char **q = calloc(nq + 5, sizeof(*q));
	json_object *all = json_object_new_array();
	char *token = NULL;
	clxs_code rc = CLXS_OK;
	if (!q || !all) {
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nq; i++)
		q[i] = query[i];
	char maxbuf[24];
	size_t k = nq;
	if (max_results > 0) {
		snprintf(maxbuf, sizeof(maxbuf), "%d", max_results);
		q[k++] = "max_results";
		q[k++] = maxbuf;
	}
	size_t tok_slot = k;
	for (int page = 0;; page++) {
		if (page >= MAX_PAGES) {
			rc = clxs_fail(err, CLXS_EINTERNAL, "MALFORMED_RESPONSE",
				       "%s: more than %d pages", path, MAX_PAGES);
			break;
		}
		q[tok_slot] = token ? "page_token" : NULL;
		q[tok_slot + 1] = token;
		json_object *resp = NULL;
		rc = clxs_ws_call(c, "GET", path, q, NULL, &resp, err);
		if (rc != CLXS_OK)
			break;
		json_object *items;
		if (json_object_object_get_ex(resp, array_field, &items) && items) {
			if (!json_object_is_type(items, json_type_array)) {
				json_object_put(resp);
				rc = clxs_fail(err, CLXS_EINTERNAL, "MALFORMED_RESPONSE",
					       "%s: '%s' is not an array", path, array_field);
				break;
			}
			size_t n = json_object_array_length(items);
			for (size_t i = 0; i < n && rc == CLXS_OK; i++) {
				json_object *it = json_object_array_get_idx(items, i);
				if (json_object_array_add(all, json_object_get(it)) < 0) {
					json_object_put(it);
					rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
				}
			}
		}
		const char *next = clxs_json_str(resp, "next_page_token", NULL);
		if (rc == CLXS_OK && next && *next && token && strcmp(next, token) == 0)
			rc = clxs_fail(err, CLXS_EINTERNAL, "MALFORMED_RESPONSE",
				       "%s: next_page_token repeats", path);
		char *copy = rc == CLXS_OK && next && *next ? strdup(next) : NULL;
		bool more = rc == CLXS_OK && next && *next;
		json_object_put(resp);
		free(token);
		token = copy;
		if (more && !copy)
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		if (rc != CLXS_OK || !more)
			break;
	}
out:
	free(token);
	free(q);
	if (rc != CLXS_OK) {
		json_object_put(all);
		return rc;
	}
	*out = all;
	return CLXS_OK;
}

clxs_code clxs_ws_current_user(clxs_ws_client *c, char **user, clxs_error *err)
{
	*user = NULL;
	json_object *me = NULL;
	clxs_code rc = clxs_ws_call(c, "GET", "/api/2.0/preview/scim/v2/Me", NULL, NULL, &me, err);
	if (rc != CLXS_OK)
		return rc;
	const char *name = clxs_json_str(me, "userName", NULL);
	/* Service principals have no userName in some workspaces. */
	if (!name)
		name = clxs_json_str(me, "displayName", NULL);
	if (!name) {
		rc = clxs_fail(err, CLXS_EINTERNAL, "MALFORMED_RESPONSE", "SCIM Me returned no userName");
	} else if (!(*user = strdup(name))) {
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	json_object_put(me);
	return rc;
}

clxs_code clxs_ws_warehouses(clxs_ws_client *c, json_object **out, clxs_error *err)
{
	return clxs_ws_list(c, "/api/2.0/sql/warehouses", NULL, "warehouses", 0, out, err);
}
