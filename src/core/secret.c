/* Secrets at rest: AES-256-GCM through libcrypto's EVP interface, one key
 * file per state directory. Nothing here is hand-rolled: the cipher, the
 * random numbers, base64 and the constant-time compare all come from
 * libcrypto. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "clxs/daemon.h"
#include "clxs/json.h"
#include "clxs/secret.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define PREFIX "v1."

static clxs_code read_key(int fd, const char *path, clxs_secret_key *key, clxs_error *err)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return clxs_fail(err, CLXS_EIO, "secret.key", "cannot stat %s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return clxs_fail(err, CLXS_EPERM, "secret.key", "%s is not a regular file", path);
	if (sb.st_uid != geteuid())
		return clxs_fail(err, CLXS_EPERM, "secret.key", "%s is not owned by this user", path);
	if (sb.st_mode & 077)
		return clxs_fail(err, CLXS_EPERM, "secret.key",
				 "%s is accessible by group or others (mode %03o); it must be 0600", path,
				 (unsigned)(sb.st_mode & 0777));
	if (sb.st_size != CLXS_SECRET_KEY_LEN)
		return clxs_fail(err, CLXS_EPERM, "secret.key", "%s does not hold a %d-byte key", path,
				 CLXS_SECRET_KEY_LEN);
	size_t got = 0;
	while (got < CLXS_SECRET_KEY_LEN) {
		ssize_t n = read(fd, key->bytes + got, CLXS_SECRET_KEY_LEN - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			clxs_secret_key_wipe(key);
			return clxs_fail(err, CLXS_EIO, "secret.key", "cannot read %s", path);
		}
		got += (size_t)n;
	}
	return CLXS_OK;
}

/* Write a fresh key to a temporary file beside path and link it into
 * place: link() fails when another process got there first, and then we
 * simply read theirs. The key is never visible half-written. */
static clxs_code create_key(const char *path, clxs_error *err)
{
	char tmp[4200];
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return clxs_fail(err, CLXS_EINVAL, "secret.key", "key file path too long");
	int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd < 0)
		return clxs_fail(err, CLXS_EIO, "secret.key", "cannot create %s: %s", tmp, strerror(errno));
	unsigned char k[CLXS_SECRET_KEY_LEN];
	clxs_code rc = CLXS_OK;
	if (fchmod(fd, 0600) != 0 || RAND_bytes(k, sizeof(k)) != 1 ||
	    write(fd, k, sizeof(k)) != (ssize_t)sizeof(k) || fsync(fd) != 0)
		rc = clxs_fail(err, CLXS_EIO, "secret.key", "cannot write the key file %s", tmp);
	OPENSSL_cleanse(k, sizeof(k));
	close(fd);
	if (rc == CLXS_OK && link(tmp, path) != 0 && errno != EEXIST)
		rc = clxs_fail(err, CLXS_EIO, "secret.key", "cannot create %s: %s", path, strerror(errno));
	unlink(tmp);
	return rc;
}

clxs_code clxs_secret_key_file(const char *path, bool create, clxs_secret_key *key, clxs_error *err)
{
	memset(key, 0, sizeof(*key));
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			clxs_code rc = read_key(fd, path, key, err);
			close(fd);
			return rc;
		}
		if (errno == ELOOP)
			return clxs_fail(err, CLXS_EPERM, "secret.key", "%s is a symbolic link", path);
		if (errno != ENOENT || !create || attempt > 0)
			return clxs_fail(err, errno == ENOENT ? CLXS_ENOTFOUND : CLXS_EIO, "secret.key",
					 "cannot open %s: %s", path, strerror(errno));
		clxs_code rc = create_key(path, err);
		if (rc)
			return rc;
	}
	return clxs_fail(err, CLXS_EIO, "secret.key", "cannot load %s", path);
}

