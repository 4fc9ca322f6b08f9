#include "clxs/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clxs/util.h"

clxs_code clxs_path_join(char *buf, size_t len, const char *a, const char *b, clxs_error *err)
{
	int n = snprintf(buf, len, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= len)
		return clxs_fail(err, CLXS_EINVAL, "path", "path too long: %s/%s", a, b);
	return CLXS_OK;
}

clxs_code clxs_state_dir_default(char *buf, size_t len, clxs_error *err)
{
	const char *s = getenv("CLXS_STATE_DIR");
	if (s && *s) {
		if (strlen(s) >= len)
			return clxs_fail(err, CLXS_EINVAL, "CLXS_STATE_DIR", "state directory path too long");
		snprintf(buf, len, "%s", s);
		return CLXS_OK;
	}
	s = getenv("XDG_STATE_HOME");
	if (s && *s == '/')
		return clxs_path_join(buf, len, s, "clxs", err);
	s = getenv("HOME");
	if (!s || *s != '/')
		return clxs_fail(err, CLXS_EINVAL, "HOME",
				 "cannot find a state directory: set CLXS_STATE_DIR or HOME");
	return clxs_path_join(buf, len, s, ".local/state/clxs", err);
}

clxs_code clxs_mkdir_p(const char *path, unsigned mode, clxs_error *err)
{
	char tmp[4096];
	if (strlen(path) >= sizeof(tmp))
		return clxs_fail(err, CLXS_EINVAL, "path", "path too long");
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(tmp, (mode_t)mode) != 0 && errno != EEXIST)
				return clxs_fail(err, CLXS_EIO, path, "cannot create %s: %s", tmp,
						 strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	return CLXS_OK;
}

clxs_code clxs_pidfile_write(const char *path, pid_t pid, clxs_error *err)
{
	char tmp[4200];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return clxs_fail(err, CLXS_EINVAL, "path", "pid file path too long");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return clxs_fail(err, CLXS_EIO, path, "cannot write %s: %s", tmp, strerror(errno));
	char line[32];
	int n = snprintf(line, sizeof(line), "%ld\n", (long)pid);
	bool ok = write(fd, line, (size_t)n) == n;
	ok = close(fd) == 0 && ok;
	/* rename makes the pid file appear whole or not at all */
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return clxs_fail(err, CLXS_EIO, path, "cannot write %s: %s", path, strerror(errno));
	}
	return CLXS_OK;
}

/* A zombie has exited; it only waits for its parent to reap it, which an
 * adopted daemon's init may be slow to do (seen in containers). */
bool clxs_pid_alive(pid_t pid)
{
	if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
		return false;
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return true; /* no procfs: trust kill() */
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *paren = strrchr(buf, ')'); /* comm may contain spaces */
	return !(paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

pid_t clxs_pidfile_alive(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	long pid = 0;
	int ok = fscanf(f, "%ld", &pid);
	fclose(f);
	if (ok != 1 || pid <= 1 || !clxs_pid_alive((pid_t)pid))
		return 0;
	return (pid_t)pid;
}

static void host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

/* The id this process handed out, so a later process that inherited our
 * pid can tell our jobs from its own. */
static char self_id[256];

void clxs_process_id(char *buf, size_t len)
{
	char host[128];
	host_name(host, sizeof(host));
	snprintf(self_id, sizeof(self_id), "%s/%ld/%lld", host, (long)getpid(),
		 (long long)clxs_now_ms());
	snprintf(buf, len, "%s", self_id);
}

bool clxs_process_id_alive(const char *runner_id)
{
	char host[128], their_host[128];
	long pid;
	host_name(host, sizeof(host));
	const char *slash = strchr(runner_id, '/');
	if (!slash || (size_t)(slash - runner_id) >= sizeof(their_host))
		return true; /* not ours to judge: wait for the lease */
	snprintf(their_host, sizeof(their_host), "%.*s", (int)(slash - runner_id), runner_id);
	if (strcmp(host, their_host) != 0 || sscanf(slash + 1, "%ld", &pid) != 1 || pid <= 1)
		return true;
	if (pid == (long)getpid())
		return strcmp(runner_id, self_id) == 0; /* else: a dead process whose pid we got */
	return clxs_pid_alive((pid_t)pid);
}
