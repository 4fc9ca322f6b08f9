/* A small INI reader for ~/.databrickscfg, close to what Python's
 * configparser (used by the Databricks CLI and SDK) accepts: [section]
 * headers, `key = value` or `key: value`, full-line comments starting with
 * '#' or ';', blank lines, CRLF. Keys are case-insensitive. No inline
 * comments, no value continuation lines, no interpolation, and - as in the
 * SDKs, which read configparser's raw sections - DEFAULT values are not
 * inherited by other sections. A later duplicate key wins. */
#include "ws_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void ws_ini_free(ws_ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		free(ini->v[i].key);
		free(ini->v[i].value);
	}
	for (size_t i = 0; i < ini->nsections; i++)
		free(ini->sections[i]);
	free(ini->v);
	free(ini->sections);
	memset(ini, 0, sizeof(*ini));
}

static char *trimmed_dup(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

/* Returns the stored section name (entries point at it), or NULL on OOM. */
static char *add_section(ws_ini *ini, char *name)
{
	for (size_t i = 0; i < ini->nsections; i++) {
		if (strcmp(ini->sections[i], name) == 0) {
			free(name);
			return ini->sections[i];
		}
	}
	if (ini->nsections == ini->capsections) {
		size_t cap = ini->capsections ? ini->capsections * 2 : 8;
		char **p = realloc(ini->sections, cap * sizeof(*p));
		if (!p) {
			free(name);
			return NULL;
		}
		ini->sections = p;
		ini->capsections = cap;
	}
	ini->sections[ini->nsections++] = name;
	return name;
}

static int add_entry(ws_ini *ini, char *section, char *key, char *value)
{
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < ini->n; i++) {
		if (ini->v[i].section == section && strcmp(ini->v[i].key, key) == 0) {
			free(key);
			free(ini->v[i].value);
			ini->v[i].value = value;
			return 0;
		}
	}
	if (ini->n == ini->cap) {
		size_t cap = ini->cap ? ini->cap * 2 : 16;
		ws_ini_entry *p = realloc(ini->v, cap * sizeof(*p));
		if (!p)
			return -1;
		ini->v = p;
		ini->cap = cap;
	}
	ini->v[ini->n++] = (ws_ini_entry){section, key, value};
	return 0;
}

clxs_code ws_ini_parse(const char *text, size_t len, ws_ini *ini, clxs_error *err)
{
	char *section = NULL;
	size_t lineno = 0;
	const char *p = text, *end = text + len;
	/* A UTF-8 byte order mark is tolerated, as editors on Windows add one. */
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		lineno++;
		const char *s = p;
		p = nl ? nl + 1 : end;
		while (s < le && isspace((unsigned char)*s))
			s++;
		const char *e = le;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (memchr(s, '\0', (size_t)(e - s)))
			return clxs_fail(err, CLXS_EINVAL, "config_file", "line %zu: NUL byte", lineno);
		if (*s == '[') {
			if (e[-1] != ']' || e - s < 3)
				return clxs_fail(err, CLXS_EINVAL, "config_file",
						 "line %zu: malformed section header", lineno);
			char *name = trimmed_dup(s + 1, (size_t)(e - s - 2));
			if (!name || !(section = add_section(ini, name)))
				return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
			if (!*section)
				return clxs_fail(err, CLXS_EINVAL, "config_file",
						 "line %zu: empty section name", lineno);
			continue;
		}
		const char *sep = s;
		while (sep < e && *sep != '=' && *sep != ':')
			sep++;
		if (sep == e || sep == s)
			return clxs_fail(err, CLXS_EINVAL, "config_file",
					 "line %zu: expected 'key = value'", lineno);
		if (!section)
			return clxs_fail(err, CLXS_EINVAL, "config_file",
					 "line %zu: key outside of any [section]", lineno);
		char *key = trimmed_dup(s, (size_t)(sep - s));
		char *value = trimmed_dup(sep + 1, (size_t)(e - sep - 1));
		if (!key || !value || add_entry(ini, section, key, value) < 0) {
			free(key);
			free(value);
			return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		}
	}
	return CLXS_OK;
}

clxs_code ws_ini_load(const char *path, ws_ini *ini, clxs_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return clxs_fail(err, CLXS_ENOTFOUND, "config_file", "%s does not exist", path);
		return clxs_fail(err, CLXS_EIO, "config_file", "cannot open %s: %s", path,
				 strerror(errno));
	}
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_buf_set_limit(&b, WS_MAX_INI);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (clxs_buf_append(&b, chunk, n) < 0)
			break;
	int rerr = ferror(f);
	fclose(f);
	clxs_code rc;
	if (clxs_buf_failed(&b))
		rc = clxs_fail(err, CLXS_ETOOLARGE, "config_file", "%s is larger than %u bytes",
			       path, WS_MAX_INI);
	else if (rerr)
		rc = clxs_fail(err, CLXS_EIO, "config_file", "cannot read %s", path);
	else
		rc = ws_ini_parse(clxs_buf_str(&b), b.len, ini, err);
	clxs_buf_free(&b);
	return rc;
}

const char *ws_ini_get(const ws_ini *ini, const char *section, const char *key)
{
	for (size_t i = 0; i < ini->n; i++)
		if (strcmp(ini->v[i].section, section) == 0 && strcasecmp(ini->v[i].key, key) == 0)
			return ini->v[i].value;
	return NULL;
}

bool ws_ini_has_section(const ws_ini *ini, const char *section)
{
	for (size_t i = 0; i < ini->nsections; i++)
		if (strcmp(ini->sections[i], section) == 0)
			return true;
	return false;
}
