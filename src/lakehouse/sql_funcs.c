/* Spark functions SQLite lacks, registered on the lakehouse connection with
 * sqlite3_create_function. The translator (sql_select.c) maps Spark names
 * to these "__lh_*" names; user SQL can never call them directly, since
 * only mapped names pass the translator. Digests use libcrypto's EVP API;
 * hash()/xxhash64() kernels are in sql_hash.c.
 *
 * Values: dates are 'YYYY-MM-DD' text, timestamps 'YYYY-MM-DD HH:MM:SS[.f]'
 * text (UTC), booleans 1/0, as the storage core keeps them. */
#include "sql_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clxs/util.h"

#define MAX_STR (64 * 1024 * 1024)

static lhs_ctx *ctx_of(sqlite3_context *f)
{
	return sqlite3_user_data(f);
}

static void fail(sqlite3_context *f, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(sqlite3_context *f, const char *cls, const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "[%s] ", cls);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	sqlite3_result_error(f, msg, -1);
}

static bool any_null(int argc, sqlite3_value **argv)
{
	for (int i = 0; i < argc; i++)
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
			return true;
	return false;
}

/* ---- numbers as Java prints them ------------------------------------------------------ */

void lhs_fmt_double(double d, char *buf, size_t bufsz)
{
	if (isnan(d)) {
		snprintf(buf, bufsz, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, bufsz, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (d == 0) {
		snprintf(buf, bufsz, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	/* shortest round-trip digits */
	char tmp[64];
	int prec = 1;
	for (; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	double a = fabs(d);
	if (a >= 1e-3 && a < 1e7) {
		snprintf(tmp, sizeof(tmp), "%.*f", 17, d);
		/* reprint with the needed decimals */
		int exp10 = (int)floor(log10(a));
		int decimals = prec - 1 - exp10;
		if (decimals < 1)
			decimals = 1;
		snprintf(buf, bufsz, "%.*f", decimals, d);
		/* trim trailing zeros but keep one decimal */
		char *dot = strchr(buf, '.');
		if (dot) {
			char *e = buf + strlen(buf) - 1;
			while (e > dot + 1 && *e == '0')
				*e-- = '\0';
		}
		return;
	}
	/* d.dddE[-]n */
	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
	char *e = strchr(tmp, 'e');
	if (!e) {
		snprintf(buf, bufsz, "%s", tmp);
		return;
	}
	*e = '\0';
	int ex = atoi(e + 1);
	if (!strchr(tmp, '.'))
		snprintf(buf, bufsz, "%s.0E%d", tmp, ex);
	else
		snprintf(buf, bufsz, "%sE%d", tmp, ex);
}

/* ---- dates ------------------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

static int digits(const char **p, int min, int max, int64_t *out)
{
	int n = 0;
	int64_t v = 0;
	while (n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n < min)
		return -1;
	*out = v;
	return 0;
}

int lhs_parse_datetime(const char *s, int64_t *days, int64_t *micros, bool *has_time)
{
	if (!s)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	int64_t y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
	const char *p = s;
	if (digits(&p, 4, 4, &y) || *p++ != '-' || digits(&p, 1, 2, &mo) || *p++ != '-' ||
	    digits(&p, 1, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, (unsigned)mo))
		return -1;
	bool t = false;
	if (*p == 'T' || *p == ' ') {
		const char *q = p + 1;
		if (isdigit((unsigned char)*q)) {
			p = q;
			t = true;
			if (digits(&p, 1, 2, &h) || *p++ != ':' || digits(&p, 1, 2, &mi))
				return -1;
			if (*p == ':') {
				p++;
				if (digits(&p, 1, 2, &se))
					return -1;
				if (*p == '.') {
					p++;
					int n = 0;
					while (isdigit((unsigned char)*p)) {
						if (n < 6) {
							frac = frac * 10 + (*p - '0');
							n++;
						}
						p++;
					}
					while (n++ < 6)
						frac *= 10;
				}
			}
			if (h > 23 || mi > 59 || se > 59)
				return -1;
		}
	}
	if (*p == 'Z')
		p++;
	else if (!strncmp(p, "+00:00", 6))
		p += 6;
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return -1;
	*days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*micros = ((h * 60 + mi) * 60 + se) * 1000000 + frac;
	if (has_time)
		*has_time = t;
	return 0;
}

static void fmt_date(int64_t days, char *buf, size_t n)
{
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, n, "%04lld-%02u-%02u", (long long)y, m, d);
}

static void fmt_ts(int64_t days, int64_t micros, char *buf, size_t n)
{
	char date[32];
	fmt_date(days, date, sizeof(date));
	int64_t s = micros / 1000000, f = micros % 1000000;
	int len = snprintf(buf, n, "%s %02lld:%02lld:%02lld", date, (long long)(s / 3600),
			   (long long)(s / 60 % 60), (long long)(s % 60));
	if (f && len > 0 && (size_t)len < n) {
		char fr[16];
		snprintf(fr, sizeof(fr), ".%06lld", (long long)f);
		for (int i = 6; i > 1 && fr[i] == '0'; i--)
			fr[i] = '\0';
		snprintf(buf + len, n - (size_t)len, "%s", fr);
	}
}

/* A date/timestamp argument; false (result NULL or error set) otherwise. */
static bool arg_dt(sqlite3_context *f, sqlite3_value *v, int64_t *days, int64_t *micros)
{
	if (sqlite3_value_type(v) == SQLITE_NULL) {
		sqlite3_result_null(f);
		return false;
	}
	const char *s = (const char *)sqlite3_value_text(v);
	if (lhs_parse_datetime(s, days, micros, NULL) != 0) {
		/* Spark returns NULL for unparsable date strings in these functions. */
		sqlite3_result_null(f);
		return false;
	}
	return true;
}

static void result_date(sqlite3_context *f, int64_t days)
{
	char buf[32];
	fmt_date(days, buf, sizeof(buf));
	sqlite3_result_text(f, buf, -1, SQLITE_TRANSIENT);
}

static void result_ts(sqlite3_context *f, int64_t days, int64_t micros)
{
	char buf[64];
	fmt_ts(days, micros, buf, sizeof(buf));
	sqlite3_result_text(f, buf, -1, SQLITE_TRANSIENT);
}

static void f_current_date(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	lhs_ctx *c = ctx_of(f);
	int64_t ms = c ? c->now_ms : clxs_now_ms();
	result_date(f, ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000);
}

static void f_current_timestamp(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	lhs_ctx *c = ctx_of(f);
	int64_t ms = c ? c->now_ms : clxs_now_ms();
	int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
	result_ts(f, days, (ms - days * 86400000) * 1000);
}

static void f_date_add_sub(sqlite3_context *f, sqlite3_value **argv, int sign)
{
	int64_t days, us;
	if (!arg_dt(f, argv[0], &days, &us))
		return;
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	result_date(f, days + sign * sqlite3_value_int64(argv[1]));
}

static void f_date_add(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	f_date_add_sub(f, argv, 1);
}

static void f_date_sub(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	f_date_add_sub(f, argv, -1);
}

static void f_datediff(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	int64_t d1, d2, us;
	if (!arg_dt(f, argv[0], &d1, &us) || !arg_dt(f, argv[1], &d2, &us))
		return;
	sqlite3_result_int64(f, d1 - d2);
}

static void f_add_months(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	int64_t days, us;
	if (!arg_dt(f, argv[0], &days, &us))
		return;
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	int64_t total = y * 12 + (m - 1) + sqlite3_value_int64(argv[1]);
	int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
	unsigned nm = (unsigned)(total - ny * 12) + 1;
	unsigned md = month_days(ny, nm);
	result_date(f, days_from_civil(ny, nm, d > md ? md : d));
}

static void f_last_day(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	int64_t days, us, y;
	unsigned m, d;
	if (!arg_dt(f, argv[0], &days, &us))
		return;
	civil_from_days(days, &y, &m, &d);
	result_date(f, days_from_civil(y, m, month_days(y, m)));
}

enum { P_YEAR, P_QUARTER, P_MONTH, P_DAY, P_DOW, P_DOY, P_HOUR, P_MINUTE, P_SECOND };

static void date_part(sqlite3_context *f, sqlite3_value **argv, int part)
{
	int64_t days, us, y;
	unsigned m, d;
	if (!arg_dt(f, argv[0], &days, &us))
		return;
	civil_from_days(days, &y, &m, &d);
	int64_t v = 0;
	switch (part) {
	case P_YEAR: v = y; break;
	case P_QUARTER: v = (m - 1) / 3 + 1; break;
	case P_MONTH: v = m; break;
	case P_DAY: v = d; break;
	case P_DOW: v = ((days % 7) + 11) % 7 + 1; break; /* 1970-01-01 was a Thursday; 1 = Sunday */
	case P_DOY: v = days - days_from_civil(y, 1, 1) + 1; break;
	case P_HOUR: v = us / 3600000000LL; break;
	case P_MINUTE: v = us / 60000000LL % 60; break;
	case P_SECOND: v = us / 1000000LL % 60; break;
	}
	sqlite3_result_int64(f, v);
}

#define PART_FN(name, part)                                                  \
	static void name(sqlite3_context *f, int argc, sqlite3_value **argv) \
	{                                                                    \
		(void)argc;                                                  \
		date_part(f, argv, part);                                    \
	}
PART_FN(f_year, P_YEAR)
PART_FN(f_quarter, P_QUARTER)
PART_FN(f_month, P_MONTH)
PART_FN(f_day, P_DAY)
PART_FN(f_dayofweek, P_DOW)
PART_FN(f_dayofyear, P_DOY)
PART_FN(f_hour, P_HOUR)
PART_FN(f_minute, P_MINUTE)
PART_FN(f_second, P_SECOND)

/* Java DateTimeFormatter patterns, the common subset: y M d H h m s S a E
 * and 'quoted' text. Returns -1 for letters we do not know. */
static int format_dt(const char *pat, int64_t days, int64_t us, char *out, size_t outsz)
{
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static const char *const dow[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	size_t o = 0;
	for (const char *p = pat; *p && o + 16 < outsz;) {
		char ch = *p;
		size_t n = 1;
		while (p[n] == ch)
			n++;
		int64_t sec = us / 1000000;
		switch (ch) {
		case 'y':
			o += (size_t)(n == 2 ? snprintf(out + o, outsz - o, "%02lld", (long long)(y % 100))
					     : snprintf(out + o, outsz - o, "%0*lld", (int)n, (long long)y));
			break;
		case 'M':
		case 'L':
			if (n >= 3)
				o += (size_t)snprintf(out + o, outsz - o, "%s", mon[m - 1]);
			else
				o += (size_t)snprintf(out + o, outsz - o, "%0*u", (int)n, m);
			break;
		case 'd':
			o += (size_t)snprintf(out + o, outsz - o, "%0*u", (int)n, d);
			break;
		case 'H':
			o += (size_t)snprintf(out + o, outsz - o, "%0*lld", (int)n, (long long)(sec / 3600));
			break;
		case 'h': {
			long long hh = sec / 3600 % 12;
			o += (size_t)snprintf(out + o, outsz - o, "%0*lld", (int)n, hh ? hh : 12);
			break;
		}
		case 'm':
			o += (size_t)snprintf(out + o, outsz - o, "%0*lld", (int)n, (long long)(sec / 60 % 60));
			break;
		case 's':
			o += (size_t)snprintf(out + o, outsz - o, "%0*lld", (int)n, (long long)(sec % 60));
			break;
		case 'S': {
			char fr[8];
			snprintf(fr, sizeof(fr), "%06lld", (long long)(us % 1000000));
			for (size_t i = 0; i < n && i < 6; i++)
				out[o++] = fr[i];
			break;
		}
		case 'a':
			o += (size_t)snprintf(out + o, outsz - o, "%s", sec / 3600 < 12 ? "AM" : "PM");
			break;
		case 'E':
			o += (size_t)snprintf(out + o, outsz - o, "%s",
					      dow[((days % 7) + 11) % 7]);
			break;
		case '\'': {
			const char *q = p + 1;
			if (*q == '\'') {
				out[o++] = '\'';
				p += 2;
				continue;
			}
			while (*q && *q != '\'' && o + 2 < outsz)
				out[o++] = *q++;
			p = *q ? q + 1 : q;
			continue;
		}
		default:
			if (isalpha((unsigned char)ch))
				return -1;
			for (size_t i = 0; i < n; i++)
				out[o++] = ch;
		}
		p += n;
	}
	out[o] = '\0';
	return 0;
}

static void f_date_format(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	int64_t days, us;
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL || !arg_dt(f, argv[0], &days, &us)) {
		sqlite3_result_null(f);
		return;
	}
	char out[512];
	if (format_dt((const char *)sqlite3_value_text(argv[1]), days, us, out, sizeof(out))) {
		fail(f, "UNSUPPORTED_FEATURE", "date_format pattern '%s' is not supported.",
		     sqlite3_value_text(argv[1]));
		return;
	}
	sqlite3_result_text(f, out, -1, SQLITE_TRANSIENT);
}

/* Parse s with a Java pattern (subset: yyyy MM M dd d HH H mm m ss s SSS). */
static int parse_with(const char *s, const char *pat, int64_t *days, int64_t *us)
{
	int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, se = 0, fr = 0;
	const char *p = pat, *q = s;
	while (*p) {
		char ch = *p;
		size_t n = 1;
		while (p[n] == ch)
			n++;
		int64_t v;
		int mn = (int)n, mx = n == 1 ? 2 : (int)n;
		switch (ch) {
		case 'y': if (digits(&q, n == 2 ? 2 : 4, n == 2 ? 2 : 4, &v)) return -1; y = n == 2 ? 2000 + v : v; break;
		case 'M': if (digits(&q, mn > 2 ? 2 : mn, mx, &v)) return -1; mo = v; break;
		case 'd': if (digits(&q, mn, mx, &v)) return -1; d = v; break;
		case 'H': if (digits(&q, mn, mx, &v)) return -1; h = v; break;
		case 'm': if (digits(&q, mn, mx, &v)) return -1; mi = v; break;
		case 's': if (digits(&q, mn, mx, &v)) return -1; se = v; break;
		case 'S': {
			if (digits(&q, (int)n, (int)n, &v))
				return -1;
			fr = v;
			for (size_t i = n; i < 6; i++)
				fr *= 10;
			break;
		}
		case '\'': {
			const char *e = strchr(p + 1, '\'');
			if (!e)
				return -1;
			size_t len = (size_t)(e - p - 1);
			if (strncmp(q, p + 1, len))
				return -1;
			q += len;
			p = e + 1;
			continue;
		}
		default:
			if (isalpha((unsigned char)ch))
				return -1;
			for (size_t i = 0; i < n; i++)
				if (*q++ != ch)
					return -1;
		}
		p += n;
	}
	if (*q || mo < 1 || mo > 12 || d < 1 || d > month_days(y, (unsigned)mo) || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	*days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*us = ((h * 60 + mi) * 60 + se) * 1000000 + fr;
	return 0;
}

static bool parse_arg(sqlite3_context *f, int argc, sqlite3_value **argv, int64_t *days, int64_t *us)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return false;
	}
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	int r = argc > 1 ? parse_with(s, (const char *)sqlite3_value_text(argv[1]), days, us)
			 : lhs_parse_datetime(s, days, us, NULL);
	if (r) {
		sqlite3_result_null(f);
		return false;
	}
	return true;
}

static void f_to_date(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	int64_t days, us;
	if (parse_arg(f, argc, argv, &days, &us))
		result_date(f, days);
}

static void f_to_timestamp(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	int64_t days, us;
	if (parse_arg(f, argc, argv, &days, &us))
		result_ts(f, days, us);
}

static void f_unix_timestamp(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (argc == 0) {
		lhs_ctx *c = ctx_of(f);
		sqlite3_result_int64(f, (c ? c->now_ms : clxs_now_ms()) / 1000);
		return;
	}
	int64_t days, us;
	if (parse_arg(f, argc, argv, &days, &us))
		sqlite3_result_int64(f, days * 86400 + us / 1000000);
}

static void f_from_unixtime(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return;
	}
	int64_t s = sqlite3_value_int64(argv[0]);
	int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
	int64_t us = (s - days * 86400) * 1000000;
	char out[512];
	const char *pat = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : "yyyy-MM-dd HH:mm:ss";
	if (format_dt(pat, days, us, out, sizeof(out))) {
		fail(f, "UNSUPPORTED_FEATURE", "from_unixtime pattern '%s' is not supported.", pat);
		return;
	}
	sqlite3_result_text(f, out, -1, SQLITE_TRANSIENT);
}

static void f_date_trunc(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	int64_t days, us, y;
	unsigned m, d;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !arg_dt(f, argv[1], &days, &us)) {
		sqlite3_result_null(f);
		return;
	}
	const char *u = (const char *)sqlite3_value_text(argv[0]);
	civil_from_days(days, &y, &m, &d);
	if (!strcasecmp(u, "YEAR") || !strcasecmp(u, "YYYY") || !strcasecmp(u, "YY"))
		result_ts(f, days_from_civil(y, 1, 1), 0);
	else if (!strcasecmp(u, "QUARTER"))
		result_ts(f, days_from_civil(y, (m - 1) / 3 * 3 + 1, 1), 0);
	else if (!strcasecmp(u, "MONTH") || !strcasecmp(u, "MM") || !strcasecmp(u, "MON"))
		result_ts(f, days_from_civil(y, m, 1), 0);
	else if (!strcasecmp(u, "WEEK"))
		result_ts(f, days - (((days % 7) + 10) % 7), 0);
	else if (!strcasecmp(u, "DAY") || !strcasecmp(u, "DD"))
		result_ts(f, days, 0);
	else if (!strcasecmp(u, "HOUR"))
		result_ts(f, days, us / 3600000000LL * 3600000000LL);
	else if (!strcasecmp(u, "MINUTE"))
		result_ts(f, days, us / 60000000LL * 60000000LL);
	else if (!strcasecmp(u, "SECOND"))
		result_ts(f, days, us / 1000000LL * 1000000LL);
	else
		sqlite3_result_null(f);
}

/* ---- casts --------------------------------------------------------------------------- */

static void cast_fail(sqlite3_context *f, bool try_, sqlite3_value *v, const char *type)
{
	if (try_) {
		sqlite3_result_null(f);
		return;
	}
	const char *s = (const char *)sqlite3_value_text(v);
	fail(f, "CAST_INVALID_INPUT",
	     "The value '%.100s' of the type \"%s\" cannot be cast to \"%s\" because it is malformed.",
	     s ? s : "", sqlite3_value_type(v) == SQLITE_TEXT ? "STRING" : "NUMERIC", type);
}

static bool int_range(const char *base, int64_t v)
{
	if (!strcmp(base, "INT") || !strcmp(base, "INTEGER"))
		return v >= INT32_MIN && v <= INT32_MAX;
	if (!strcmp(base, "SMALLINT") || !strcmp(base, "SHORT"))
		return v >= INT16_MIN && v <= INT16_MAX;
	if (!strcmp(base, "TINYINT") || !strcmp(base, "BYTE"))
		return v >= INT8_MIN && v <= INT8_MAX;
	return true;
}

static bool parse_num(const char *s, double *d, int64_t *i, bool *is_int)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	const char *e = end;
	while (isspace((unsigned char)*e))
		e++;
	if (!*e && !errno && end != s) {
		*i = v;
		*d = (double)v;
		*is_int = true;
		return true;
	}
	double x = strtod(s, &end);
	e = end;
	while (isspace((unsigned char)*e))
		e++;
	if (end == s || *e)
		return false;
	*d = x;
	*is_int = false;
	return true;
}

static void do_cast(sqlite3_context *f, int argc, sqlite3_value **argv, bool try_)
{
	sqlite3_value *v = argv[0];
	int vt = sqlite3_value_type(v);
	if (vt == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	char type[128];
	snprintf(type, sizeof(type), "%s", (const char *)sqlite3_value_text(argv[1]));
	const char *src = argc > 2 ? (const char *)sqlite3_value_text(argv[2]) : NULL;
	char base[64];
	size_t bl = strcspn(type, "(<");
	snprintf(base, sizeof(base), "%.*s", (int)(bl < 63 ? bl : 63), type);
	for (char *p = base; *p; p++)
		*p = (char)toupper((unsigned char)*p);

	if (!strcmp(base, "STRING") || !strcmp(base, "VARCHAR") || !strcmp(base, "CHAR")) {
		if (vt == SQLITE_INTEGER && src && !strncasecmp(src, "BOOL", 4)) {
			sqlite3_result_text(f, sqlite3_value_int64(v) ? "true" : "false", -1, SQLITE_STATIC);
		} else if (vt == SQLITE_FLOAT) {
			char buf[64];
			int scale = -1;
			if (src && !strncasecmp(src, "DECIMAL", 7))
				sscanf(src, "%*[^,],%d", &scale);
			if (scale >= 0)
				snprintf(buf, sizeof(buf), "%.*f", scale, sqlite3_value_double(v));
			else
				lhs_fmt_double(sqlite3_value_double(v), buf, sizeof(buf));
			sqlite3_result_text(f, buf, -1, SQLITE_TRANSIENT);
		} else if (vt == SQLITE_TEXT && src && !strncasecmp(src, "TIMESTAMP", 9)) {
			int64_t days, us;
			const char *s = (const char *)sqlite3_value_text(v);
			char buf[64];
			if (lhs_parse_datetime(s, &days, &us, NULL) == 0) {
				fmt_ts(days, us, buf, sizeof(buf));
				sqlite3_result_text(f, buf, -1, SQLITE_TRANSIENT);
			} else
				sqlite3_result_value(f, v);
		} else {
			sqlite3_result_text(f, (const char *)sqlite3_value_text(v),
					    sqlite3_value_bytes(v), SQLITE_TRANSIENT);
		}
		return;
	}
	if (!strcmp(base, "BIGINT") || !strcmp(base, "LONG") || !strcmp(base, "INT") ||
	    !strcmp(base, "INTEGER") || !strcmp(base, "SMALLINT") || !strcmp(base, "SHORT") ||
	    !strcmp(base, "TINYINT") || !strcmp(base, "BYTE")) {
		int64_t r;
		if (vt == SQLITE_INTEGER) {
			r = sqlite3_value_int64(v);
		} else {
			double d;
			int64_t i;
			bool is_int;
			if (vt == SQLITE_FLOAT) {
				d = sqlite3_value_double(v);
				is_int = false;
			} else if (vt == SQLITE_TEXT) {
				const char *s = (const char *)sqlite3_value_text(v);
				if (!parse_num(s, &d, &i, &is_int)) {
					cast_fail(f, try_, v, base);
					return;
				}
			} else {
				cast_fail(f, try_, v, base);
				return;
			}
			if (!is_int) {
				if (isnan(d) || d >= 9.2233720368547758e18 || d < -9.2233720368547758e18) {
					cast_fail(f, try_, v, base);
					return;
				}
				i = (int64_t)trunc(d);
			}
			r = i;
		}
		if (!int_range(base, r)) {
			if (try_)
				sqlite3_result_null(f);
			else
				fail(f, "CAST_OVERFLOW",
				     "The value %lld of the type \"BIGINT\" cannot be cast to \"%s\" due to an overflow.",
				     (long long)r, base);
			return;
		}
		sqlite3_result_int64(f, r);
		return;
	}
	if (!strcmp(base, "DOUBLE") || !strcmp(base, "FLOAT") || !strcmp(base, "REAL") ||
	    !strcmp(base, "DECIMAL") || !strcmp(base, "DEC") || !strcmp(base, "NUMERIC")) {
		double d;
		if (vt == SQLITE_INTEGER || vt == SQLITE_FLOAT) {
			d = sqlite3_value_double(v);
		} else if (vt == SQLITE_TEXT) {
			const char *s = (const char *)sqlite3_value_text(v);
			int64_t i;
			bool is_int;
			if (!parse_num(s, &d, &i, &is_int)) {
				while (isspace((unsigned char)*s))
					s++;
				if (!strcasecmp(s, "NaN"))
					d = NAN;
				else if (!strcasecmp(s, "Infinity") || !strcasecmp(s, "inf"))
					d = INFINITY;
				else if (!strcasecmp(s, "-Infinity") || !strcasecmp(s, "-inf"))
					d = -INFINITY;
				else {
					cast_fail(f, try_, v, base);
					return;
				}
			}
		} else {
			cast_fail(f, try_, v, base);
			return;
		}
		if (base[0] == 'D' && base[1] == 'E' ) {
			int p = 10, s = 0;
			if (strchr(type, '('))
				if (sscanf(strchr(type, '('), "(%d,%d)", &p, &s) < 1)
					p = 10;
			double scaled = round(d * pow(10, s)) / pow(10, s);
			if (isnan(d) || fabs(scaled) >= pow(10, p - s)) {
				if (try_)
					sqlite3_result_null(f);
				else
					fail(f, "NUMERIC_VALUE_OUT_OF_RANGE",
					     "The value cannot be represented as Decimal(%d, %d).", p, s);
				return;
			}
			if (s == 0 && fabs(scaled) < 9e15)
				sqlite3_result_int64(f, (int64_t)scaled);
			else
				sqlite3_result_double(f, scaled);
			return;
		}
		if (!strcmp(base, "FLOAT") || !strcmp(base, "REAL"))
			d = (double)(float)d;
		sqlite3_result_double(f, d);
		return;
	}
	if (!strcmp(base, "BOOLEAN") || !strcmp(base, "BOOL")) {
		if (vt == SQLITE_INTEGER || vt == SQLITE_FLOAT) {
			sqlite3_result_int(f, sqlite3_value_double(v) != 0);
			return;
		}
		const char *s = (const char *)sqlite3_value_text(v);
		char w[16];
		size_t n = 0;
		while (isspace((unsigned char)*s))
			s++;
		for (; *s && n < sizeof(w) - 1; s++)
			w[n++] = (char)tolower((unsigned char)*s);
		while (n && isspace((unsigned char)w[n - 1]))
			n--;
		w[n] = '\0';
		if (!strcmp(w, "true") || !strcmp(w, "t") || !strcmp(w, "yes") || !strcmp(w, "y") ||
		    !strcmp(w, "1"))
			sqlite3_result_int(f, 1);
		else if (!strcmp(w, "false") || !strcmp(w, "f") || !strcmp(w, "no") || !strcmp(w, "n") ||
			 !strcmp(w, "0"))
			sqlite3_result_int(f, 0);
		else
			cast_fail(f, try_, v, base);
		return;
	}
	if (!strcmp(base, "DATE") || !strncmp(base, "TIMESTAMP", 9)) {
		int64_t days, us;
		if (vt == SQLITE_INTEGER || vt == SQLITE_FLOAT) {
			if (base[0] == 'D') {
				cast_fail(f, try_, v, base);
				return;
			}
			double s = sqlite3_value_double(v);
			days = (int64_t)floor(s / 86400);
			us = (int64_t)llround((s - (double)days * 86400) * 1e6);
		} else if (lhs_parse_datetime((const char *)sqlite3_value_text(v), &days, &us, NULL)) {
			cast_fail(f, try_, v, base);
			return;
		}
		if (base[0] == 'D')
			result_date(f, days);
		else
			result_ts(f, days, us);
		return;
	}
	if (!strcmp(base, "BINARY")) {
		sqlite3_result_blob(f, sqlite3_value_blob(v), sqlite3_value_bytes(v), SQLITE_TRANSIENT);
		return;
	}
	fail(f, "UNSUPPORTED_FEATURE", "CAST to %s is not supported by the embedded lakehouse.", type);
}

static void f_cast(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	do_cast(f, argc, argv, false);
}

static void f_try_cast(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	do_cast(f, argc, argv, true);
}

/* ---- strings ---------------------------------------------------------------------------- */

/* Byte offset of the n-th UTF-8 character of s (len bytes). */
static size_t utf8_off(const unsigned char *s, size_t len, int64_t n)
{
	size_t o = 0;
	while (n > 0 && o < len) {
		o++;
		while (o < len && (s[o] & 0xc0) == 0x80)
			o++;
		n--;
	}
	return o;
}

static int64_t utf8_len(const unsigned char *s, size_t len)
{
	int64_t n = 0;
	for (size_t i = 0; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static void f_substr(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return;
	}
	const unsigned char *s = sqlite3_value_text(argv[0]);
	size_t bytes = (size_t)sqlite3_value_bytes(argv[0]);
	int64_t n = utf8_len(s, bytes);
	int64_t pos = sqlite3_value_int64(argv[1]);
	int64_t len = argc > 2 ? sqlite3_value_int64(argv[2]) : INT64_MAX;
	/* Spark: 1-based; 0 acts as 1; negative counts from the end. */
	int64_t start = pos > 0 ? pos - 1 : pos == 0 ? 0 : n + pos;
	int64_t end = len < 0 ? start : (len > INT64_MAX - start ? INT64_MAX : start + len);
	if (start < 0)
		start = 0;
	if (end > n)
		end = n;
	if (end <= start) {
		sqlite3_result_text(f, "", 0, SQLITE_STATIC);
		return;
	}
	size_t a = utf8_off(s, bytes, start), b = utf8_off(s, bytes, end);
	sqlite3_result_text(f, (const char *)s + a, (int)(b - a), SQLITE_TRANSIENT);
}

static void f_concat(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return;
	}
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_buf_set_limit(&b, MAX_STR);
	for (int i = 0; i < argc; i++)
		clxs_buf_append(&b, sqlite3_value_text(argv[i]), (size_t)sqlite3_value_bytes(argv[i]));
	if (clxs_buf_failed(&b)) {
		clxs_buf_free(&b);
		sqlite3_result_error_nomem(f);
		return;
	}
	sqlite3_result_text(f, clxs_buf_str(&b), (int)b.len, SQLITE_TRANSIENT);
	clxs_buf_free(&b);
}

static void f_concat_ws(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	const char *sep = (const char *)sqlite3_value_text(argv[0]);
	size_t sl = (size_t)sqlite3_value_bytes(argv[0]);
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_buf_set_limit(&b, MAX_STR);
	clxs_buf_puts(&b, "");
	bool first = true;
	for (int i = 1; i < argc; i++) {
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
			continue;
		if (!first)
			clxs_buf_append(&b, sep, sl);
		first = false;
		clxs_buf_append(&b, sqlite3_value_text(argv[i]), (size_t)sqlite3_value_bytes(argv[i]));
	}
	if (clxs_buf_failed(&b)) {
		clxs_buf_free(&b);
		sqlite3_result_error_nomem(f);
		return;
	}
	sqlite3_result_text(f, clxs_buf_str(&b), (int)b.len, SQLITE_TRANSIENT);
	clxs_buf_free(&b);
}

static void pad(sqlite3_context *f, int argc, sqlite3_value **argv, bool left)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return;
	}
	const unsigned char *s = sqlite3_value_text(argv[0]);
	size_t sb = (size_t)sqlite3_value_bytes(argv[0]);
	int64_t want = sqlite3_value_int64(argv[1]);
	const unsigned char *p = argc > 2 ? sqlite3_value_text(argv[2]) : (const unsigned char *)" ";
	size_t pb = argc > 2 ? (size_t)sqlite3_value_bytes(argv[2]) : 1;
	if (want <= 0) {
		sqlite3_result_text(f, "", 0, SQLITE_STATIC);
		return;
	}
	if (want > MAX_STR) {
		sqlite3_result_error_toobig(f);
		return;
	}
	int64_t n = utf8_len(s, sb);
	if (n >= want) {
		size_t o = utf8_off(s, sb, want);
		sqlite3_result_text(f, (const char *)s, (int)o, SQLITE_TRANSIENT);
		return;
	}
	int64_t need = want - n, pn = utf8_len(p, pb);
	clxs_buf b;
	clxs_buf_init(&b);
	if (!left)
		clxs_buf_append(&b, s, sb);
	for (int64_t k = 0; pn > 0 && k < need;) {
		int64_t take = need - k < pn ? need - k : pn;
		clxs_buf_append(&b, p, utf8_off(p, pb, take));
		k += take;
	}
	if (left)
		clxs_buf_append(&b, s, sb);
	if (clxs_buf_failed(&b))
		sqlite3_result_error_nomem(f);
	else
		sqlite3_result_text(f, clxs_buf_str(&b), (int)b.len, SQLITE_TRANSIENT);
	clxs_buf_free(&b);
}

