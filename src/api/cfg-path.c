/* Config files on disk: the config folder, confinement of caller-supplied
 * paths to it, whole-file reads and atomic replacement. The API passes
 * paths from requests here, so every rule that keeps a request inside the
 * config folder lives in this one file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clxs/cfgfile.h"
#include "clxs/daemon.h"

clxs_code clxs_cfg_dir(const char *config_path, const char *state_dir, char *buf, size_t len,
		       clxs_error *err)
{
	if (config_path && *config_path) {
		const char *slash = strrchr(config_path, '/');
		if (!slash)
			return snprintf(buf, len, ".") < (int)len ? CLXS_OK
				: clxs_fail(err, CLXS_EINVAL, "path", "path too long");
		size_t n = slash == config_path ? 1 : (size_t)(slash - config_path);
		if (n >= len)
			return clxs_fail(err, CLXS_EINVAL, "path", "config path too long");
		memcpy(buf, config_path, n);
		buf[n] = '\0';
		return CLXS_OK;
	}
	if (!state_dir)
		return clxs_fail(err, CLXS_ENOTFOUND, "path", "no config file and no state directory");
	return clxs_path_join(buf, len, state_dir, "config", err);
}

clxs_code clxs_cfg_file(const char *config_path, const char *state_dir, char *buf, size_t len,
			clxs_error *err)
{
	if (config_path && *config_path) {
		if (strlen(config_path) >= len)
			return clxs_fail(err, CLXS_EINVAL, "path", "config path too long");
		snprintf(buf, len, "%s", config_path);
		return CLXS_OK;
	}
	char dir[PATH_MAX];
	clxs_code rc = clxs_cfg_dir(NULL, state_dir, dir, sizeof(dir), err);
	if (rc)
		return rc;
	return clxs_path_join(buf, len, dir, CLXS_CFG_DEFAULT_NAME, err);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n > m && strcmp(s + n - m, suf) == 0;
}

/* Is path equal to root or below it? Both are realpath results. */
static int inside(const char *root, const char *path)
{
	size_t n = strlen(root);
	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(root, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

clxs_code clxs_cfg_confine(const char *dir, const char *rel, const char *field, int yaml_only, char *out,
			   size_t outlen, clxs_error *err)
{
	if (!rel || !*rel)
		return clxs_fail(err, CLXS_EINVAL, field, "%s must not be empty", field);
	if (strlen(rel) > 1024)
		return clxs_fail(err, CLXS_EINVAL, field, "%s is too long", field);
	if (rel[0] == '/')
		return clxs_fail(err, CLXS_EINVAL, field, "%s must be relative to the config folder", field);
	if (strncmp(rel, "config/", 7) == 0)
		rel += 7;
	/* Every component: no "..", no empty or "." tricks that hide one. */
	for (const char *p = rel; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return clxs_fail(err, CLXS_EINVAL, field, "%s must not contain '..'", field);
		if (n == 0 || (n == 1 && p[0] == '.'))
			return clxs_fail(err, CLXS_EINVAL, field, "%s has an empty or '.' component", field);
		p += n;
		if (*p == '/')
			p++;
	}
	if (!*rel || rel[strlen(rel) - 1] == '/')
		return clxs_fail(err, CLXS_EINVAL, field, "%s must name a file", field);
	if (yaml_only && !has_suffix(rel, ".yaml") && !has_suffix(rel, ".yml"))
		return clxs_fail(err, CLXS_EINVAL, field, "%s must name a .yaml or .yml file", field);

	char root[PATH_MAX], joined[PATH_MAX * 2], real[PATH_MAX];
	if (!realpath(dir, root))
		/* The caller's view: no server path in an API answer. */
		return clxs_fail(err, CLXS_ENOTFOUND, field, "%s: the config folder does not exist (%s)", field,
				 strerror(errno));
	if ((size_t)snprintf(joined, sizeof(joined), "%s/%s", root, rel) >= sizeof(joined))
		return clxs_fail(err, CLXS_EINVAL, field, "%s is too long", field);
	if (realpath(joined, real)) {
		/* The file exists: where it really is (symlinks followed) decides. */
		if (!inside(root, real) || strcmp(root, real) == 0)
			return clxs_fail(err, CLXS_EINVAL, field, "%s points outside the config folder", field);
	} else {
		if (errno != ENOENT)
			return clxs_fail(err, CLXS_EINVAL, field, "%s: %s", field, strerror(errno));
		/* A dangling symlink must not become a way out on write. */
		struct stat lst;
		if (lstat(joined, &lst) == 0)
			return clxs_fail(err, CLXS_EINVAL, field, "%s is a dangling symbolic link", field);
		/* A new file: its folder must exist and be inside. */
		char *slash = strrchr(joined, '/');
		*slash = '\0';
		char parent[PATH_MAX];
		if (!realpath(joined, parent))
			return clxs_fail(err, CLXS_EINVAL, field, "%s: folder does not exist", field);
		if (!inside(root, parent))
			return clxs_fail(err, CLXS_EINVAL, field, "%s points outside the config folder", field);
		if ((size_t)snprintf(real, sizeof(real), "%s/%s", parent, slash + 1) >= sizeof(real))
			return clxs_fail(err, CLXS_EINVAL, field, "%s is too long", field);
	}
	if (strlen(real) >= outlen)
		return clxs_fail(err, CLXS_EINVAL, field, "%s is too long", field);
	memcpy(out, real, strlen(real) + 1);
	return CLXS_OK;
}

clxs_code clxs_cfg_read(const char *path, size_t max, char **out, size_t *outlen, clxs_error *err)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return clxs_fail(err, CLXS_ENOTFOUND, "path", "%s does not exist", path);
		if (errno == ELOOP)
			return clxs_fail(err, CLXS_EINVAL, "path", "%s is a symbolic link", path);
		return clxs_fail(err, CLXS_EIO, "path", "%s: %s", path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return clxs_fail(err, CLXS_EINVAL, "path", "%s is not a regular file", path);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return clxs_fail(err, CLXS_ETOOLARGE, "path", "%s is larger than %zu bytes", path, max);
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	if (outlen)
		*outlen = got;
	return CLXS_OK;
}

clxs_code clxs_cfg_write_atomic(const char *path, const char *data, size_t len, clxs_error *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return clxs_fail(err, CLXS_EINVAL, "path", "not an absolute path: %s", path);
	size_t dlen = slash == path ? 1 : (size_t)(slash - path);
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	/* The temp file shares the folder, so rename() is atomic. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, slash + 1) >= sizeof(tmp))
		return clxs_fail(err, CLXS_EINVAL, "path", "path too long");
	mode_t mode = 0600;
	struct stat st;
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return clxs_fail(err, CLXS_EIO, "path", "cannot create a file in %s: %s", dir, strerror(errno));
	const char *what = NULL;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			what = "write";
			break;
		}
		done += (size_t)n;
	}
	if (!what && fchmod(fd, mode) != 0)
		what = "chmod";
	if (!what && fsync(fd) != 0)
		what = "fsync";
	int saved = errno;
	if (close(fd) != 0 && !what) {
		what = "close";
		saved = errno;
	}
	if (!what && rename(tmp, path) != 0) {
		what = "rename";
		saved = errno;
	}
	if (what) {
		unlink(tmp);
		return clxs_fail(err, CLXS_EIO, "path", "%s %s: %s", what, path, strerror(saved));
	}
	/* Make the rename itself durable. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return CLXS_OK;
}
