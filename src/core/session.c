/* Login sessions in LMDB, keyed by the SHA-256 of the session id. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "clxs/json.h"
#include "clxs/session.h"
#include "clxs/util.h"

static bool id_ok(const char *id)
{
	if (!id || strlen(id) != CLXS_SESSION_ID_LEN)
		return false;
	for (const char *p = id; *p; p++)
		if (!isdigit((unsigned char)*p) && (*p < 'a' || *p > 'f'))
			return false;
	return true;
}

/* The LMDB key: "s:" + hex SHA-256 of the id. */
static int store_key(const char *id, char key[2 + 64 + 1])
{
	unsigned char d[32];
	unsigned int len = 0;
	if (EVP_Digest(id, strlen(id), d, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return -1;
	key[0] = 's', key[1] = ':';
	for (int i = 0; i < 32; i++)
		snprintf(key + 2 + 2 * i, 3, "%02x", d[i]);
	return 0;
}

struct sweep {
	int64_t now;
	char keys[64][2 + 64 + 1];
	int n;
};

static int collect_expired(const char *key, json_object *val, void *ud)
{
	struct sweep *s = ud;
	if (clxs_json_int(val, "expires_ms", 0) <= s->now && strlen(key) < sizeof(s->keys[0]))
		snprintf(s->keys[s->n++], sizeof(s->keys[0]), "%s", key);
	return s->n == (int)(sizeof(s->keys) / sizeof(s->keys[0]));
}

clxs_code clxs_session_create(clxs_store *st, json_object *record, char *id, clxs_error *err)
{
	char key[2 + 64 + 1];
	if (clxs_id_hex(id, CLXS_SESSION_ID_LEN) != 0 || store_key(id, key) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, "session", "cannot generate a session id");
	int64_t now = clxs_now_ms();
	clxs_json_set_int(record, "created_ms", now);
	clxs_json_set_int(record, "expires_ms", now + CLXS_SESSION_TTL_MS);
	clxs_txn *t;
	clxs_code rc = clxs_txn_begin(st, true, &t, err);
	if (rc)
		return rc;
	struct sweep s;
	s.now = now;
	s.n = 0;
	rc = clxs_txn_scan(t, CLXS_DB_SESSIONS, "s:", false, collect_expired, &s, err);
	for (int i = 0; rc == CLXS_OK && i < s.n; i++)
		rc = clxs_txn_del(t, CLXS_DB_SESSIONS, s.keys[i], err);
	if (rc == CLXS_OK)
		rc = clxs_txn_put(t, CLXS_DB_SESSIONS, key, record, err);
	if (rc) {
		clxs_txn_abort(t);
		return rc;
	}
	return clxs_txn_commit(t, err);
}

json_object *clxs_session_get(clxs_store *st, const char *id, clxs_error *err)
{
	char key[2 + 64 + 1];
	if (!id_ok(id) || store_key(id, key) != 0) {
		clxs_fail(err, CLXS_ENOTFOUND, "session", "no such session");
		return NULL;
	}
	json_object *s = clxs_store_get(st, CLXS_DB_SESSIONS, key, err);
	if (s && clxs_json_int(s, "expires_ms", 0) <= clxs_now_ms()) {
		json_object_put(s);
		clxs_fail(err, CLXS_ENOTFOUND, "session", "the session has expired");
		return NULL;
	}
	return s;
}

clxs_code clxs_session_delete(clxs_store *st, const char *id, clxs_error *err)
{
	char key[2 + 64 + 1];
	if (!id_ok(id) || store_key(id, key) != 0)
		return CLXS_OK;
	clxs_txn *t;
	clxs_code rc = clxs_txn_begin(st, true, &t, err);
	if (rc)
		return rc;
	if ((rc = clxs_txn_del(t, CLXS_DB_SESSIONS, key, err))) {
		clxs_txn_abort(t);
		return rc;
	}
	return clxs_txn_commit(t, err);
}

const char *clxs_session_cookie_id(const char *cookie, char *buf, size_t len)
{
	static const char name[] = CLXS_SESSION_COOKIE "=";
	const size_t nlen = sizeof(name) - 1;
	for (const char *p = cookie; p && *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *end = strchr(p, ';');
		size_t plen = end ? (size_t)(end - p) : strlen(p);
		if (plen > nlen && strncmp(p, name, nlen) == 0) {
			size_t vlen = plen - nlen;
			while (vlen && (p[nlen + vlen - 1] == ' ' || p[nlen + vlen - 1] == '\t'))
				vlen--;
			if (vlen < len) {
				memcpy(buf, p + nlen, vlen);
				buf[vlen] = '\0';
				if (id_ok(buf))
					return buf;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

/* No Secure attribute: the stack serves plain HTTP on loopback by default,
 * where a Secure cookie would never be sent back. Behind TLS, the
 * terminating proxy can add it (docs/auth.md). */
void clxs_session_set_cookie(char *buf, size_t len, const char *id)
{
	snprintf(buf, len, "Set-Cookie: " CLXS_SESSION_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict\r\n",
		 id, CLXS_SESSION_TTL_MS / 1000);
}

void clxs_session_clear_cookie(char *buf, size_t len)
{
	snprintf(buf, len, "Set-Cookie: " CLXS_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\r\n");
}