static void f_lpad(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	pad(f, argc, argv, true);
}

static void f_rpad(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	pad(f, argc, argv, false);
}

static void f_left_right(sqlite3_context *f, sqlite3_value **argv, bool left)
{
	if (any_null(2, argv)) {
		sqlite3_result_null(f);
		return;
	}
	const unsigned char *s = sqlite3_value_text(argv[0]);
	size_t sb = (size_t)sqlite3_value_bytes(argv[0]);
	int64_t n = utf8_len(s, sb), k = sqlite3_value_int64(argv[1]);
	if (k <= 0) {
		sqlite3_result_text(f, "", 0, SQLITE_STATIC);
		return;
	}
	if (k > n)
		k = n;
	size_t a = left ? 0 : utf8_off(s, sb, n - k), b = left ? utf8_off(s, sb, k) : sb;
	sqlite3_result_text(f, (const char *)s + a, (int)(b - a), SQLITE_TRANSIENT);
}

static void f_left(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	f_left_right(f, argv, true);
}

static void f_right(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	f_left_right(f, argv, false);
}

static void f_reverse(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	const unsigned char *s = sqlite3_value_text(argv[0]);
	size_t n = (size_t)sqlite3_value_bytes(argv[0]);
	char *o = sqlite3_malloc64(n + 1);
	if (!o) {
		sqlite3_result_error_nomem(f);
		return;
	}
	size_t w = n;
	for (size_t i = 0; i < n;) {
		size_t cl = 1;
		while (i + cl < n && (s[i + cl] & 0xc0) == 0x80)
			cl++;
		w -= cl;
		memcpy(o + w, s + i, cl);
		i += cl;
	}
	sqlite3_result_text(f, o, (int)n, sqlite3_free);
}

