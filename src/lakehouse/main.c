/* clxs-lakehouse: the embedded lakehouse's REST API as a pool of FastCGI
 * workers behind nginx. The master opens the unix socket, checks that the
 * data directory opens, forks N workers that each open the service (SQLite
 * connections are never carried across fork) and replaces any worker that
 * dies. The master loop is the one of src/api/main.c, copied rather than
 * shared so that neither daemon's changes can break the other. */
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

#include "clxs/daemon.h"
#include "clxs/fcgi_pool.h"
#include "clxs/lakehouse.h"
#include "clxs/log.h"
#include "clxs/util.h"
#include "svc_internal.h"

#define MAX_WORKERS 256

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: clxs-lakehouse --socket PATH [options]\n"
		"\n"
		"The embedded lakehouse's Databricks REST API subset as FastCGI workers.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH         unix socket nginx connects to (required)\n"
		"  -w, --workers N           worker processes (default 4)\n"
		"  -d, --data-dir DIR        lakehouse data (default STATE/lakehouse, STATE as\n"
		"                            in clxs-api: $CLXS_STATE_DIR or ~/.local/state/clxs)\n"
		"      --token TOKEN         require 'Authorization: Bearer TOKEN' (visible in ps:\n"
		"                            prefer --token-file or $CLXS_LAKEHOUSE_TOKEN)\n"
		"      --token-file PATH     read the token from the file's first line\n"
		"      --user NAME           SCIM userName and owner of new objects (default\n"
		"                            local-user)\n"
		"      --warehouse-id ID     the warehouse id clients must send (default "
		CLXS_LH_DEFAULT_WAREHOUSE_ID ")\n"
		"      --max-body BYTES      largest request body, e.g. a file upload\n"
		"                            (default 268435456)\n"
		"      --fault-rate F        answer this fraction of requests 429/503 (tests)\n"
		"      --fault-latency-ms N  delay every request by N ms (tests)\n"
		"      --fault-seed N        seed of the fault sequence (default 1)\n"
		"      --pid-file PATH       write the master's pid here\n"
		"  -l, --log-level LEVEL     debug, info, warn, error (default info)\n"
		"  -h, --help                this help\n"
		"  -V, --version             print the version\n"
		"\n"
		"Environment: CLXS_LAKEHOUSE_TOKEN, CLXS_LH_FAULT_RATE, CLXS_LH_FAULT_LATENCY_MS and\n"
		"CLXS_LH_FAULT_SEED give defaults for the matching options.\n");
}

struct worker_args {
	const clxs_lh_service_opts *opts;
	size_t max_body;
};

static int worker_main(int sock, void *ud)
{
	struct worker_args *a = ud;
	clxs_lh_service *svc;
	clxs_error err;
	if (clxs_lh_service_open(a->opts, &svc, &err)) {
		clxs_error_log("worker cannot open the lakehouse: %s", err.message);
		return 1;
	}
	clxs_debug("worker ready");
	int rc = svc_fcgi_loop(svc, sock, a->max_body);
	clxs_lh_service_close(svc);
	return rc;
}

