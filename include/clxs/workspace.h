/* The workspace client: the one data path from the engine to a Databricks
 * workspace (real, or the embedded lakehouse over HTTP or in-process).
 *
 * Layers, each in its own file under src/workspace/:
 *   ws_config.c     config resolution (explicit > env > ~/.databrickscfg),
 *                   host normalisation, masking of secrets
 *   ws_ini.c        the small INI reader for ~/.databrickscfg
 *   ws_http.c       libcurl transport: pooled easy handles sharing one
 *                   connection/DNS/TLS cache, or the in-process hook
 *   ws_client.c     retries with backoff, error mapping, JSON calls
 *   ws_auth.c       PAT, OAuth M2M and Azure service principal tokens
 *   ws_ratelimit.c  process-wide request rate and statement concurrency
 *   ws_statement.c  Statement Execution API 2.0
 *   ws_uc.c         Unity Catalog pagination, SCIM Me, SQL warehouses
 *
 * Errors: every failing call returns a clxs_code and fills a clxs_error.
 * When the workspace answered with a Databricks error, err->message is the
 * remote message and err->detail the remote error_code (for instance
 * "PERMISSION_DENIED"), so callers and API responses keep both.
 * Secrets (tokens, client secrets) are never logged. docs/workspace-client.md
 * describes the behaviour in full. */
#ifndef CLXS_WORKSPACE_H
#define CLXS_WORKSPACE_H

#include <json-c/json.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clxs/error.h"

/* ---- configuration ------------------------------------------------------ */

typedef enum {
	CLXS_WS_AUTH_UNSET = 0, /* resolve: pick from the credentials present */
	CLXS_WS_AUTH_NONE,      /* no Authorization header (local lakehouse) */
	CLXS_WS_AUTH_PAT,       /* "pat": Authorization: Bearer <token> */
	CLXS_WS_AUTH_OAUTH_M2M, /* "oauth-m2m": client credentials at {host}/oidc/v1/token */
	CLXS_WS_AUTH_AZURE_SP,  /* "azure-client-secret": Entra ID client credentials */
} clxs_ws_auth;

/* Every string is owned by the struct (malloc'd) and may be NULL. As an
 * input to clxs_ws_config_resolve() the fields are the explicit settings;
 * as its output they are the effective ones. */
typedef struct {
	char *host;
	char *token;
	char *client_id;
	char *client_secret;
	char *azure_tenant_id;
	char *azure_client_id;
	char *azure_client_secret;
	char *warehouse_id;
	char *profile;     /* profile to read (input) / profile used (output) */
	char *config_file; /* databrickscfg path (input) / path read (output) */
	/* Base URL of the Entra ID login service; NULL means
	 * https://login.microsoftonline.com. Tests point it at a local server. */
	char *azure_login_url;
	clxs_ws_auth auth;
} clxs_ws_config;

void clxs_ws_config_free(clxs_ws_config *cfg);
/* Deep copy; returns 0, or -1 on out-of-memory (dst is then empty). */
int clxs_ws_config_copy(clxs_ws_config *dst, const clxs_ws_config *src);

/* Resolve the effective configuration the way the Databricks SDKs do, field
 * by field: explicit (in) > environment > config-file profile. The profile
 * is in->profile, else $DATABRICKS_CONFIG_PROFILE, else DEFAULT; the file
 * is in->config_file, else $DATABRICKS_CONFIG_FILE, else ~/.databrickscfg.
 * A missing file or DEFAULT section is fine; a named profile that does not
 * exist is CLXS_ENOTFOUND. The host is normalised; the auth method is the
 * explicit one, else PAT when a token is set, else Azure SP when Azure
 * credentials and a tenant are set, else OAuth M2M when a client id and
 * secret are set. No host, or no credentials for a method other than NONE,
 * is CLXS_EAUTH. in may be NULL. out must be zeroed or freed. */
clxs_code clxs_ws_config_resolve(const clxs_ws_config *in, clxs_ws_config *out, clxs_error *err);

/* "adb-1.azuredatabricks.net/" -> "https://adb-1.azuredatabricks.net":
 * surrounding whitespace trimmed, https:// added when no scheme is given
 * (http:// is kept, for loopback), trailing slashes removed. Returns a new
 * string, or NULL with err set for an empty host, a scheme other than
 * http/https, or spaces/control characters. */
char *clxs_ws_host_normalize(const char *host, clxs_error *err);

/* The databrickscfg path: $DATABRICKS_CONFIG_FILE (with ~/ expanded) or
 * $HOME/.databrickscfg. Returns 0, or -1 when it does not fit in buf. */
int clxs_ws_config_file_path(char *buf, size_t len);