static void f_repeat(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return;
	}
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	size_t n = (size_t)sqlite3_value_bytes(argv[0]);
	int64_t k = sqlite3_value_int64(argv[1]);
	if (k <= 0 || n == 0) {
		sqlite3_result_text(f, "", 0, SQLITE_STATIC);
		return;
	}
	if ((uint64_t)k * n > MAX_STR) {
		sqlite3_result_error_toobig(f);
		return;
	}
	clxs_buf b;
	clxs_buf_init(&b);
	for (int64_t i = 0; i < k; i++)
		clxs_buf_append(&b, s, n);
	if (clxs_buf_failed(&b))
		sqlite3_result_error_nomem(f);
	else
		sqlite3_result_text(f, clxs_buf_str(&b), (int)b.len, SQLITE_TRANSIENT);
	clxs_buf_free(&b);
}

enum { S_STARTS, S_ENDS, S_CONTAINS };

static void str_test(sqlite3_context *f, sqlite3_value **argv, int how)
{
	if (any_null(2, argv)) {
		sqlite3_result_null(f);
		return;
	}
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	size_t sn = (size_t)sqlite3_value_bytes(argv[0]);
	const char *p = (const char *)sqlite3_value_text(argv[1]);
	size_t pn = (size_t)sqlite3_value_bytes(argv[1]);
	int r = 0;
	if (pn <= sn) {
		if (how == S_STARTS)
			r = memcmp(s, p, pn) == 0;
		else if (how == S_ENDS)
			r = memcmp(s + sn - pn, p, pn) == 0;
		else
			r = pn == 0 || memmem(s, sn, p, pn) != NULL;
	}
	sqlite3_result_int(f, r);
}

