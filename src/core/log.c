#include "clxs/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char log_prog[32] = "clxs";
static clxs_log_level log_level = CLXS_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void clxs_log_init(const char *progname, clxs_log_level level)
{
	if (progname) {
		const char *slash = strrchr(progname, '/');
		snprintf(log_prog, sizeof(log_prog), "%s", slash ? slash + 1 : progname);
	}
	log_level = level;
}

int clxs_log_level_parse(const char *s)
{
	for (int i = 0; s && i <= CLXS_LOG_OFF; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

void clxs_log_set_level(clxs_log_level level) { log_level = level; }
clxs_log_level clxs_log_get_level(void) { return log_level; }

void clxs_log(clxs_log_level level, const char *fmt, ...)
{
	if (level < log_level || level >= CLXS_LOG_OFF)
		return;
	char line[2048];
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%ld] %s: ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (long)(tv.tv_usec / 1000), log_prog, (long)getpid(),
			 level_names[level]);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line keeps lines from different processes whole. */
	size_t len = strnlen(line, sizeof(line) - 2);
	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
	fflush(stderr);
}