/* Profiles of a databrickscfg file in file order, as a json array of
 * {"name", "host", "auth_type"} (host normalised when valid, null when
 * absent; auth_type "pat", "oauth-m2m", "azure-client-secret" or null).
 * path NULL uses clxs_ws_config_file_path(). A missing file gives an empty
 * array; an unreadable or malformed one is an error. The CLI's
 * [__settings__] section is not a profile. */
clxs_code clxs_ws_profiles(const char *path, json_object **out, clxs_error *err);

/* Which DATABRICKS_* / ARM_* / AZURE_* variables are set, as an object of
 * name -> value or null, secrets masked (for GET /api/auth/env-vars). */
json_object *clxs_ws_env_report(void);

/* Mask a secret for display: NULL or "" -> "", fewer than 12 characters ->
 * "****", otherwise the first four characters and "****" ("dapi****").
 * Always NUL-terminates out (len >= 9 recommended). Returns out. */
char *clxs_ws_mask(const char *secret, char *out, size_t len);

/* "pat", "oauth-m2m", "azure-client-secret", "none" or "unset". */
const char *clxs_ws_auth_name(clxs_ws_auth auth);
/* Parse the names above (and "azure", "databricks"=oauth-m2m); -1 when unknown. */
int clxs_ws_auth_parse(const char *name);

/* ---- rate limit and statement concurrency ------------------------------ */

/* A token bucket (burst 1: requests are spaced at least 1/max_rps apart)
 * plus a counting semaphore for concurrent SQL statements. Thread-safe.
 * Every client uses the process-wide limiter unless its options name
 * another one, so the bound holds across all clients of a process. */
typedef struct clxs_ws_limiter clxs_ws_limiter;

clxs_ws_limiter *clxs_ws_limiter_new(double max_rps, int max_parallel_queries);
void clxs_ws_limiter_free(clxs_ws_limiter *lim);
/* The process-wide limiter (unlimited until configured). */
clxs_ws_limiter *clxs_ws_limiter_global(void);
/* Change the limits; 0 means unlimited for either. Statements already
 * holding a slot keep it. */
void clxs_ws_limiter_configure(clxs_ws_limiter *lim, double max_rps, int max_parallel_queries);
/* Block until the bucket allows one more request. */
void clxs_ws_limiter_acquire_request(clxs_ws_limiter *lim);
/* Take a statement slot, waiting while max_parallel_queries are taken.
 * should_stop (may be NULL) is polled while waiting; when it returns true
 * the wait ends and -1 is returned without a slot. Returns 0 with a slot. */
int clxs_ws_limiter_acquire_statement(clxs_ws_limiter *lim, bool (*should_stop)(void *ud), void *ud);
void clxs_ws_limiter_release_statement(clxs_ws_limiter *lim);

/* ---- client ------------------------------------------------------------- */

/* In-process transport: the lakehouse's library entry point, or a test
 * double. Called instead of HTTP with the method, the path with its query
 * string ("/api/2.1/unity-catalog/schemas?catalog_name=x") and the JSON
 * request body (NULL/0 when none). It stores a malloc'd response body
 * (may be NULL for an empty body; the client frees it) and the HTTP status,
 * and returns 0; a non-zero return is a transport failure, retried like a
 * network error. It must be thread-safe when the client is shared. */
typedef int (*clxs_ws_inproc_fn)(void *ud, const char *method, const char *path_and_query,
				 const char *body, size_t body_len, char **resp_body,
				 size_t *resp_len, int *status);

typedef struct {
	int max_retries;         /* retries after the first attempt; <0 = default 3 */
	long connect_timeout_ms; /* 0 = default 10 s */
	long request_timeout_ms; /* per attempt; 0 = default 120 s */
	long backoff_base_ms;    /* 0 = default 500 ms */
	long backoff_max_ms;     /* 0 = default 20 s; also caps Retry-After */
	const char *user_agent;  /* NULL = "clone-xs-c/<version>" */
	clxs_ws_limiter *limiter; /* NULL = clxs_ws_limiter_global() */
	clxs_ws_inproc_fn inproc; /* non-NULL: no HTTP, cfg->host unused */
	void *inproc_ud;
} clxs_ws_options;

typedef struct clxs_ws_client clxs_ws_client;

/* Create a client for a resolved configuration (clxs_ws_config_resolve());
 * both cfg and opts are copied and may be NULL (opts: defaults; cfg: only
 * with an in-process transport). Thread-safe once created: share one client
 * between threads. */
clxs_code clxs_ws_client_new(const clxs_ws_config *cfg, const clxs_ws_options *opts,
			     clxs_ws_client **out, clxs_error *err);
void clxs_ws_client_free(clxs_ws_client *c);
/* The resolved config the client was made with (never NULL). */
const clxs_ws_config *clxs_ws_client_config(const clxs_ws_client *c);
/* Drop any cached OAuth token (for logout or a rotated secret). */
void clxs_ws_client_forget_token(clxs_ws_client *c);

