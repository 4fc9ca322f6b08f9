/* clxs-api: the FastCGI worker pool. The master opens the unix socket, forks
 * N workers that each accept on it, and replaces any worker that dies. It
 * never touches LMDB itself: workers open the environment after fork. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "clxs/api.h"
#include "clxs/config.h"
#include "clxs/daemon.h"
#include "clxs/fcgi_pool.h"
#include "clxs/fcgi_worker.h"
#include "clxs/log.h"
#include "clxs/store.h"
#include "clxs/util.h"

#define MAX_WORKERS 256

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: clxs-api --socket PATH [options]\n"
		"\n"
		"The Clone-Xs REST API as a pool of FastCGI workers behind nginx.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH      unix socket nginx connects to (required)\n"
		"  -w, --workers N        worker processes (default 4)\n"
		"  -d, --state-dir DIR    state directory (default $CLXS_STATE_DIR or\n"
		"                         ~/.local/state/clxs); LMDB lives in DIR/lmdb\n"
		"      --max-body BYTES   largest accepted request body (default 8388608)\n"
		"  -c, --config FILE      clone_config.yaml (default $CLXS_CONFIG, or\n"
		"                         " CLXS_SYSCONFDIR "/clone_config.yaml when present)\n"
		"      --profile NAME     config profile to apply\n"
		"      --pid-file PATH    write the master's pid here\n"
		"  -l, --log-level LEVEL  debug, info, warn, error (default info)\n"
		"  -h, --help             this help\n"
		"  -V, --version          print the version\n");
}

struct worker_args {
	const char *lmdb_dir;
	size_t max_body;
	const char *state_dir, *config_path, *profile;
};

static int worker_main(int sock, void *ud)
{
	struct worker_args *a = ud;
	clxs_api_ctx ctx = {0};
	clxs_error err;
	ctx.max_body = a->max_body;
	ctx.state_dir = a->state_dir;
	ctx.config_path = a->config_path;
	ctx.profile = a->profile;
	/* A config that no longer loads must not take the API down: the
	 * workers fall back to the defaults and say why. */
	if (a->config_path) {
		ctx.config = clxs_config_load_file(a->config_path, a->profile, NULL, &err);
		if (!ctx.config)
			clxs_warn("config %s: %s; using defaults", a->config_path, err.message);
	}
	if (clxs_store_open(a->lmdb_dir, 0, &ctx.store, &err)) {
		clxs_error_log("worker cannot open the store: %s", err.message);
		return 1;
	}
	clxs_debug("worker ready");
	int rc = clxs_fcgi_worker_loop(sock, &ctx);
	clxs_store_close(ctx.store);
	json_object_put(ctx.config);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"workers", required_argument, NULL, 'w'},
		{"state-dir", required_argument, NULL, 'd'},
		{"max-body", required_argument, NULL, 'b'},
		{"pid-file", required_argument, NULL, 'p'},
		{"config", required_argument, NULL, 'c'},
		{"profile", required_argument, NULL, 'P'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *socket_path = NULL, *state_dir = NULL, *pid_file = NULL, *config_path = NULL, *profile = NULL;
	long workers = 4;
	long long max_body = 8LL << 20;
	int level = CLXS_LOG_INFO, c;
	char *end;
	clxs_log_init(argv[0], CLXS_LOG_INFO);
	while ((c = getopt_long(argc, argv, "s:w:d:c:l:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': socket_path = optarg; break;
		case 'd': state_dir = optarg; break;
		case 'c': config_path = optarg; break;
		case 'P': profile = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'w':
			workers = strtol(optarg, &end, 10);
			if (*end || workers < 1 || workers > MAX_WORKERS) {
				fprintf(stderr, "clxs-api: --workers must be 1..%d\n", MAX_WORKERS);
				return 2;
			}
			break;
		case 'b':
			max_body = strtoll(optarg, &end, 10);
			if (*end || max_body < 1) {
				fprintf(stderr, "clxs-api: --max-body must be a positive byte count\n");
				return 2;
			}
			break;
		case 'l':
			if ((level = clxs_log_level_parse(optarg)) < 0) {
				fprintf(stderr, "clxs-api: unknown log level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("clxs-api %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	clxs_log_set_level((clxs_log_level)level);
	if (!socket_path) {
		usage(stderr);
		return 2;
	}
	clxs_error err;
	char sdir[4096], lmdb_dir[4200];
	if (state_dir)
		snprintf(sdir, sizeof(sdir), "%s", state_dir);
	else if (clxs_state_dir_default(sdir, sizeof(sdir), &err)) {
		fprintf(stderr, "clxs-api: %s\n", err.message);
		return 1;
	}
	if (clxs_mkdir_p(sdir, 0700, &err) ||
	    clxs_path_join(lmdb_dir, sizeof(lmdb_dir), sdir, CLXS_STATE_LMDB, &err)) {
		fprintf(stderr, "clxs-api: %s\n", err.message);
		return 1;
	}

	if (!config_path && access(clxs_config_default_path(), F_OK) == 0)
		config_path = clxs_config_default_path();
	struct worker_args args = {lmdb_dir, (size_t)max_body, sdir, config_path, profile};
	return clxs_fcgi_pool_run("clxs-api", socket_path, pid_file, (int)workers, worker_main, &args);
}