clxs_code clxs_secret_key_load(const char *state_dir, clxs_secret_key *key, clxs_error *err)
{
	char path[4200];
	clxs_code rc;
	if (!state_dir)
		return clxs_fail(err, CLXS_EINTERNAL, "state_dir", "no state directory for the secret key");
	if ((rc = clxs_mkdir_p(state_dir, 0700, err)) ||
	    (rc = clxs_path_join(path, sizeof(path), state_dir, CLXS_SECRET_KEY_FILE, err)))
		return rc;
	return clxs_secret_key_file(path, true, key, err);
}

void clxs_secret_key_wipe(clxs_secret_key *key)
{
	OPENSSL_cleanse(key->bytes, sizeof(key->bytes));
}

void clxs_secret_free(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/* One AES-256-GCM pass; enc selects the direction. For decryption tag is
 * the expected tag, and a mismatch returns -1. */
static int gcm(int enc, const clxs_secret_key *key, const unsigned char *nonce, const char *aad,
	       const unsigned char *in, int inlen, unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, total = -1, ok = c != NULL;
	size_t alen = aad ? strlen(aad) : 0;
	ok = ok && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1;
	ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1;
	ok = ok && EVP_CipherInit_ex(c, NULL, NULL, key->bytes, nonce, enc) == 1;
	ok = ok && (alen == 0 || EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)aad, (int)alen) == 1);
	ok = ok && EVP_CipherUpdate(c, out, &len, in, inlen) == 1;
	if (ok)
		total = len;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(c, out + total, &len) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? total + len : -1;
}

char *clxs_secret_seal(const clxs_secret_key *key, const char *aad, const char *plaintext,
		       clxs_error *err)
{
	size_t plen = plaintext ? strlen(plaintext) : 0;
	if (plen > 64 * 1024) {
		clxs_fail(err, CLXS_EINVAL, "secret", "secret too long");
		return NULL;
	}
	size_t raw_len = NONCE_LEN + plen + TAG_LEN;
	unsigned char *raw = malloc(raw_len);
	char *out = malloc(strlen(PREFIX) + 4 * ((raw_len + 2) / 3) + 1);
	if (!raw || !out) {
		free(raw);
		free(out);
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	/* A random 96-bit nonce per seal: with one key per state directory
	 * and a handful of logins, collisions are out of reach. */
	if (RAND_bytes(raw, NONCE_LEN) != 1 ||
	    gcm(1, key, raw, aad, (const unsigned char *)(plaintext ? plaintext : ""), (int)plen,
		raw + NONCE_LEN, raw + NONCE_LEN + plen) != (int)plen) {
		free(raw);
		free(out);
		clxs_fail(err, CLXS_EINTERNAL, "secret", "encryption failed");
		return NULL;
	}
	strcpy(out, PREFIX);
	EVP_EncodeBlock((unsigned char *)out + strlen(PREFIX), raw, (int)raw_len);
	free(raw);
	return out;
}

char *clxs_secret_open(const clxs_secret_key *key, const char *aad, const char *sealed,
		       clxs_error *err)
{
	size_t slen = sealed ? strlen(sealed) : 0, plen = strlen(PREFIX);
	if (slen < plen || strncmp(sealed, PREFIX, plen) != 0 || (slen - plen) % 4 != 0 ||
	    slen - plen > 200 * 1024) {
		clxs_fail(err, CLXS_EAUTH, "secret", "the stored credential is malformed");
		return NULL;
	}
	const char *b64 = sealed + plen;
	size_t blen = slen - plen;
	unsigned char *raw = malloc(blen / 4 * 3 + 1);
	if (!raw) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)blen);
	/* EVP_DecodeBlock counts padding as zero bytes. */
	if (n >= 0 && blen >= 1 && b64[blen - 1] == '=')
		n--;
	if (n >= 0 && blen >= 2 && b64[blen - 2] == '=')
		n--;
	/* Only the canonical encoding is accepted: re-encoding must give the
	 * same text, so bits hidden in the padding cannot vary. */
	bool canonical = false;
	if (n >= NONCE_LEN + TAG_LEN) {
		char *again = malloc(blen + 1);
		if (again) {
			canonical = EVP_EncodeBlock((unsigned char *)again, raw, n) == (int)blen &&
				    memcmp(again, b64, blen) == 0;
			free(again);
		}
	}
	if (!canonical) {
		free(raw);
		clxs_fail(err, CLXS_EAUTH, "secret", "the stored credential is malformed");
		return NULL;
	}
	int clen = n - NONCE_LEN - TAG_LEN;
	char *plain = malloc((size_t)clen + 1);
	if (!plain) {
		free(raw);
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	int got = gcm(0, key, raw, aad, raw + NONCE_LEN, clen, (unsigned char *)plain,
		      raw + NONCE_LEN + clen);
	free(raw);
	if (got != clen || memchr(plain, '\0', (size_t)clen)) {
		OPENSSL_cleanse(plain, (size_t)clen + 1);
		free(plain);
		clxs_fail(err, CLXS_EAUTH, "secret",
			  "the stored credential cannot be decrypted (tampered with, or sealed under "
			  "another key); log in again");
		return NULL;
	}
	plain[clen] = '\0';
	return plain;
}

