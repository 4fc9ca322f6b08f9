/* Shared by the Auth section's handler files (api-auth*.c). */
#ifndef CLXS_API_AUTH_INTERNAL_H
#define CLXS_API_AUTH_INTERNAL_H

#include <stdbool.h>

#include "clxs/api.h"
#include "clxs/workspace.h"

/* A string field of the JSON body into *out. Missing (when required) or
 * of another type is a 422 naming the field; returns false then. */
bool clxs_auth_body_str(clxs_req *req, clxs_resp *resp, const char *name, bool required,
			const char **out);

/* Check credentials against the workspace (SCIM Me, then a best-effort
 * warehouse list) and, when they work, start a login session holding them:
 * the secret (token or client secret, may be NULL for profile and
 * environment logins) is sealed under the state key with the host as
 * associated data. fields adds {auth_type, client_id, tenant_id,
 * profile, ...} to the session record (may be NULL). Answers the reference's
 * {authenticated, user, host, auth_method}; a rejected login is 401. */
void clxs_auth_start_session(clxs_req *req, clxs_resp *resp, const clxs_ws_config *in,
			     const char *secret, const char *auth_method, json_object *fields);

#endif