static void f_startswith(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	str_test(f, argv, S_STARTS);
}

static void f_endswith(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	str_test(f, argv, S_ENDS);
}

static void f_contains(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	str_test(f, argv, S_CONTAINS);
}

/* Case-sensitive LIKE with '\' as the default escape, as in Spark (SQLite's
 * built-in LIKE ignores ASCII case). */
static bool like_match(const unsigned char *p, const unsigned char *s, int esc)
{
	while (*p) {
		if (*p == '%') {
			while (*p == '%')
				p++;
			if (!*p)
				return true;
			for (; *s; s++)
				if (like_match(p, s, esc))
					return true;
			return like_match(p, s, esc);
		}
		if (!*s)
			return false;
		if (*p == '_') {
			p++;
			s++;
			while ((*s & 0xc0) == 0x80)
				s++;
			continue;
		}
		if (esc >= 0 && *p == esc && p[1])
			p++;
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return !*s;
}

static void f_like(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return;
	}
	int esc = '\\';
	if (argc == 3) {
		const unsigned char *e = sqlite3_value_text(argv[2]);
		if (!e || sqlite3_value_bytes(argv[2]) != 1) {
			sqlite3_result_error(f, "[INVALID_ESCAPE_CHAR] the escape must be one character", -1);
			return;
		}
		esc = e[0];
	}
	/* %-runs make the naive matcher exponential; cap the pattern size. */
	if (sqlite3_value_bytes(argv[0]) > 50000) {
		sqlite3_result_error_toobig(f);
		return;
	}
	sqlite3_result_int(f, like_match(sqlite3_value_text(argv[0]), sqlite3_value_text(argv[1]), esc));
}

