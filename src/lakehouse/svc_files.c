/* Files API on volumes: /api/2.0/fs/files/Volumes/<c>/<s>/<v>/<path> and
 * /api/2.0/fs/directories/Volumes/....
 *
 * A volume's files live in <data_dir>/volumes/<volume uuid>/. Confinement
 * does not rely on string checks alone: after rejecting ".", "..", empty
 * and over-long segments, the path is walked one component at a time with
 * openat(O_NOFOLLOW | O_DIRECTORY) from the volume's root, so neither a
 * "..", nor a symlink (planted by anyone with access to the data dir), nor
 * a race can lead outside. Uploads write a temp file and rename it into
 * place, so a reader sees the old or the new content, never half of it. */
#include "svc_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clxs/daemon.h"
#include "clxs/util.h"

#define MAX_SEGS 64
#define TMP_PREFIX ".clxs-upload-"

typedef struct {
	char cat[256], sch[256], vol[256];
	char *buf;                 /* the decoded path, split in place */
	char *seg[MAX_SEGS];       /* path below the volume */
	int n;
	int root;                  /* fd of the volume's directory */
} vpath;

static void vpath_free(vpath *p)
{
	if (p->root >= 0)
		close(p->root);
	free(p->buf);
}

/* Parse r->params[0] ("Volumes/c/s/v/a/b") and open the volume's root.
 * Replies and returns false on any problem. */
static bool vpath_open(svc_req *r, vpath *p)
{
	memset(p, 0, sizeof(*p));
	p->root = -1;
	const char *in = r->params[0];
	if (strncmp(in, "Volumes/", 8) != 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "the path must be /Volumes/<catalog>/<schema>/<volume>/...");
		return false;
	}
	if (!(p->buf = strdup(in + 8))) {
		svc_error(r, 500, "INTERNAL_ERROR", "out of memory");
		return false;
	}
	size_t len = strlen(p->buf);
	if (len > 0 && p->buf[len - 1] == '/')
		p->buf[len - 1] = '\0'; /* a directory may be named with its slash */
	char *parts[MAX_SEGS + 3];
	int n = 0;
	for (char *s = p->buf, *slash;; s = slash + 1) {
		slash = strchr(s, '/');
		if (slash)
			*slash = '\0';
		if (n == MAX_SEGS + 3) {
			svc_error(r, 400, "INVALID_PARAMETER_VALUE", "the path is too deep");
			return false;
		}
		if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strlen(s) > 255 ||
		    strncmp(s, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
			svc_error(r, 400, "INVALID_PARAMETER_VALUE",
				  "invalid path: empty, '.' or '..' components and reserved names are"
				  " not allowed");
			return false;
		}
		parts[n++] = s;
		if (!slash)
			break;
	}
	if (n < 3) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "the path must be /Volumes/<catalog>/<schema>/<volume>/...");
		return false;
	}
	snprintf(p->cat, sizeof(p->cat), "%s", parts[0]);
	snprintf(p->sch, sizeof(p->sch), "%s", parts[1]);
	snprintf(p->vol, sizeof(p->vol), "%s", parts[2]);
	for (int i = 3; i < n; i++)
		p->seg[p->n++] = parts[i];

	char uuid[37], *dir = NULL;
	clxs_error err = {0};
	if (svc_volume_uuid(r->conn->lh, p->cat, p->sch, p->vol, uuid, &err)) {
		svc_fail(r, &err);
		return false;
	}
	if (asprintf(&dir, "%s/volumes/%s", r->svc->data_dir, uuid) < 0) {
		svc_error(r, 500, "INTERNAL_ERROR", "out of memory");
		return false;
	}
	/* The root is made on first use: volumes without files have none. */
	if (clxs_mkdir_p(dir, 0700, &err) == CLXS_OK)
		p->root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(dir);
	if (p->root < 0) {
		svc_error(r, 500, "IO_ERROR", "cannot open the volume's storage");
		return false;
	}
	return true;
}

static void io_error(svc_req *r, int e, const char *what)
{
	if (e == ENOENT)
		svc_error(r, 404, "NOT_FOUND", "The %s does not exist.", what);
	else if (e == ELOOP || e == ENOTDIR)
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "a component of the path is not a directory");
	else if (e == EISDIR)
		svc_error(r, 409, "CONFLICT", "the path is a directory");
	else if (e == ENOTEMPTY || e == EEXIST)
		svc_error(r, 409, "DIRECTORY_NOT_EMPTY", "The directory is not empty.");
	else
		svc_error(r, 500, "IO_ERROR", "file system error: %s", strerror(e));
}

/* Open directory seg[0..upto-1] below the root, creating missing ones when
 * asked. Returns an fd or -1 with errno. */
