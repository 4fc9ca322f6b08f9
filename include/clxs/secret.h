/* Secrets at rest: workspace tokens and client secrets are sealed with
 * AES-256-GCM (libcrypto EVP) under one key per state directory, the key
 * file STATE/secret.key (32 random bytes, created once, mode 0600). A sealed
 * value is "v1." + base64(nonce[12] | ciphertext | tag[16]); the additional
 * authenticated data binds it to the workspace host, so a blob copied next
 * to another host no longer opens (no token can be redirected by editing
 * LMDB). Plaintext secrets live only in memory and are wiped after use.
 * docs/auth.md describes the scheme. */
#ifndef CLXS_SECRET_H
#define CLXS_SECRET_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "clxs/error.h"

#define CLXS_SECRET_KEY_LEN 32
#define CLXS_SECRET_KEY_FILE "secret.key"

typedef struct {
	unsigned char bytes[CLXS_SECRET_KEY_LEN];
} clxs_secret_key;

/* Read the key file at path. With create, a missing file is made once
 * (written to a temporary file, then link()ed into place, so concurrent
 * workers all end up with the same key). The file must be a regular file
 * owned by us, not a symlink, of exactly 32 bytes and not readable or
 * writable by group or others (CLXS_EPERM otherwise, saying why). */
clxs_code clxs_secret_key_file(const char *path, bool create, clxs_secret_key *key, clxs_error *err);
/* STATE/secret.key, created when missing. */
clxs_code clxs_secret_key_load(const char *state_dir, clxs_secret_key *key, clxs_error *err);
void clxs_secret_key_wipe(clxs_secret_key *key);

/* Seal plaintext with aad (may be NULL = ""). Returns a malloc'd "v1...."
 * string, or NULL with err set. */
char *clxs_secret_seal(const clxs_secret_key *key, const char *aad, const char *plaintext,
		       clxs_error *err);
/* Open a sealed string. Returns the malloc'd plaintext (free it with
 * clxs_secret_free), or NULL with CLXS_EAUTH when the blob was tampered
 * with, sealed under another key or another aad, or is malformed. */
char *clxs_secret_open(const clxs_secret_key *key, const char *aad, const char *sealed,
		       clxs_error *err);
/* Wipe and free a plaintext secret (NULL is fine). */
void clxs_secret_free(char *s);

/* Constant-time equality of two strings of any length: compares their
 * SHA-256 digests with CRYPTO_memcmp, so neither the content nor the
 * length leaks through timing. NULL equals nothing. */
bool clxs_secret_equal(const char *a, const char *b);

/* Mask for display as the API reference shows it: "dapi...wxyz" (first
 * and last four characters) for 12 characters or more, "****" for fewer,
 * "" for NULL or "". out needs at least 12 bytes. Returns out. */
char *clxs_secret_mask(const char *secret, char *out, size_t len);

/* Target specs (clxs_target_open's shape) carry credentials only sealed:
 * {"host", "auth_type", "secret_enc", "state_dir", "client_id", "tenant_id"}.
 * This returns a new spec with the secret opened into the field the
 * workspace client reads ("token", "client_secret" or
 * "azure_client_secret") and "secret_enc" removed. The key comes from
 * spec.state_dir, else the default state directory. Wipe the result with
 * clxs_secret_spec_wipe (which also puts it). */
clxs_code clxs_secret_spec_reveal(json_object *spec, json_object **out, clxs_error *err);
void clxs_secret_spec_wipe(json_object *spec);

#endif