/* POSIX extended regular expressions stand in for Java's: close for the
 * usual patterns, not identical for all (documented). */
static void re_free(void *p)
{
	regfree(p);
	sqlite3_free(p);
}

static regex_t *get_re(sqlite3_context *f, sqlite3_value *pv, int slot)
{
	regex_t *re = sqlite3_get_auxdata(f, slot);
	if (re)
		return re;
	re = sqlite3_malloc(sizeof(*re));
	if (!re) {
		sqlite3_result_error_nomem(f);
		return NULL;
	}
	if (regcomp(re, (const char *)sqlite3_value_text(pv), REG_EXTENDED)) {
		sqlite3_free(re);
		fail(f, "INVALID_PARAMETER_VALUE.PATTERN", "invalid regular expression '%.100s'",
		     sqlite3_value_text(pv));
		return NULL;
	}
	sqlite3_set_auxdata(f, slot, re, re_free);
	return sqlite3_get_auxdata(f, slot);
}

/* Whether argv[subject] matches the pattern argv[pattern] (compiled once a
 * statement, kept in auxdata slot pattern). */
static void regex_test(sqlite3_context *f, sqlite3_value **argv, int pattern, int subject)
{
	if (any_null(2, argv)) {
		sqlite3_result_null(f);
		return;
	}
	regex_t *re = get_re(f, argv[pattern], pattern);
	if (!re)
		return;
	sqlite3_result_int(f, regexec(re, (const char *)sqlite3_value_text(argv[subject]), 0, NULL,
				      0) == 0);
}

static void f_regexp(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	/* X REGEXP Y calls regexp(Y, X) */
	regex_test(f, argv, 0, 1);
}

static void f_regexp_like(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	regex_test(f, argv, 1, 0);
}

