/* Logging to stderr with levels. Each line carries a UTC timestamp, the
 * program name and pid, so the interleaved logs of the pool, the runner and
 * nginx stay readable. Never pass secrets to these functions. */
#ifndef CLXS_LOG_H
#define CLXS_LOG_H

typedef enum {
	CLXS_LOG_DEBUG = 0,
	CLXS_LOG_INFO,
	CLXS_LOG_WARN,
	CLXS_LOG_ERROR,
	CLXS_LOG_OFF
} clxs_log_level;

void clxs_log_init(const char *progname, clxs_log_level level);
/* Parse "debug|info|warn|error|off"; returns -1 when unknown. */
int clxs_log_level_parse(const char *s);
void clxs_log_set_level(clxs_log_level level);
clxs_log_level clxs_log_get_level(void);
void clxs_log(clxs_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define clxs_debug(...) clxs_log(CLXS_LOG_DEBUG, __VA_ARGS__)
#define clxs_info(...) clxs_log(CLXS_LOG_INFO, __VA_ARGS__)
#define clxs_warn(...) clxs_log(CLXS_LOG_WARN, __VA_ARGS__)
#define clxs_error_log(...) clxs_log(CLXS_LOG_ERROR, __VA_ARGS__)

#endif