static char *read_token_file(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char line[1024];
	char *tok = NULL;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		tok = strdup(line);
	}
	fclose(f);
	explicit_bzero(line, sizeof(line));
	return tok;
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_ll(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	enum { OPT_TOKEN = 256, OPT_TOKEN_FILE, OPT_USER, OPT_WAREHOUSE, OPT_MAX_BODY, OPT_FRATE, OPT_FLAT,
	       OPT_FSEED, OPT_PID };
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"workers", required_argument, NULL, 'w'},
		{"data-dir", required_argument, NULL, 'd'},
		{"token", required_argument, NULL, OPT_TOKEN},
		{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
		{"user", required_argument, NULL, OPT_USER},
		{"warehouse-id", required_argument, NULL, OPT_WAREHOUSE},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		{"fault-rate", required_argument, NULL, OPT_FRATE},
		{"fault-latency-ms", required_argument, NULL, OPT_FLAT},
		{"fault-seed", required_argument, NULL, OPT_FSEED},
		{"pid-file", required_argument, NULL, OPT_PID},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *socket_path = NULL, *data_dir = NULL, *pid_file = NULL, *token_file = NULL;
	char *token = NULL;
	clxs_lh_service_opts opts = {.fault_seed = 1};
	long long workers = 4, max_body = 256LL << 20, ll;
	int level = CLXS_LOG_INFO, c;
	const char *env;
	clxs_log_init(argv[0], CLXS_LOG_INFO);
	/* Environment first, so options override it. */
	if ((env = getenv("CLXS_LH_FAULT_RATE")) && !parse_double(env, 0, 1, &opts.fault_rate)) {
		fprintf(stderr, "clxs-lakehouse: CLXS_LH_FAULT_RATE must be within 0..1\n");
		return 2;
	}
	if ((env = getenv("CLXS_LH_FAULT_LATENCY_MS"))) {
		if (!parse_ll(env, 0, 600000, &ll)) {
			fprintf(stderr, "clxs-lakehouse: CLXS_LH_FAULT_LATENCY_MS must be 0..600000\n");
			return 2;
		}
		opts.fault_latency_ms = (int)ll;
	}
	if ((env = getenv("CLXS_LH_FAULT_SEED"))) {
		if (!parse_ll(env, 0, INT64_MAX, &ll)) {
			fprintf(stderr, "clxs-lakehouse: CLXS_LH_FAULT_SEED must be a number\n");
			return 2;
		}
		opts.fault_seed = (uint64_t)ll;
	}
	if ((env = getenv("CLXS_LAKEHOUSE_TOKEN")) && *env && !(token = strdup(env)))
		return 1;
	while ((c = getopt_long(argc, argv, "s:w:d:l:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's': socket_path = optarg; break;
		case 'd': data_dir = optarg; break;
		case OPT_PID: pid_file = optarg; break;
		case OPT_USER: opts.user = optarg; break;
		case OPT_WAREHOUSE: opts.warehouse_id = optarg; break;
		case OPT_TOKEN_FILE: token_file = optarg; break;
		case OPT_TOKEN:
			free(token);
			if (!(token = strdup(optarg)))
				return 1;
			break;
		case 'w':
			if (!parse_ll(optarg, 1, MAX_WORKERS, &workers)) {
				fprintf(stderr, "clxs-lakehouse: --workers must be 1..%d\n", MAX_WORKERS);
				return 2;
			}
			break;
		case OPT_MAX_BODY:
			if (!parse_ll(optarg, 1, 1LL << 34, &max_body)) {
				fprintf(stderr, "clxs-lakehouse: --max-body must be a positive byte count\n");
				return 2;
			}
			break;
		case OPT_FRATE:
			if (!parse_double(optarg, 0, 1, &opts.fault_rate)) {
				fprintf(stderr, "clxs-lakehouse: --fault-rate must be within 0..1\n");
				return 2;
			}
			break;
		case OPT_FLAT:
			if (!parse_ll(optarg, 0, 600000, &ll)) {
				fprintf(stderr, "clxs-lakehouse: --fault-latency-ms must be 0..600000\n");
				return 2;
			}
			opts.fault_latency_ms = (int)ll;
			break;
		case OPT_FSEED:
			if (!parse_ll(optarg, 0, INT64_MAX, &ll)) {
				fprintf(stderr, "clxs-lakehouse: --fault-seed must be a number\n");
				return 2;
			}
			opts.fault_seed = (uint64_t)ll;
			break;
		case 'l':
			if ((level = clxs_log_level_parse(optarg)) < 0) {
				fprintf(stderr, "clxs-lakehouse: unknown log level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); free(token); return 0;
		case 'V': printf("clxs-lakehouse %s\n", PACKAGE_VERSION); free(token); return 0;
		default: usage(stderr); free(token); return 2;
		}
	}
	clxs_log_set_level((clxs_log_level)level);
	if (!socket_path || optind < argc) {
		usage(stderr);
		free(token);
		return 2;
	}
	if (token_file) {
		free(token);
		if (!(token = read_token_file(token_file)) || !*token) {
			fprintf(stderr, "clxs-lakehouse: cannot read a token from %s\n", token_file);
			free(token);
			return 2;
		}
	}
	opts.token = token;

	clxs_error err;
	char sdir[4096], ddir[4200];
	if (data_dir) {
		snprintf(ddir, sizeof(ddir), "%s", data_dir);
	} else if (clxs_state_dir_default(sdir, sizeof(sdir), &err) ||
		   clxs_path_join(ddir, sizeof(ddir), sdir, "lakehouse", &err)) {
		fprintf(stderr, "clxs-lakehouse: %s\n", err.message);
		free(token);
		return 1;
	}
	/* Absolute, so storage locations name the real place. */
	char *real = NULL;
	if (clxs_mkdir_p(ddir, 0700, &err) || !(real = realpath(ddir, NULL))) {
		fprintf(stderr, "clxs-lakehouse: %s\n", real ? err.message : strerror(errno));
		free(token);
		return 1;
	}
	opts.data_dir = real;

	/* Fail fast on a data directory that does not open (and create the
	 * schema once); closed again before any fork. */
	clxs_lh_service *probe;
	if (clxs_lh_service_open(&opts, &probe, &err)) {
		fprintf(stderr, "clxs-lakehouse: %s\n", err.message);
		free(real);
		free(token);
		return 1;
	}
	clxs_lh_service_close(probe);

	clxs_info("lakehouse in %s%s", real, token ? " (token required)" : "");
	if (opts.fault_rate > 0 || opts.fault_latency_ms > 0)
		clxs_warn("fault injection on: rate %.3f, latency %d ms, seed %llu", opts.fault_rate,
			  opts.fault_latency_ms, (unsigned long long)opts.fault_seed);
	struct worker_args args = {&opts, (size_t)max_body};
	int rc = clxs_fcgi_pool_run("clxs-lakehouse", socket_path, pid_file, (int)workers, worker_main, &args);
	free(real);
	if (token)
		explicit_bzero(token, strlen(token));
	free(token);
	return rc;
}
