/* Server-side login sessions in LMDB's "sessions" database. The browser
 * holds only an opaque random id (64 hex digits) in an HttpOnly,
 * SameSite=Strict cookie; LMDB holds the session under the SHA-256 of that
 * id, so a copy of the database does not hand out live session ids. A
 * session record never holds a plaintext secret: credentials are sealed
 * (clxs/secret.h) before they get here. */
#ifndef CLXS_SESSION_H
#define CLXS_SESSION_H

#include <json-c/json.h>
#include <stddef.h>

#include "clxs/error.h"
#include "clxs/store.h"

#define CLXS_SESSION_COOKIE "clxs_session"
#define CLXS_SESSION_ID_LEN 64
/* Sessions end 12 hours after login; a login starts a new one. */
#define CLXS_SESSION_TTL_MS (12LL * 3600 * 1000)

/* Store record (a JSON object; created_ms/expires_ms are added here) under
 * a new random id, written to id (CLXS_SESSION_ID_LEN + 1 bytes). Expired
 * sessions are swept in the same transaction. */
clxs_code clxs_session_create(clxs_store *st, json_object *record, char *id, clxs_error *err);
/* The live session for id (a new reference), or NULL with CLXS_ENOTFOUND
 * when it does not exist, has expired or id is malformed. */
json_object *clxs_session_get(clxs_store *st, const char *id, clxs_error *err);
/* Delete; an absent session is not an error. */
clxs_code clxs_session_delete(clxs_store *st, const char *id, clxs_error *err);

/* The session id from a Cookie header ("a=1; clxs_session=...; b=2") into
 * buf, or NULL when absent or not 64 lowercase hex digits. */
const char *clxs_session_cookie_id(const char *cookie_header, char *buf, size_t len);
/* "Set-Cookie: ...\r\n" lines for a new session id / for clearing it. */
void clxs_session_set_cookie(char *buf, size_t len, const char *id);
void clxs_session_clear_cookie(char *buf, size_t len);

#endif