static int walk(const vpath *p, int upto, bool create)
{
	int fd = dup(p->root);
	for (int i = 0; fd >= 0 && i < upto; i++) {
		int next = openat(fd, p->seg[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, p->seg[i], 0700) != 0 && errno != EEXIST) {
				int e = errno;
				close(fd);
				errno = e;
				return -1;
			}
			next = openat(fd, p->seg[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		int e = errno;
		close(fd);
		errno = e;
		fd = next;
	}
	return fd;
}

static void http_date(int64_t sec, char out[64])
{
	struct tm tm;
	time_t t = (time_t)sec;
	gmtime_r(&t, &tm);
	strftime(out, 64, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* ---- files ------------------------------------------------------------------------- */

static bool need_file(svc_req *r, const vpath *p)
{
	if (p->n == 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "the path names the volume, not a file");
		return false;
	}
	return true;
}

void svc_h_file_put(svc_req *r)
{
	vpath p;
	if (!vpath_open(r, &p) || !need_file(r, &p))
		goto out;
	int dfd = walk(&p, p.n - 1, true);
	if (dfd < 0) {
		io_error(r, errno, "parent directory");
		goto out;
	}
	const char *name = p.seg[p.n - 1];
	struct stat sb;
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			svc_error(r, 409, "CONFLICT", "the path is a directory");
			close(dfd);
			goto out;
		}
		if (!svc_query_bool(r, "overwrite", true)) {
			svc_error(r, 409, "ALREADY_EXISTS", "The file being created already exists.");
			close(dfd);
			goto out;
		}
	}
	char tmp[64], hex[17];
	if (clxs_id_hex(hex, 16) != 0) {
		svc_error(r, 500, "INTERNAL_ERROR", "no randomness");
		close(dfd);
		goto out;
	}
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s", hex);
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	bool ok = fd >= 0;
	size_t off = 0;
	while (ok && off < r->body_len) {
		ssize_t w = write(fd, r->body + off, r->body_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		if (ok)
			off += (size_t)w;
	}
	int e = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = false;
		e = errno;
	}
	/* renameat replaces a symlink at the name, never its target. */
	if (ok && renameat(dfd, tmp, dfd, name) != 0) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		unlinkat(dfd, tmp, 0);
		io_error(r, e, "file");
	} else {
		svc_empty(r, 204);
	}
	close(dfd);
out:
	vpath_free(&p);
}

/* Open the file for reading; replies and returns -1 on failure. */
static int open_file(svc_req *r, const vpath *p, struct stat *sb)
{
	int dfd = walk(p, p->n - 1, false);
	if (dfd < 0) {
		io_error(r, errno, "file");
		return -1;
	}
	int fd = openat(dfd, p->seg[p->n - 1], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	int e = errno;
	close(dfd);
	if (fd < 0) {
		io_error(r, e == ELOOP ? ENOENT : e, "file");
		return -1;
	}
	if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
		close(fd);
		svc_error(r, 404, "NOT_FOUND", "The file does not exist (the path is a directory).");
		return -1;
	}
	return fd;
}

static void file_headers(svc_req *r, const struct stat *sb)
{
	char date[64];
	http_date((int64_t)sb->st_mtime, date);
	snprintf(r->resp->headers, sizeof(r->resp->headers), "Last-Modified: %s\r\n", date);
	r->resp->content_type = "application/octet-stream";
}

void svc_h_file_get(svc_req *r)
{
	vpath p;
	struct stat sb;
	int fd = -1;
	if (!vpath_open(r, &p) || !need_file(r, &p) || (fd = open_file(r, &p, &sb)) < 0)
		goto out;
	size_t size = (size_t)sb.st_size, got = 0;
	char *buf = malloc(size + 1);
	if (!buf) {
		svc_error(r, 500, "INTERNAL_ERROR", "out of memory");
		goto out;
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	free(r->resp->body);
	r->resp->body = buf;
	r->resp->body_len = got;
	r->resp->status = 200;
	file_headers(r, &sb);
out:
	if (fd >= 0)
		close(fd);
	vpath_free(&p);
}

void svc_h_file_head(svc_req *r)
{
	vpath p;
	struct stat sb;
	int fd = -1;
	if (!vpath_open(r, &p) || !need_file(r, &p) || (fd = open_file(r, &p, &sb)) < 0)
		goto out;
	svc_empty(r, 200);
	file_headers(r, &sb);
	r->resp->content_length = (int64_t)sb.st_size;
out:
	if (fd >= 0)
		close(fd);
	vpath_free(&p);
}

void svc_h_file_delete(svc_req *r)
{
	vpath p;
	if (!vpath_open(r, &p) || !need_file(r, &p))
		goto out;
	int dfd = walk(&p, p.n - 1, false);
	if (dfd < 0) {
		io_error(r, errno, "file");
		goto out;
	}
	struct stat sb;
	const char *name = p.seg[p.n - 1];
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		io_error(r, errno, "file");
	else if (S_ISDIR(sb.st_mode))
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "the path is a directory");
	else if (unlinkat(dfd, name, 0) != 0)
		io_error(r, errno, "file");
	else
		svc_empty(r, 204);
	close(dfd);
out:
	vpath_free(&p);
}

/* ---- directories ----------------------------------------------------------------------- */