static void f_regexp_replace(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (any_null(3, argv)) {
		sqlite3_result_null(f);
		return;
	}
	regex_t *re = get_re(f, argv[1], 1);
	if (!re)
		return;
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	const char *rep = (const char *)sqlite3_value_text(argv[2]);
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_buf_set_limit(&b, MAX_STR);
	clxs_buf_puts(&b, "");
	regmatch_t m;
	int flags = 0;
	while (*s && regexec(re, s, 1, &m, flags) == 0) {
		clxs_buf_append(&b, s, (size_t)m.rm_so);
		clxs_buf_puts(&b, rep);
		if (m.rm_eo == m.rm_so) {
			clxs_buf_append(&b, s + m.rm_eo, 1);
			s += m.rm_eo + 1;
		} else
			s += m.rm_eo;
		flags = REG_NOTBOL;
	}
	clxs_buf_puts(&b, s);
	if (clxs_buf_failed(&b))
		sqlite3_result_error_nomem(f);
	else
		sqlite3_result_text(f, clxs_buf_str(&b), (int)b.len, SQLITE_TRANSIENT);
	clxs_buf_free(&b);
}

/* ---- digests and encodings --------------------------------------------------------------- */

static void digest(sqlite3_context *f, sqlite3_value *v, const EVP_MD *md)
{
	if (sqlite3_value_type(v) == SQLITE_NULL || !md) {
		sqlite3_result_null(f);
		return;
	}
	const void *p = sqlite3_value_type(v) == SQLITE_BLOB ? sqlite3_value_blob(v)
							      : (const void *)sqlite3_value_text(v);
	size_t n = (size_t)sqlite3_value_bytes(v);
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!EVP_Digest(p ? p : "", n, out, &len, md, NULL)) {
		sqlite3_result_error(f, "[INTERNAL_ERROR] digest failed", -1);
		return;
	}
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	sqlite3_result_text(f, hex, (int)(2 * len), SQLITE_TRANSIENT);
}

static void f_md5(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	digest(f, argv[0], EVP_md5());
}

static void f_sha1(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	digest(f, argv[0], EVP_sha1());
}

static void f_sha2(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	int64_t bits = sqlite3_value_int64(argv[1]);
	const EVP_MD *md = bits == 0 || bits == 256 ? EVP_sha256() : bits == 224 ? EVP_sha224()
		: bits == 384 ? EVP_sha384() : bits == 512 ? EVP_sha512() : NULL;
	digest(f, argv[0], md);
}

static void f_base64(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_value *v = argv[0];
	if (sqlite3_value_type(v) == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	const unsigned char *p = sqlite3_value_type(v) == SQLITE_BLOB ? sqlite3_value_blob(v)
								   : sqlite3_value_text(v);
	int n = sqlite3_value_bytes(v);
	if (n > MAX_STR / 2) {
		sqlite3_result_error_toobig(f);
		return;
	}
	unsigned char *o = sqlite3_malloc64((sqlite3_uint64)(4 * ((n + 2) / 3) + 1));
	if (!o) {
		sqlite3_result_error_nomem(f);
		return;
	}
	int len = EVP_EncodeBlock(o, p ? p : (const unsigned char *)"", n);
	sqlite3_result_text(f, (const char *)o, len, sqlite3_free);
}

static void f_hex(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_value *v = argv[0];
	int t = sqlite3_value_type(v);
	if (t == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	if (t == SQLITE_INTEGER) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%llX", (unsigned long long)sqlite3_value_int64(v));
		sqlite3_result_text(f, buf, -1, SQLITE_TRANSIENT);
		return;
	}
	const unsigned char *p = t == SQLITE_BLOB ? sqlite3_value_blob(v) : sqlite3_value_text(v);
	int n = sqlite3_value_bytes(v);
	if (n > MAX_STR / 2) {
		sqlite3_result_error_toobig(f);
		return;
	}
	char *o = sqlite3_malloc64((sqlite3_uint64)(2 * n + 1));
	if (!o) {
		sqlite3_result_error_nomem(f);
		return;
	}
	for (int i = 0; i < n; i++)
		snprintf(o + 2 * i, 3, "%02X", p[i]);
	sqlite3_result_text(f, o, 2 * n, sqlite3_free);
}

/* hash()/xxhash64(): argv[0] holds one type code per value (see
 * sql_select.c type_code); NULL values leave the seed unchanged. */
typedef struct {
	bool xx;
	uint32_t h32;
	uint64_t h64;
} hstate;

static void h_int(hstate *h, uint32_t v)
{
	if (h->xx)
		h->h64 = lhs_xxh64_int(v, h->h64);
	else
		h->h32 = lhs_murmur3_int(v, h->h32);
}

static void h_long(hstate *h, uint64_t v)
{
	if (h->xx)
		h->h64 = lhs_xxh64_long(v, h->h64);
	else
		h->h32 = lhs_murmur3_long(v, h->h32);
}

static void h_bytes(hstate *h, const void *p, size_t n)
{
	if (h->xx)
		h->h64 = lhs_xxh64_bytes(p, n, h->h64);
	else
		h->h32 = lhs_murmur3_bytes(p, n, h->h32);
}

static void do_hash(sqlite3_context *f, int argc, sqlite3_value **argv, bool xx)
{
	hstate h = {xx, 42, 42};
	const char *codes = (const char *)sqlite3_value_text(argv[0]);
	size_t nc = codes ? strlen(codes) : 0;
	for (int i = 1; i < argc; i++) {
		sqlite3_value *v = argv[i];
		int t = sqlite3_value_type(v);
		if (t == SQLITE_NULL)
			continue;
		char code = (size_t)(i - 1) < nc ? codes[i - 1] : '?';
		if (code == '?')
			code = t == SQLITE_INTEGER
				? (sqlite3_value_int64(v) >= INT32_MIN && sqlite3_value_int64(v) <= INT32_MAX ? 'I' : 'L')
				: t == SQLITE_FLOAT ? 'D' : t == SQLITE_BLOB ? 'X' : 'S';
		switch (code) {
		case 'I':
		case 'B':
			h_int(&h, (uint32_t)(int32_t)sqlite3_value_int64(v));
			break;
		case 'L':
			h_long(&h, (uint64_t)sqlite3_value_int64(v));
			break;
		case 'D': {
			double d = sqlite3_value_double(v);
			if (d == 0)
				d = 0.0; /* -0.0 hashes as 0.0 */
			uint64_t bits;
			if (isnan(d))
				bits = 0x7ff8000000000000ULL;
			else
				memcpy(&bits, &d, sizeof(bits));
			h_long(&h, bits);
			break;
		}
		case 'F': {
			float fl = (float)sqlite3_value_double(v);
			if (fl == 0)
				fl = 0.0f;
			uint32_t bits;
			if (isnan(fl))
				bits = 0x7fc00000u;
			else
				memcpy(&bits, &fl, sizeof(bits));
			h_int(&h, bits);
			break;
		}
		case 'T':
		case 'P': {
			int64_t days, us;
			if (lhs_parse_datetime((const char *)sqlite3_value_text(v), &days, &us, NULL)) {
				h_bytes(&h, sqlite3_value_text(v), (size_t)sqlite3_value_bytes(v));
				break;
			}
			if (code == 'T')
				h_int(&h, (uint32_t)(int32_t)days);
			else
				h_long(&h, (uint64_t)(days * 86400000000LL + us));
			break;
		}
		case 'N':
			break;
		case 'X':
			h_bytes(&h, sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v));
			break;
		default:
			h_bytes(&h, sqlite3_value_text(v), (size_t)sqlite3_value_bytes(v));
			break;
		}
	}
	if (xx)
		sqlite3_result_int64(f, (int64_t)h.h64);
	else
		sqlite3_result_int64(f, (int32_t)h.h32);
}

static void f_hash(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	do_hash(f, argc, argv, false);
}

static void f_xxhash64(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	do_hash(f, argc, argv, true);
}

/* ---- numbers ---------------------------------------------------------------------------- */