static void sha256(const char *s, unsigned char out[32])
{
	unsigned int len = 0;
	if (EVP_Digest(s, strlen(s), out, &len, EVP_sha256(), NULL) != 1 || len != 32)
		RAND_bytes(out, 32); /* digest failure: compare against noise, never equal */
}

bool clxs_secret_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	unsigned char da[32], db[32];
	sha256(a, da);
	sha256(b, db);
	return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

char *clxs_secret_mask(const char *secret, char *out, size_t len)
{
	if (!out || len == 0)
		return out;
	size_t n = secret ? strlen(secret) : 0;
	if (n == 0)
		out[0] = '\0';
	else if (n < 12)
		snprintf(out, len, "****");
	else
		snprintf(out, len, "%.4s...%s", secret, secret + n - 4);
	return out;
}

/* Which spec field the opened secret goes into, per auth type. */
static const char *secret_field(const char *auth_type)
{
	if (!auth_type || !strcmp(auth_type, "pat"))
		return "token";
	if (!strcmp(auth_type, "oauth-m2m"))
		return "client_secret";
	if (!strcmp(auth_type, "azure-client-secret"))
		return "azure_client_secret";
	return NULL;
}

clxs_code clxs_secret_spec_reveal(json_object *spec, json_object **out, clxs_error *err)
{
	*out = NULL;
	const char *sealed = clxs_json_str(spec, "secret_enc", NULL);
	const char *host = clxs_json_str(spec, "host", NULL);
	const char *field = secret_field(clxs_json_str(spec, "auth_type", NULL));
	if (!sealed || !host || !field)
		return clxs_fail(err, CLXS_EINVAL, "target", "a sealed credential needs a host and a known auth_type");
	char state[4096];
	const char *dir = clxs_json_str(spec, "state_dir", NULL);
	if (!dir) {
		clxs_code rc = clxs_state_dir_default(state, sizeof(state), err);
		if (rc)
			return rc;
		dir = state;
	}
	clxs_secret_key key;
	clxs_code rc = clxs_secret_key_load(dir, &key, err);
	if (rc)
		return rc;
	char *plain = clxs_secret_open(&key, host, sealed, err);
	clxs_secret_key_wipe(&key);
	if (!plain)
		return err ? err->code : CLXS_EAUTH;
	json_object *copy = NULL;
	if (json_object_deep_copy(spec, &copy, NULL) != 0 || !copy) {
		clxs_secret_free(plain);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	json_object_object_del(copy, "secret_enc");
	clxs_json_set_str(copy, field, plain);
	clxs_secret_free(plain);
	*out = copy;
	return CLXS_OK;
}

void clxs_secret_spec_wipe(json_object *spec)
{
	static const char *const fields[] = {"token", "client_secret", "azure_client_secret"};
	if (!spec)
		return;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_object *v = json_object_object_get(spec, fields[i]);
		if (v && json_object_is_type(v, json_type_string))
			/* json-c owns the buffer; overwrite it in place before
			 * it is freed so the secret does not linger in the heap. */
			OPENSSL_cleanse((char *)json_object_get_string(v), (size_t)json_object_get_string_len(v));
	}
	json_object_put(spec);
}