typedef struct {
	char *name;
	bool dir;
	int64_t size, mtime_ms;
} dentry;

static int dentry_cmp(const void *a, const void *b)
{
	return strcmp(((const dentry *)a)->name, ((const dentry *)b)->name);
}

void svc_h_dir_list(svc_req *r)
{
	vpath p;
	dentry *v = NULL;
	size_t n = 0, cap = 0;
	DIR *d = NULL;
	if (!vpath_open(r, &p))
		goto out;
	const char *ps = svc_query(r, "page_size"), *token = svc_query(r, "page_token");
	long page = ps ? strtol(ps, NULL, 10) : 0;
	if (page <= 0 || page > 1000)
		page = 1000;
	int fd = walk(&p, p.n, false);
	if (fd < 0) {
		io_error(r, errno == ELOOP ? ENOENT : errno, "directory");
		goto out;
	}
	int lfd = dup(fd);
	d = lfd >= 0 ? fdopendir(lfd) : NULL;
	if (!d) {
		if (lfd >= 0)
			close(lfd);
		close(fd);
		svc_error(r, 500, "IO_ERROR", "cannot list the directory");
		goto out;
	}
	struct dirent *e;
	bool oom = false;
	while (!oom && (e = readdir(d))) {
		struct stat sb;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			continue;
		if (token && strcmp(e->d_name, token) <= 0)
			continue;
		/* Symlinks are not part of a volume: not listed, not followed. */
		if (fstatat(fd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			dentry *nv = realloc(v, nc * sizeof(*nv));
			if (!nv) {
				oom = true;
				break;
			}
			v = nv;
			cap = nc;
		}
		v[n].name = strdup(e->d_name);
		v[n].dir = S_ISDIR(sb.st_mode);
		v[n].size = (int64_t)sb.st_size;
		v[n].mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
		oom = !v[n].name;
		n++;
	}
	close(fd);
	if (oom) {
		svc_error(r, 500, "INTERNAL_ERROR", "out of memory");
		goto out;
	}
	qsort(v, n, sizeof(*v), dentry_cmp);
	/* The entries' paths: /Volumes/c/s/v[/sub...]/name, directories with a
	 * trailing slash as Databricks lists them. */
	char base[4096];
	int off = snprintf(base, sizeof(base), "/Volumes/%s/%s/%s", p.cat, p.sch, p.vol);
	for (int i = 0; i < p.n && off > 0 && (size_t)off < sizeof(base); i++)
		off += snprintf(base + off, sizeof(base) - (size_t)off, "/%s", p.seg[i]);
	json_object *res = json_object_new_object(), *arr = json_object_new_array();
	json_object_object_add(res, "contents", arr);
	for (size_t i = 0; i < n && i < (size_t)page; i++) {
		json_object *o = json_object_new_object();
		char *path = NULL;
		if (asprintf(&path, "%s/%s%s", base, v[i].name, v[i].dir ? "/" : "") < 0)
			path = NULL;
		clxs_json_set_str(o, "path", path);
		free(path);
		clxs_json_set_bool(o, "is_directory", v[i].dir);
		if (!v[i].dir) {
			clxs_json_set_int(o, "file_size", v[i].size);
			clxs_json_set_int(o, "last_modified", v[i].mtime_ms);
		}
		clxs_json_set_str(o, "name", v[i].name);
		json_object_array_add(arr, o);
	}
	if (n > (size_t)page)
		clxs_json_set_str(res, "next_page_token", v[page - 1].name);
	svc_json(r, 200, res);
out:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	vpath_free(&p);
}

void svc_h_dir_create(svc_req *r)
{
	vpath p;
	if (!vpath_open(r, &p))
		goto out;
	int fd = walk(&p, p.n, true);
	if (fd < 0) {
		io_error(r, errno == EEXIST ? ENOTDIR : errno, "directory");
		goto out;
	}
	close(fd);
	svc_empty(r, 204);
out:
	vpath_free(&p);
}

void svc_h_dir_head(svc_req *r)
{
	vpath p;
	if (!vpath_open(r, &p))
		goto out;
	int fd = walk(&p, p.n, false);
	if (fd < 0) {
		io_error(r, errno == ELOOP ? ENOENT : errno, "directory");
		goto out;
	}
	close(fd);
	svc_empty(r, 200);
out:
	vpath_free(&p);
}

void svc_h_dir_delete(svc_req *r)
{
	vpath p;
	if (!vpath_open(r, &p))
		goto out;
	if (p.n == 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "the volume's root cannot be deleted; delete the volume");
		goto out;
	}
	int dfd = walk(&p, p.n - 1, false);
	if (dfd < 0) {
		io_error(r, errno, "directory");
		goto out;
	}
	if (unlinkat(dfd, p.seg[p.n - 1], AT_REMOVEDIR) != 0)
		io_error(r, errno, "directory");
	else
		svc_empty(r, 204);
	close(dfd);
out:
	vpath_free(&p);
}