static void f_round(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return;
	}
	int64_t d = argc > 1 ? sqlite3_value_int64(argv[1]) : 0;
	sqlite3_value *v = argv[0];
	if (sqlite3_value_numeric_type(v) == SQLITE_INTEGER) {
		int64_t x = sqlite3_value_int64(v);
		if (d >= 0 || d < -18) {
			sqlite3_result_int64(f, d < -18 ? 0 : x);
			return;
		}
		int64_t p = 1;
		for (int64_t i = 0; i < -d; i++)
			p *= 10;
		int64_t r = x / p * p, rem = x % p;
		if (rem >= p / 2 + (p % 2))
			r += p;
		else if (rem <= -(p / 2 + (p % 2)))
			r -= p;
		sqlite3_result_int64(f, r);
		return;
	}
	double x = sqlite3_value_double(v);
	if (d > 15) {
		sqlite3_result_double(f, x);
		return;
	}
	double p = pow(10, (double)d);
	/* half away from zero, on the decimal text to avoid 2.675 * 100 errors */
	char buf[64];
	snprintf(buf, sizeof(buf), "%.15g", x * p);
	sqlite3_result_double(f, round(strtod(buf, NULL)) / p);
}

static void f_ceil_floor(sqlite3_context *f, sqlite3_value **argv, bool ceil_)
{
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(f);
		return;
	}
	if (sqlite3_value_numeric_type(argv[0]) == SQLITE_INTEGER) {
		sqlite3_result_int64(f, sqlite3_value_int64(argv[0]));
		return;
	}
	double x = sqlite3_value_double(argv[0]);
	double r = ceil_ ? ceil(x) : floor(x);
	if (r >= -9.2e18 && r <= 9.2e18)
		sqlite3_result_int64(f, (int64_t)r);
	else
		sqlite3_result_double(f, r);
}

static void f_ceil(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	f_ceil_floor(f, argv, true);
}

static void f_floor(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	f_ceil_floor(f, argv, false);
}

static void f_sqrt(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		sqlite3_result_null(f);
	else
		sqlite3_result_double(f, sqrt(sqlite3_value_double(argv[0])));
}

static void f_pow(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (any_null(argc, argv))
		sqlite3_result_null(f);
	else
		sqlite3_result_double(f, pow(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1])));
}

static void f_mod(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	if (any_null(argc, argv)) {
		sqlite3_result_null(f);
		return;
	}
	if (sqlite3_value_numeric_type(argv[0]) == SQLITE_INTEGER &&
	    sqlite3_value_numeric_type(argv[1]) == SQLITE_INTEGER) {
		int64_t b = sqlite3_value_int64(argv[1]);
		if (b == 0)
			sqlite3_result_null(f);
		else if (b == -1)
			sqlite3_result_int64(f, 0);
		else
			sqlite3_result_int64(f, sqlite3_value_int64(argv[0]) % b);
		return;
	}
	sqlite3_result_double(f, fmod(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1])));
}

static void extreme(sqlite3_context *f, int argc, sqlite3_value **argv, int sign)
{
	sqlite3_value *best = NULL;
	for (int i = 0; i < argc; i++) {
		int t = sqlite3_value_type(argv[i]);
		if (t == SQLITE_NULL)
			continue;
		if (!best) {
			best = argv[i];
			continue;
		}
		int bt = sqlite3_value_type(best), cmp;
		if ((t == SQLITE_INTEGER || t == SQLITE_FLOAT) && (bt == SQLITE_INTEGER || bt == SQLITE_FLOAT)) {
			double a = sqlite3_value_double(argv[i]), b = sqlite3_value_double(best);
			cmp = a < b ? -1 : a > b;
		} else
			cmp = strcmp((const char *)sqlite3_value_text(argv[i]),
				     (const char *)sqlite3_value_text(best));
		if (cmp * sign > 0)
			best = argv[i];
	}
	if (best)
		sqlite3_result_value(f, best);
	else
		sqlite3_result_null(f);
}

static void f_greatest(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	extreme(f, argc, argv, 1);
}

static void f_least(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	extreme(f, argc, argv, -1);
}

/* ---- misc ------------------------------------------------------------------------------- */

static void f_nvl2(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_value(f, sqlite3_value_type(argv[0]) != SQLITE_NULL ? argv[1] : argv[2]);
}

static void f_isnull(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int(f, sqlite3_value_type(argv[0]) == SQLITE_NULL);
}

static void f_isnotnull(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int(f, sqlite3_value_type(argv[0]) != SQLITE_NULL);
}

static void f_uuid(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	char u[37];
	if (clxs_uuid4(u))
		sqlite3_result_error(f, "[INTERNAL_ERROR] uuid failed", -1);
	else
		sqlite3_result_text(f, u, -1, SQLITE_TRANSIENT);
}

static void f_param(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	lhs_ctx *c = ctx_of(f);
	int64_t i = sqlite3_value_int64(argv[0]);
	if (!c || i < 0 || (size_t)i >= c->nparams) {
		sqlite3_result_error(f, "[UNBOUND_SQL_PARAMETER] parameter is not bound", -1);
		return;
	}
	const lhs_param *p = &c->params[i];
	switch (p->kind) {
	case SQLITE_INTEGER: sqlite3_result_int64(f, p->i); break;
	case SQLITE_FLOAT: sqlite3_result_double(f, p->d); break;
	case SQLITE_TEXT: sqlite3_result_text(f, p->s, -1, SQLITE_TRANSIENT); break;
	default: sqlite3_result_null(f); break;
	}
}

static void f_current_user(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	lhs_ctx *c = ctx_of(f);
	sqlite3_result_text(f, c ? c->lh->user : "local-user", -1, SQLITE_TRANSIENT);
}

