#include "clxs/fcgi_pool.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "clxs/daemon.h"
#include "clxs/log.h"
#include "clxs/util.h"

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static pid_t spawn(int sock, clxs_pool_worker_fn fn, void *ud)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		_exit(fn(sock, ud));
	}
	if (pid < 0)
		clxs_error_log("fork failed: %s", strerror(errno));
	return pid;
}

int clxs_fcgi_pool_run(const char *name, const char *socket_path, const char *pid_file, int workers,
		       clxs_pool_worker_fn fn, void *ud)
{
	clxs_error err;
	struct stat sb;
	/* A stale socket from a crashed run would make bind fail. */
	if (lstat(socket_path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		unlink(socket_path);
	umask(077);
	if (FCGX_Init() != 0) {
		clxs_error_log("FCGX_Init failed");
		return 1;
	}
	int sock = FCGX_OpenSocket(socket_path, 1024);
	if (sock < 0) {
		clxs_error_log("cannot listen on %s: %s", socket_path, strerror(errno));
		return 1;
	}
	if (pid_file && clxs_pidfile_write(pid_file, getpid(), &err)) {
		clxs_error_log("%s", err.message);
		close(sock);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	pid_t *pids = calloc((size_t)workers, sizeof(pid_t));
	int64_t *started = calloc((size_t)workers, sizeof(int64_t));
	if (!pids || !started) {
		free(pids);
		free(started);
		close(sock);
		return 1;
	}
	clxs_info("%s listening on %s with %d workers", name, socket_path, workers);
	while (!stopping) {
		for (int i = 0; i < workers && !stopping; i++) {
			if (pids[i] > 0)
				continue;
			/* A worker that dies right after starting is crash-looping:
			 * slow down instead of forking as fast as the CPU allows. */
			if (started[i] && clxs_mono_ms() - started[i] < 1000)
				clxs_sleep_ms(250);
			pids[i] = spawn(sock, fn, ud);
			started[i] = clxs_mono_ms();
		}
		int status;
		pid_t dead = waitpid(-1, &status, 0);
		if (dead <= 0)
			continue; /* EINTR from a stop signal */
		for (int i = 0; i < workers; i++) {
			if (pids[i] != dead)
				continue;
			pids[i] = 0;
			if (!stopping)
				clxs_warn("worker %ld %s %d; replacing it", (long)dead,
					  WIFSIGNALED(status) ? "killed by signal" : "exited with",
					  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
	}
	clxs_info("stopping %d workers", workers);
	for (int i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < workers; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	free(pids);
	free(started);
	close(sock);
	unlink(socket_path);
	if (pid_file)
		unlink(pid_file);
	return 0;
}
