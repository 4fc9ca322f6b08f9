/* Ids and time. */
#ifndef CLXS_UTIL_H
#define CLXS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Random lowercase hex id of `nhex` digits (even, <= 64) from the OS
 * CSPRNG via libcrypto; buf needs nhex + 1 bytes. Returns 0 on success. */
int clxs_id_hex(char *buf, size_t nhex);
/* RFC 4122 version-4 UUID; buf needs 37 bytes. */
int clxs_uuid4(char buf[37]);

/* Wall clock in milliseconds since the epoch. */
int64_t clxs_now_ms(void);
/* Monotonic clock in milliseconds, for timeouts and durations. */
int64_t clxs_mono_ms(void);
/* ISO-8601 UTC with milliseconds, "2026-11-29T11:25:30.123Z"; buf >= 25. */
void clxs_iso8601(int64_t epoch_ms, char buf[32]);
/* Parse the ISO-8601 forms we write and "YYYY-MM-DD[ HH:MM:SS]" into epoch
 * ms (UTC). Returns 0 on success, -1 on malformed input. */
int clxs_parse_iso8601(const char *s, int64_t *epoch_ms);
/* Sleep for ms milliseconds, resuming after signals. */
void clxs_sleep_ms(int64_t ms);

#endif