static void f_current_catalog(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	lhs_ctx *c = ctx_of(f);
	if (c && c->catalog)
		sqlite3_result_text(f, c->catalog, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(f);
}

static void f_current_schema(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	lhs_ctx *c = ctx_of(f);
	sqlite3_result_text(f, c && c->schema ? c->schema : "default", -1, SQLITE_TRANSIENT);
}

/* The local user belongs to no account group (documented). */
static void f_is_member(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int(f, 0);
}

/* Type helpers for information_schema.columns. */
static void f_type_canon(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	char buf[256];
	lhs_type_canon((const char *)sqlite3_value_text(argv[0]), buf, sizeof(buf));
	sqlite3_result_text(f, buf, -1, SQLITE_TRANSIENT);
}

static void f_type_name(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_text(f, lhs_type_name((const char *)sqlite3_value_text(argv[0])), -1,
			    SQLITE_STATIC);
}

/* numeric precision (which 0) or scale (which 1) of integral and decimal types */
static void f_type_prec(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	int which = sqlite3_value_int(argv[1]);
	const char *n = lhs_type_name(t ? t : "");
	int p = -1, s = 0;
	if (!strcmp(n, "DECIMAL")) {
		p = 10;
		const char *paren = strchr(t, '(');
		if (paren)
			sscanf(paren, "(%d,%d)", &p, &s);
	} else if (!strcmp(n, "LONG"))
		p = 19;
	else if (!strcmp(n, "INT"))
		p = 10;
	else if (!strcmp(n, "SHORT"))
		p = 5;
	else if (!strcmp(n, "BYTE"))
		p = 3;
	if (p < 0)
		sqlite3_result_null(f);
	else
		sqlite3_result_int(f, which ? s : p);
}

/* ---- aggregates --------------------------------------------------------------------------- */

typedef struct {
	int64_t n;
	double mean, m2;
} welford;

static void w_step(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	welford *w = sqlite3_aggregate_context(f, sizeof(*w));
	if (!w)
		return;
	double x = sqlite3_value_double(argv[0]);
	w->n++;
	double d = x - w->mean;
	w->mean += d / (double)w->n;
	w->m2 += d * (x - w->mean);
}

static void w_final(sqlite3_context *f, bool samp, bool sq)
{
	welford *w = sqlite3_aggregate_context(f, 0);
	if (!w || w->n == 0 || (samp && w->n < 2)) {
		/* Spark: NULL for no rows; sample statistics of one row are NULL
		 * (spark.sql.legacy.statisticalAggregate=false). */
		sqlite3_result_null(f);
		return;
	}
	double var = w->m2 / (double)(samp ? w->n - 1 : w->n);
	sqlite3_result_double(f, sq ? sqrt(var) : var);
}

static void f_stddev_samp_final(sqlite3_context *f)
{
	w_final(f, true, true);
}

static void f_stddev_pop_final(sqlite3_context *f)
{
	w_final(f, false, true);
}

static void f_var_samp_final(sqlite3_context *f)
{
	w_final(f, true, false);
}

static void f_var_pop_final(sqlite3_context *f)
{
	w_final(f, false, false);
}

static void cif_step(sqlite3_context *f, int argc, sqlite3_value **argv)
{
	(void)argc;
	int64_t *n = sqlite3_aggregate_context(f, sizeof(*n));
	if (n && sqlite3_value_type(argv[0]) != SQLITE_NULL && sqlite3_value_double(argv[0]) != 0)
		(*n)++;
}

static void cif_final(sqlite3_context *f)
{
	int64_t *n = sqlite3_aggregate_context(f, 0);
	sqlite3_result_int64(f, n ? *n : 0);
}

/* ---- registration ------------------------------------------------------------------------- */

typedef void (*xfunc)(sqlite3_context *, int, sqlite3_value **);

static const struct {
	const char *name;
	int nargs;        /* -1: any */
	xfunc fn;
	bool ctx;         /* needs the statement context */
	bool nondet;
} scalars[] = {
	{"__lh_param", 1, f_param, true, true},
	{"__lh_cast", 2, f_cast, false, false},
	{"__lh_cast", 3, f_cast, false, false},
	{"__lh_try_cast", 2, f_try_cast, false, false},
	{"__lh_try_cast", 3, f_try_cast, false, false},
	{"__lh_nvl2", 3, f_nvl2, false, false},
	{"__lh_substr", 2, f_substr, false, false},
	{"__lh_substr", 3, f_substr, false, false},
	{"__lh_round", 1, f_round, false, false},
	{"__lh_round", 2, f_round, false, false},
	{"__lh_ceil", 1, f_ceil, false, false},
	{"__lh_floor", 1, f_floor, false, false},
	{"__lh_sqrt", 1, f_sqrt, false, false},
	{"__lh_pow", 2, f_pow, false, false},
	{"__lh_mod", 2, f_mod, false, false},
	{"__lh_greatest", -1, f_greatest, false, false},
	{"__lh_least", -1, f_least, false, false},
	{"__lh_concat", -1, f_concat, false, false},
	{"__lh_concat_ws", -1, f_concat_ws, false, false},
	{"__lh_lpad", 2, f_lpad, false, false},
	{"__lh_lpad", 3, f_lpad, false, false},
	{"__lh_rpad", 2, f_rpad, false, false},
	{"__lh_rpad", 3, f_rpad, false, false},
	{"__lh_left", 2, f_left, false, false},
	{"__lh_right", 2, f_right, false, false},
	{"__lh_reverse", 1, f_reverse, false, false},
	{"__lh_repeat", 2, f_repeat, false, false},
	{"__lh_startswith", 2, f_startswith, false, false},
	{"__lh_endswith", 2, f_endswith, false, false},
	{"__lh_contains", 2, f_contains, false, false},
	{"__lh_md5", 1, f_md5, false, false},
	{"__lh_sha1", 1, f_sha1, false, false},
	{"__lh_sha2", 2, f_sha2, false, false},
	{"__lh_base64", 1, f_base64, false, false},
	{"__lh_hex", 1, f_hex, false, false},
	{"__lh_hash", -1, f_hash, false, false},
	{"__lh_xxhash64", -1, f_xxhash64, false, false},
	{"__lh_current_date", 0, f_current_date, true, true},
	{"__lh_current_timestamp", 0, f_current_timestamp, true, true},
	{"__lh_current_user", 0, f_current_user, true, true},
	{"__lh_current_catalog", 0, f_current_catalog, true, true},
	{"__lh_current_schema", 0, f_current_schema, true, true},
	{"__lh_is_member", 1, f_is_member, false, false},
	{"__lh_date_add", 2, f_date_add, false, false},
	{"__lh_date_sub", 2, f_date_sub, false, false},
	{"__lh_datediff", 2, f_datediff, false, false},
	{"__lh_add_months", 2, f_add_months, false, false},
	{"__lh_last_day", 1, f_last_day, false, false},
	{"__lh_date_format", 2, f_date_format, false, false},
	{"__lh_to_date", 1, f_to_date, false, false},
	{"__lh_to_date", 2, f_to_date, false, false},
	{"__lh_to_timestamp", 1, f_to_timestamp, false, false},
	{"__lh_to_timestamp", 2, f_to_timestamp, false, false},
	{"__lh_date_trunc", 2, f_date_trunc, false, false},
	{"__lh_unix_timestamp", 0, f_unix_timestamp, true, true},
	{"__lh_unix_timestamp", 1, f_unix_timestamp, false, false},
	{"__lh_unix_timestamp", 2, f_unix_timestamp, false, false},
	{"__lh_from_unixtime", 1, f_from_unixtime, false, false},
	{"__lh_from_unixtime", 2, f_from_unixtime, false, false},
	{"__lh_year", 1, f_year, false, false},
	{"__lh_quarter", 1, f_quarter, false, false},
	{"__lh_month", 1, f_month, false, false},
	{"__lh_day", 1, f_day, false, false},
	{"__lh_dayofweek", 1, f_dayofweek, false, false},
	{"__lh_dayofyear", 1, f_dayofyear, false, false},
	{"__lh_hour", 1, f_hour, false, false},
	{"__lh_minute", 1, f_minute, false, false},
	{"__lh_second", 1, f_second, false, false},
	{"__lh_isnull", 1, f_isnull, false, false},
	{"__lh_isnotnull", 1, f_isnotnull, false, false},
	{"__lh_uuid", 0, f_uuid, false, true},
	{"__lh_regexp_like", 2, f_regexp_like, false, false},
	{"__lh_regexp_replace", 3, f_regexp_replace, false, false},
	{"regexp", 2, f_regexp, false, false},
	{"__lh_type_canon", 1, f_type_canon, false, false},
	{"__lh_type_name", 1, f_type_name, false, false},
	{"__lh_type_prec", 2, f_type_prec, false, false},
	{"like", 2, f_like, false, false},
	{"like", 3, f_like, false, false},
};

static const struct {
	const char *name;
	xfunc step;
	void (*final)(sqlite3_context *);
} aggs[] = {
	{"__lh_stddev_samp", w_step, f_stddev_samp_final},
	{"__lh_stddev_pop", w_step, f_stddev_pop_final},
	{"__lh_var_samp", w_step, f_var_samp_final},
	{"__lh_var_pop", w_step, f_var_pop_final},
	{"__lh_count_if", cif_step, cif_final},
};

static int reg_scalars(sqlite3 *db, lhs_ctx *c, bool only_ctx)
{
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		if (only_ctx && !scalars[i].ctx)
			continue;
		int flags = SQLITE_UTF8 | (scalars[i].nondet ? 0 : SQLITE_DETERMINISTIC);
		int rc = sqlite3_create_function(db, scalars[i].name, scalars[i].nargs, flags,
						 scalars[i].ctx ? (void *)c : NULL, scalars[i].fn, NULL,
						 NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

clxs_code lhs_funcs_register(lhs_ctx *c, sqlite3 *db)
{
	/* The context-free functions only need registering once per
	 * connection; a marker function tells whether that happened. */
	sqlite3_stmt *st = NULL;
	bool have = sqlite3_prepare_v2(db, "SELECT __lh_registered()", -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	int rc = reg_scalars(db, c, have);
	for (size_t i = 0; !have && rc == SQLITE_OK && i < sizeof(aggs) / sizeof(aggs[0]); i++)
		rc = sqlite3_create_function(db, aggs[i].name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
					     NULL, NULL, aggs[i].step, aggs[i].final);
	if (!have && rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "__lh_registered", 0, SQLITE_UTF8, NULL, f_uuid,
					     NULL, NULL);
	if (rc != SQLITE_OK)
		return lh_fail(c->err, CLXS_EINTERNAL, "INTERNAL_ERROR",
			       "cannot register SQL functions: %s", sqlite3_errmsg(db));
	return CLXS_OK;
}

void lhs_funcs_unhook(sqlite3 *db)
{
	reg_scalars(db, NULL, true);
}

