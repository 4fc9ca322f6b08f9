/* The workspace an API request works on. Handlers never build a target
 * themselves: they ask here, so the login rules live in one place:
 *
 *   1. per-request headers X-Databricks-Host + X-Databricks-Token
 *      (optionally X-Databricks-Warehouse-Id),
 *   2. else the login session named by the clxs_session cookie,
 *   3. else the configured default workspace: the embedded lakehouse in
 *      STATE/lakehouse, opened in-process.
 *
 * The SQL warehouse of a remote target is the request body's
 * "warehouse_id", else the header, else the config's sql_warehouse_id,
 * else the one picked at login. */
#ifndef CLXS_API_TARGET_H
#define CLXS_API_TARGET_H

#include <json-c/json.h>
#include <stdbool.h>

#include "clxs/api.h"
#include "clxs/target.h"

typedef enum {
	CLXS_API_SRC_DEFAULT = 0, /* the embedded lakehouse */
	CLXS_API_SRC_SESSION,     /* the login session's workspace */
	CLXS_API_SRC_HEADER,      /* X-Databricks-* headers of this request */
} clxs_api_source;

typedef struct {
	clxs_api_source source;
	char host[1024];       /* "" for the embedded lakehouse */
	char auth_method[32];  /* "pat", "service-principal", "profile", "embedded", ... */
	char user[256];        /* known from the session; "" otherwise */
	char profile[128];     /* databrickscfg profile of a use-profile session */
	char session_id[72];   /* the cookie's session id, "" when none */
	bool stale_session;    /* a cookie named a session that is gone */
} clxs_api_target_info;

/* Where this request goes, as a target spec (clxs_target_open's shape)
 * that may be stored in a job's params: it never holds a plaintext secret
 * (tokens and client secrets are sealed, see clxs/secret.h). info may be
 * NULL. A cookie naming an expired or logged-out session is CLXS_EAUTH
 * (info->stale_session set), never a silent fall back to another
 * workspace. NULL with err set on failure. */
json_object *clxs_api_target_resolve(clxs_req *req, clxs_api_target_info *info, clxs_error *err);
json_object *clxs_api_target_spec(clxs_req *req, clxs_error *err);

enum {
	/* Open a remote target without a SQL warehouse (REST-only work:
	 * listing warehouses, SCIM Me, Unity Catalog listings). */
	CLXS_API_TARGET_NO_WAREHOUSE = 1u << 0,
};

/* Open the request's target (clxs_target_close when done). */
clxs_code clxs_api_target_open(clxs_req *req, clxs_target *t, clxs_error *err);
clxs_code clxs_api_target_open_ex(clxs_req *req, unsigned flags, clxs_target *t,
				  clxs_api_target_info *info, clxs_error *err);

/* The server's own API token (config server.api_token): true when none is
 * configured and the request reached a loopback address, or when the
 * request carries it as "Authorization: Bearer <token>" or "X-API-Token".
 * Compared in constant time. The dispatcher calls this for every route
 * but /api/health. */
bool clxs_api_token_ok(const clxs_api_ctx *ctx, const clxs_http_in *in, const char **why);

#endif
