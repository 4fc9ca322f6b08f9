/* Files API on volumes: raw bytes through the client's retry policy. */
#include "ws_internal.h"

#include <string.h>

#include "clxs/ws_files.h"

static int encode_part(clxs_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			clxs_buf_putc(b, (char)ch);
		} else {
			char enc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
			clxs_buf_append(b, enc, 3);
		}
	}
	return clxs_buf_failed(b) ? -1 : 0;
}

static bool bad_part(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

clxs_code clxs_ws_volume_path(clxs_buf *b, const char *kind, const char *catalog, const char *schema,
			      const char *volume, const char *rel, clxs_error *err)
{
	const char *names[3] = {catalog, schema, volume};
	size_t mark = b->len;
	if (strcmp(kind, "files") != 0 && strcmp(kind, "directories") != 0)
		return clxs_fail(err, CLXS_EINVAL, "kind", "kind is files or directories");
	clxs_buf_puts(b, "/api/2.0/fs/");
	clxs_buf_puts(b, kind);
	clxs_buf_puts(b, "/Volumes");
	for (int i = 0; i < 3; i++) {
		if (!names[i] || bad_part(names[i], strlen(names[i]))) {
			clxs_buf_truncate(b, mark);
			return clxs_fail(err, CLXS_EINVAL, "path", "invalid volume name");
		}
		clxs_buf_putc(b, '/');
		encode_part(b, names[i], strlen(names[i]));
	}
	for (const char *s = rel; s && *s;) {
		size_t n = strcspn(s, "/");
		if (bad_part(s, n)) {
			clxs_buf_truncate(b, mark);
			return clxs_fail(err, CLXS_EINVAL, "path", "invalid path component in '%.200s'", rel);
		}
		clxs_buf_putc(b, '/');
		encode_part(b, s, n);
		s += n;
		if (*s == '/') {
			s++;
			if (!*s) /* a trailing slash names a directory: keep it */
				clxs_buf_putc(b, '/');
		}
	}
	if (clxs_buf_failed(b)) {
		clxs_buf_truncate(b, mark);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	return CLXS_OK;
}

static clxs_code raw(clxs_ws_client *c, const char *method, const char *path, const void *data, size_t len,
		     clxs_buf *out, clxs_error *err)
{
	if (!path || strncmp(path, "/api/", 5) != 0)
		return clxs_fail(err, CLXS_EINVAL, "path", "workspace paths start with /api/");
	clxs_buf url;
	clxs_buf_init(&url);
	if (c->cfg.host) {
		clxs_buf_puts(&url, c->cfg.host);
		clxs_buf_puts(&url, path);
	}
	if (clxs_buf_failed(&url)) {
		clxs_buf_free(&url);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	ws_http_req req = {
		.method = method,
		.url = clxs_buf_str(&url),
		.path = path,
		.content_type = data ? "application/octet-stream" : NULL,
		.body = data,
		.body_len = data ? len : 0,
	};
	/* A whole-file GET or an overwriting PUT can be repeated safely. */
	ws_ctl ctl = {.idempotent = true};
	ws_http_resp resp;
	ws_http_resp_init(&resp);
	clxs_code rc = ws_send(c, &req, &ctl, true, &resp, err);
	if (rc == CLXS_OK && out && resp.body.len && clxs_buf_append(out, resp.body.data, resp.body.len) < 0)
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	ws_http_resp_free(&resp);
	clxs_buf_free(&url);
	return rc;
}

clxs_code clxs_ws_file_get(clxs_ws_client *c, const char *path, clxs_buf *out, clxs_error *err)
{
	return raw(c, "GET", path, NULL, 0, out, err);
}

clxs_code clxs_ws_file_put(clxs_ws_client *c, const char *path, const void *data, size_t len,
			   clxs_error *err)
{
	/* An empty file still needs a body pointer, so the request has a body. */
	return raw(c, "PUT", path, data ? data : "", len, NULL, err);
}
