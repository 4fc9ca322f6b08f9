/* Spark's hash() and xxhash64() hash kernels.
 *
 * These are written here rather than taken from libcrypto because they are
 * not cryptographic digests and libcrypto has neither: hash() is Spark's
 * Murmur3_x86_32 (seed 42) and xxhash64() is XXH64 (seed 42), each value
 * hashed with the previous result as the seed. The byte variant of Spark's
 * Murmur3 is *not* the reference algorithm: trailing bytes are mixed one
 * at a time as sign-extended ints (Murmur3_x86_32.hashUnsafeBytes), which
 * is what makes hash('ABC') = -757602832 on Spark. The unit tests pin the
 * results to the values Databricks documents. */
#include "sql_internal.h"

#include <string.h>

/* ---- Murmur3_x86_32 as Spark implements it ---------------------------------------- */

static uint32_t rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static uint32_t mix_k1(uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = rotl32(k, 15);
	return k * 0x1b873593u;
}

static uint32_t mix_h1(uint32_t h, uint32_t k)
{
	h ^= k;
	h = rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

static uint32_t fmix32(uint32_t h, uint32_t len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t lhs_murmur3_int(uint32_t v, uint32_t seed)
{
	return fmix32(mix_h1(seed, mix_k1(v)), 4);
}

uint32_t lhs_murmur3_long(uint64_t v, uint32_t seed)
{
	uint32_t h = mix_h1(seed, mix_k1((uint32_t)v));
	h = mix_h1(h, mix_k1((uint32_t)(v >> 32)));
	return fmix32(h, 8);
}

uint32_t lhs_murmur3_bytes(const unsigned char *p, size_t n, uint32_t seed)
{
	uint32_t h = seed;
	size_t aligned = n - n % 4;
	for (size_t i = 0; i < aligned; i += 4) {
		uint32_t k = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
			     (uint32_t)p[i + 3] << 24;
		h = mix_h1(h, mix_k1(k));
	}
	for (size_t i = aligned; i < n; i++) {
		int32_t b = (int8_t)p[i];
		h = mix_h1(h, mix_k1((uint32_t)b));
	}
	return fmix32(h, (uint32_t)n);
}

/* ---- XXH64 ------------------------------------------------------------------------ */

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t round64(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl64(acc, 31);
	return acc * P1;
}

static uint64_t merge64(uint64_t acc, uint64_t v)
{
	acc ^= round64(0, v);
	return acc * P1 + P4;
}

uint64_t lhs_xxh64_int(uint32_t v, uint64_t seed)
{
	uint64_t h = seed + P5 + 4;
	h ^= (uint64_t)v * P1;
	h = rotl64(h, 23) * P2 + P3;
	return fmix64(h);
}

uint64_t lhs_xxh64_long(uint64_t v, uint64_t seed)
{
	uint64_t h = seed + P5 + 8;
	h ^= round64(0, v);
	h = rotl64(h, 27) * P1 + P4;
	return fmix64(h);
}

uint64_t lhs_xxh64_bytes(const unsigned char *p, size_t n, uint64_t seed)
{
	const unsigned char *end = p + n;
	uint64_t h;
	if (n >= 32) {
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
		const unsigned char *limit = end - 32;
		do {
			v1 = round64(v1, rd64(p));
			v2 = round64(v2, rd64(p + 8));
			v3 = round64(v3, rd64(p + 16));
			v4 = round64(v4, rd64(p + 24));
			p += 32;
		} while (p <= limit);
		h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
		h = merge64(h, v1);
		h = merge64(h, v2);
		h = merge64(h, v3);
		h = merge64(h, v4);
	} else {
		h = seed + P5;
	}
	h += (uint64_t)n;
	while (p + 8 <= end) {
		h ^= round64(0, rd64(p));
		h = rotl64(h, 27) * P1 + P4;
		p += 8;
	}
	if (p + 4 <= end) {
		h ^= (uint64_t)rd32(p) * P1;
		h = rotl64(h, 23) * P2 + P3;
		p += 4;
	}
	while (p < end) {
		h ^= (uint64_t)(*p) * P5;
		h = rotl64(h, 11) * P1;
		p++;
	}
	return fmix64(h);
}