typedef struct {
	uint64_t requests;   /* HTTP (or in-process) attempts sent, retries included */
	uint64_t retries;    /* attempts that were retries */
	uint64_t statements; /* statements submitted */
	uint64_t token_fetches;
} clxs_ws_stats;
void clxs_ws_client_stats(const clxs_ws_client *c, clxs_ws_stats *out);

/* Call a REST endpoint: method "GET"/"POST"/"PATCH"/"PUT"/"DELETE", path
 * beginning with "/api/", query a NULL-terminated list of name, value pairs
 * (URL-encoded here; NULL for none; pairs with a NULL value are skipped),
 * body a JSON request body or NULL. On success *out (when out != NULL) gets
 * the parsed response ({} for an empty body). Retries as documented. */
clxs_code clxs_ws_call(clxs_ws_client *c, const char *method, const char *path,
		       const char *const *query, json_object *body, json_object **out,
		       clxs_error *err);

/* ---- Statement Execution API 2.0 ---------------------------------------- */

typedef struct {
	const char *name;
	const char *value; /* NULL = SQL NULL */
	const char *type;  /* NULL = STRING */
} clxs_ws_param;

#define CLXS_WS_WAIT_NONE (-1) /* wait_timeout "0s": return at once, then poll */

typedef struct {
	/* Server-side wait on submit: 0 = default 30 s, CLXS_WS_WAIT_NONE =
	 * "0s", otherwise clamped to 5..50 s. */
	int wait_timeout_s;
	/* Overall limit for the statement including polls and chunk fetches;
	 * 0 = none. When it passes the statement is cancelled on the server and
	 * the call fails with CLXS_EUNAVAILABLE, detail "DEADLINE_EXCEEDED". */
	int64_t timeout_ms;
	/* Cancellation, checked before submit, between polls and between
	 * retries: either may be NULL. When set, the statement is cancelled on
	 * the server (POST .../cancel) and the call fails with CLXS_ECANCELLED. */
	const atomic_bool *cancel_flag;
	bool (*should_cancel)(void *ud);
	void *cancel_ud;
	long poll_initial_ms; /* 0 = 100 ms; doubles up to poll_max_ms */
	long poll_max_ms;     /* 0 = 2000 ms */
	/* By default a statement that FAILED with a transient error code
	 * (TEMPORARILY_UNAVAILABLE, ...) is resubmitted up to max_retries. */
	bool no_statement_retry;
} clxs_ws_sql_opts;

typedef struct {
	char statement_id[128];
	size_t ncols;
	char **col_names;  /* ncols strings */
	char **col_types;  /* ncols type names ("STRING", "INT", ...) */
	json_object *rows; /* array of arrays of strings or null (never NULL after success) */
	size_t nrows;
	size_t nchunks;    /* result chunks read */
	bool truncated;    /* the manifest said the result was truncated */
} clxs_ws_result;

/* Run one statement on a SQL warehouse and collect all its rows. catalog,
 * schema, params (nparams) and opts may be NULL/0. result must be zeroed;
 * free it with clxs_ws_result_free() whatever the return. Holds one
 * statement slot of the client's limiter for its whole duration. */
clxs_code clxs_ws_sql(clxs_ws_client *c, const char *warehouse_id, const char *catalog,
		      const char *schema, const char *sql, const clxs_ws_param *params,
		      size_t nparams, const clxs_ws_sql_opts *opts, clxs_ws_result *result,
		      clxs_error *err);
void clxs_ws_result_free(clxs_ws_result *r);
/* Index of the column named name, or -1. */
int clxs_ws_result_col(const clxs_ws_result *r, const char *name);
/* Cell (row, col) as a string, or NULL for SQL NULL / out of range. */
const char *clxs_ws_result_cell(const clxs_ws_result *r, size_t row, size_t col);

/* ---- Unity Catalog and friends ----------------------------------------- */

/* GET path with query, following next_page_token until the last page, and
 * return in *out a new array of every element of array_field of every page
 * ("catalogs", "schemas", "tables", ...). max_results > 0 is sent as the
 * page size. A page without the field counts as empty. */
clxs_code clxs_ws_list(clxs_ws_client *c, const char *path, const char *const *query,
		       const char *array_field, int max_results, json_object **out,
		       clxs_error *err);

/* SCIM Me: the caller's userName (malloc'd) in *user. */
clxs_code clxs_ws_current_user(clxs_ws_client *c, char **user, clxs_error *err);

/* GET /api/2.0/sql/warehouses: the "warehouses" array (new reference). */
clxs_code clxs_ws_warehouses(clxs_ws_client *c, json_object **out, clxs_error *err);

#endif
