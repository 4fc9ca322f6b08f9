/* Bearer token check and deterministic fault injection. */
#include "svc_internal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Compare digests, not the strings: CRYPTO_memcmp needs equal lengths, and
 * hashing first keeps the token's length out of the timing as well. */
static bool digest(const char *s, size_t n, unsigned char out[32])
{
	unsigned int len = 0;
	return EVP_Digest(s, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32;
}

bool svc_token_ok(const clxs_lh_service *svc, const char *authorization)
{
	if (!svc->token)
		return true;
	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return false;
	const char *given = authorization + 7;
	while (*given == ' ')
		given++;
	unsigned char a[32], b[32];
	if (!digest(given, strlen(given), a) || !digest(svc->token, strlen(svc->token), b))
		return false;
	return CRYPTO_memcmp(a, b, sizeof(a)) == 0;
}

/* splitmix64: a well-mixed hash of (seed, n), so the n-th request's fate
 * depends on nothing but the seed. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

bool svc_fault(clxs_lh_service *svc, clxs_lh_response *resp)
{
	if (svc->fault_rate <= 0)
		return false;
	uint64_t n = atomic_fetch_add(&svc->fault_counter, 1);
	uint64_t h = mix(svc->fault_seed ^ mix(n));
	/* 53 high bits as a uniform double in [0,1). */
	double u = (double)(h >> 11) / 9007199254740992.0;
	if (u >= svc->fault_rate)
		return false;
	if (h & 1) {
		svc_reply_set_json(resp, 429,
				   "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\","
				   "\"message\":\"injected fault: too many requests\"}");
		snprintf(resp->headers, sizeof(resp->headers), "Retry-After: 0\r\n");
	} else {
		svc_reply_set_json(resp, 503,
				   "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\","
				   "\"message\":\"injected fault: service unavailable\"}");
		snprintf(resp->headers, sizeof(resp->headers), "Retry-After: 1\r\n");
	}
	return true;
}
