/* clxs serve | stop | status: run the stack as an unprivileged user. nginx
 * gets a private prefix under the state directory, the worker pool and the
 * runner are started as daemons writing their own pid files, and serve
 * returns once /api/health answers through nginx. */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clxs/cli.h"
#include "clxs/config.h"
#include "clxs/daemon.h"
#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/serve_web.h"
#include "clxs/util.h"

#ifndef CLXS_SRCDIR
#define CLXS_SRCDIR ""
#endif

typedef struct {
	char state[4096];
	char run[4200], logs[4200], nginx[4200];
	char host[64];
	long port, lakehouse_port;
	long workers, concurrency, lease_seconds;
	long long max_body;
	long rate_limit, rate_burst; /* nginx limit_req on /api/ per client address; 0 = off */
	char log_level[16];
	char www[4096];
	char bindir[4096];   /* where clxs-api and clxs-runner are */
	char datadir[4096];  /* where nginx/ and www/ are */
	int api_token_set;   /* config server.api_token is non-empty (never the token itself) */
} serve_opts;

/* The services, stopped in this order (front doors first). */
static const char *const services[] = {"nginx", "events", "api", "runner", "lakehouse"};
enum { NSERVICES = 5 };

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("clxs: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static int dir_exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Installed binaries use the installed data; binaries run from the build
 * tree use the source tree, so `src/clxs serve` works without installing. */
static int locate(serve_opts *o)
{
	char exe[PATH_MAX], inst[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return fail("cannot find my own executable: %s", strerror(errno));
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	*slash = '\0';
	snprintf(o->bindir, sizeof(o->bindir), "%s", exe);
	const char *env = getenv("CLXS_DATA_DIR");
	if (env && *env)
		snprintf(o->datadir, sizeof(o->datadir), "%s", env);
	else if (realpath(CLXS_BINDIR, inst) && strcmp(inst, exe) == 0)
		snprintf(o->datadir, sizeof(o->datadir), "%s", CLXS_DATADIR);
	else
		snprintf(o->datadir, sizeof(o->datadir), "%s", CLXS_SRCDIR);
	if (!o->www[0] && snprintf(o->www, sizeof(o->www), "%s/www", o->datadir) >= (int)sizeof(o->www))
		return fail("data directory path too long");
	if (!dir_exists(o->www))
		return fail("web UI folder %s not found (set --www-dir or CLXS_DATA_DIR)", o->www);
	return 0;
}

static int state_paths(serve_opts *o, const char *state_flag)
{
	clxs_error err;
	if (state_flag)
		snprintf(o->state, sizeof(o->state), "%s", state_flag);
	else if (clxs_state_dir_default(o->state, sizeof(o->state), &err))
		return fail("%s", err.message);
	if (o->state[0] != '/') {
		char cwd[PATH_MAX], abs[4096];
		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(abs, sizeof(abs), "%s/%s", cwd, o->state) >= (int)sizeof(abs))
			return fail("cannot make the state directory path absolute");
		snprintf(o->state, sizeof(o->state), "%s", abs);
	}
	if (clxs_path_join(o->run, sizeof(o->run), o->state, CLXS_STATE_RUN, &err) ||
	    clxs_path_join(o->logs, sizeof(o->logs), o->state, CLXS_STATE_LOGS, &err) ||
	    clxs_path_join(o->nginx, sizeof(o->nginx), o->state, CLXS_STATE_NGINX, &err))
		return fail("%s", err.message);
	return 0;
}

static void pid_path(const serve_opts *o, const char *svc, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.pid", o->run, svc);
}

/* Values that go into nginx.conf must not be able to change its structure. */
static int conf_safe(const char *v)
{
	return v[0] && !strpbrk(v, " \t\r\n;{}'\"\\$#");
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int write_nginx_conf(const serve_opts *o, const char *socket_path, char *conf_path, size_t len)
{
	char tpl_path[4200], listen[128], lh_listen[128], lh_socket[4300], user_line[64] = "", body_limit[32];
	snprintf(tpl_path, sizeof(tpl_path), "%s/nginx/clxs.conf.in", o->datadir);
	if (strchr(o->host, ':')) {
		snprintf(listen, sizeof(listen), "[%s]:%ld", o->host, o->port);
		snprintf(lh_listen, sizeof(lh_listen), "[%s]:%ld", o->host, o->lakehouse_port);
	} else {
		snprintf(listen, sizeof(listen), "%s:%ld", o->host, o->port);
		snprintf(lh_listen, sizeof(lh_listen), "%s:%ld", o->host, o->lakehouse_port);
	}
	snprintf(lh_socket, sizeof(lh_socket), "%s/lakehouse.sock", o->run);
	/* As root, nginx would drop its workers to `nobody`, who cannot reach
	 * a state directory under /root; keep them as the invoking user. */
	if (geteuid() == 0)
		snprintf(user_line, sizeof(user_line), "user root root;");
	snprintf(body_limit, sizeof(body_limit), "%lldk", o->max_body / 1024 + 1024);
	char tmpdir[4300], ev_socket[4300], vendor[4096], apidocs[4300], rate[24], burst[24];
	clxs_serve_web_paths(o->datadir, o->run, o->rate_limit, o->rate_burst, ev_socket, vendor, apidocs,
			     rate, burst);
	const char *const subs[][2] = {
		{"@USER_LINE@", user_line}, {"@RUN_DIR@", o->run},       {"@LOG_DIR@", o->logs},
		{"@NGINX_DIR@", o->nginx},  {"@LISTEN@", listen},        {"@WWW_DIR@", o->www},
		{"@API_SOCKET@", socket_path}, {"@NGINX_MAX_BODY@", body_limit},
		{"@LH_LISTEN@", lh_listen}, {"@LH_SOCKET@", lh_socket},
		{"@EVENTS_SOCKET@", ev_socket}, {"@VENDOR_DIR@", vendor}, {"@APIDOCS_DIR@", apidocs},
		{"@API_RATE_ON@", o->rate_limit > 0 ? "1" : "0"}, {"@API_RATE@", rate}, {"@API_BURST@", burst},
	};
	for (size_t i = 1; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!conf_safe(subs[i][1]))
			return fail("refusing to put '%s' into nginx.conf (%s): it contains spaces or "
				    "characters nginx treats as syntax", subs[i][1], subs[i][0]);
	size_t tlen;
	char *tpl = read_file(tpl_path, &tlen);
	if (!tpl)
		return fail("cannot read the nginx template %s: %s", tpl_path, strerror(errno));
	snprintf(conf_path, len, "%s/nginx.conf", o->nginx);
	char tmp_conf[4400];
	snprintf(tmp_conf, sizeof(tmp_conf), "%s.tmp", conf_path);
	FILE *out = fopen(tmp_conf, "we");
	if (!out) {
		free(tpl);
		return fail("cannot write %s: %s", tmp_conf, strerror(errno));
	}
	int bad = 0;
	for (const char *p = tpl; *p;) {
		const char *at = strchr(p, '@');
		if (!at) {
			fputs(p, out);
			break;
		}
		fwrite(p, 1, (size_t)(at - p), out);
		size_t i;
		for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
			size_t kl = strlen(subs[i][0]);
			if (strncmp(at, subs[i][0], kl) == 0) {
				fputs(subs[i][1], out);
				p = at + kl;
				break;
			}
		}
		if (i == sizeof(subs) / sizeof(subs[0])) {
			const char *end = strchr(at + 1, '@');
			if (end && end - at < 32 && strspn(at + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == (size_t)(end - at - 1))
				bad = 1; /* an @NAME@ we do not know */
			fputc('@', out);
			p = at + 1;
		}
	}
	free(tpl);
	if (fclose(out) != 0 || bad || rename(tmp_conf, conf_path) != 0) {
		unlink(tmp_conf);
		return fail(bad ? "the nginx template has a placeholder clxs does not know"
				: "cannot write %s", conf_path);
	}
	static const char *const tmps[] = {"body", "fastcgi", "proxy", "uwsgi", "scgi"};
	for (size_t i = 0; i < 5; i++) {
		snprintf(tmpdir, sizeof(tmpdir), "%s/tmp/%s", o->nginx, tmps[i]);
		if (clxs_mkdir_p(tmpdir, 0700, NULL))
			return fail("cannot create %s", tmpdir);
	}
	return 0;
}

/* fork + exec with output to a log file; the service writes its pid file. */
static pid_t spawn(const serve_opts *o, const char *log_name, char *const argv[])
{
	char log_path[4300];
	snprintf(log_path, sizeof(log_path), "%s/%s", o->logs, log_name);
	pid_t pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		setsid();
		int devnull = open("/dev/null", O_RDONLY);
		int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (devnull < 0 || log < 0)
			_exit(126);
		dup2(devnull, 0);
		dup2(log, 1);
		dup2(log, 2);
		close(devnull);
		close(log);
		execv(argv[0], argv);
		fprintf(stderr, "clxs: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Wait for a service's pid file; notice when it died on the way. */
static int await_pidfile(const serve_opts *o, const char *svc, pid_t child, const char *log_name)
{
	char pf[4300];
	pid_path(o, svc, pf, sizeof(pf));
	for (int i = 0; i < 200; i++) {
		if (clxs_pidfile_alive(pf))
			return 0;
		int status;
		if (child > 0 && waitpid(child, &status, WNOHANG) == child)
			return fail("%s exited during start-up; see %s/%s", svc, o->logs, log_name);
		clxs_sleep_ms(50);
	}
	return fail("%s did not start within 10 s; see %s/%s", svc, o->logs, log_name);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

/* 0 when GET /api/health answers 200 through nginx. */
static int health_ok(const char *host, long port)
{
	char url[160];
	if (strchr(host, ':'))
		snprintf(url, sizeof(url), "http://[%s]:%ld/api/health", host, port);
	else
		snprintf(url, sizeof(url), "http://%s:%ld/api/health", host, port);
	CURL *c = curl_easy_init();
	if (!c)
		return -1;
	long code = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return rc == CURLE_OK && code == 200 ? 0 : -1;
}

static int save_serve_info(const serve_opts *o)
{
	json_object *info = json_object_new_object();
	clxs_json_set_str(info, "host", o->host);
	clxs_json_set_int(info, "port", o->port);
	clxs_json_set_int(info, "workers", o->workers);
	clxs_json_set_str(info, "www", o->www);
	char path[4300], tmp[4400];
	snprintf(path, sizeof(path), "%s/serve.json", o->run);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int rc = json_object_to_file_ext(tmp, info, JSON_C_TO_STRING_PRETTY) == 0 && rename(tmp, path) == 0 ? 0 : -1;
	json_object_put(info);
	return rc ? fail("cannot write %s", path) : 0;
}

static int stop_all(const serve_opts *o, int quiet);
static int is_loopback(const char *host);

static void serve_usage(FILE *out)
{
	fprintf(out,
		"Usage: clxs serve [options]\n"
		"\n"
		"Start the Clone-Xs stack as the current user: nginx (serving the web UI and\n"
		"proxying /api/), the FastCGI API worker pool and the job runner. Returns once\n"
		"GET /api/health answers through nginx. Stop it with `clxs stop`.\n"
		"\n"
		"Options:\n"
		"      --host ADDR          listen address (default 127.0.0.1; any other address\n"
		"                           needs server.api_token in the config)\n"
		"  -p, --port N             HTTP port (default 8080)\n"
		"      --lakehouse-port N   port of the embedded lakehouse's Databricks API\n"
		"                           (default 8081; token in STATE/lakehouse.token)\n"
		"  -w, --workers N          worker processes of the API and lakehouse pools\n"
		"                           (default one per CPU core)\n"
		"  -c, --concurrency N      jobs the runner runs at once (default 2)\n"
		"      --lease-seconds S    job lease for runner-loss recovery (default 30)\n"
		"      --max-body BYTES     largest API request body (default 8388608)\n"
		"      --rate-limit N       API requests/s per client address before nginx\n"
		"                           answers 429 (default 200; 0 = no limit)\n"
		"      --rate-burst N       requests allowed above the rate at once (default 2x)\n"
		"  -d, --state-dir DIR      state directory (default $CLXS_STATE_DIR or\n"
		"                           ~/.local/state/clxs)\n"
		"      --www-dir DIR        serve the web UI from DIR\n"
		"  -l, --log-level LEVEL    daemon log level (default info)\n"
		"      --config FILE        clone_config.yaml whose server: section supplies\n"
		"                           what no flag sets (default $CLXS_CONFIG or\n"
		"                           " CLXS_SYSCONFDIR "/clone_config.yaml when present)\n"
		"      --profile NAME       merge profiles.NAME of the config over its base\n"
		"  -h, --help               this help\n"
		"\n"
		"Logs: STATE/logs/{api,runner,events,lakehouse}.log and nginx-{access,error}.log.\n");
}

static long opt_long(const char *s, long min, long max, const char *what, int *bad)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max) {
		fprintf(stderr, "clxs serve: %s must be %ld..%ld\n", what, min, max);
		*bad = 1;
	}
	return v;
}

/* Read the server: section of clone_config.yaml for what no flag set. An
 * explicit --config must exist; the default path is used only if present. */
static int apply_config(serve_opts *o, const char *path, const char *profile, const char **state_flag)
{
	static char state_buf[4096];
	clxs_error err;
	json_object *warnings = NULL;
	if (!path) {
		path = clxs_config_default_path();
		if (access(path, F_OK) != 0)
			path = NULL;
	}
	json_object *cfg = clxs_config_load_file(path, profile, &warnings, &err);
	if (!cfg)
		return fail("config %s: %s", path ? path : "(defaults)", err.message);
	for (size_t i = 0; warnings && i < json_object_array_length(warnings); i++)
		fprintf(stderr, "clxs: %s: %s\n", path,
			json_object_get_string(json_object_array_get_idx(warnings, i)));
	json_object_put(warnings);
	int rc = 0;
	if (!o->host[0]) {
		const char *h = clxs_config_str(cfg, "server.host");
		if (!h || strlen(h) >= sizeof(o->host) || is_loopback(h) < 0)
			rc = fail("config key 'server.host' must be an IP address");
		else
			snprintf(o->host, sizeof(o->host), "%s", h);
	}
	if (o->port < 0)
		o->port = (long)clxs_config_int(cfg, "server.port", 8080);
	if (o->lakehouse_port < 0)
		o->lakehouse_port = (long)clxs_config_int(cfg, "server.lakehouse_port", 8081);
	if (o->workers < 0) {
		/* One worker per core: a CPU-bound request gains nothing from
		 * more, and the extra context switches cost throughput. */
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		o->workers = (long)clxs_config_int(cfg, "server.workers", cpus > 0 ? cpus : 2);
	}
	if (o->concurrency < 0)
		o->concurrency = (long)clxs_config_int(cfg, "server.runner_concurrency", 2);
	if (o->lease_seconds < 0)
		o->lease_seconds = (long)clxs_config_int(cfg, "server.lease_seconds", 30);
	if (o->max_body < 0)
		o->max_body = clxs_config_int(cfg, "server.max_body_bytes", 8LL << 20);
	if (!o->log_level[0])
		snprintf(o->log_level, sizeof(o->log_level), "%s", clxs_config_str(cfg, "server.log_level"));
	/* Only whether a token is set: the workers read the token itself
	 * from the same config, never from a command line (argv is public). */
	const char *tok = clxs_config_str(cfg, "server.api_token");
	o->api_token_set = tok && *tok;
	if (o->api_token_set && strlen(tok) < 16)
		rc = fail("config key 'server.api_token' is too short: use at least 16 random characters "
			  "(e.g. `openssl rand -hex 32`)");
	struct stat csb;
	if (o->api_token_set && path && stat(path, &csb) == 0 && (csb.st_mode & 077))
		fprintf(stderr, "clxs: warning: %s holds server.api_token but is readable by others "
			"(mode %03o); chmod 600 it\n", path, (unsigned)(csb.st_mode & 0777));
	const char *sd = clxs_config_str(cfg, "server.state_dir");
	if (!*state_flag && sd && *sd) {
		snprintf(state_buf, sizeof(state_buf), "%s", sd);
		*state_flag = state_buf;
	}
	json_object_put(cfg);
	return rc;
}

/* The lakehouse's local PAT: made once, 0600, never printed. Clients read
 * it from the file, as they would a ~/.databrickscfg. */
static int ensure_token(const char *path)
{
	if (access(path, F_OK) == 0)
		return 0;
	char hex[65], tok[80];
	if (clxs_id_hex(hex, 64))
		return fail("cannot generate the lakehouse token");
	snprintf(tok, sizeof(tok), "dapi%s\n", hex);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail("cannot create %s: %s", path, strerror(errno));
	ssize_t n = write(fd, tok, strlen(tok));
	close(fd);
	explicit_bzero(tok, sizeof(tok));
	return n < 0 ? fail("cannot write %s", path) : 0;
}

static int is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return -1;
}

int clxs_cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'p'},
		{"lakehouse-port", required_argument, NULL, 'K'},
		{"workers", required_argument, NULL, 'w'},
		{"concurrency", required_argument, NULL, 'c'},
		{"lease-seconds", required_argument, NULL, 'L'},
		{"max-body", required_argument, NULL, 'b'},
		{"rate-limit", required_argument, NULL, 'R'},
		{"rate-burst", required_argument, NULL, 'B'},
		{"state-dir", required_argument, NULL, 'd'},
		{"www-dir", required_argument, NULL, 'W'},
		{"log-level", required_argument, NULL, 'l'},
		{"config", required_argument, NULL, 'C'},
		{"profile", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	serve_opts o;
	memset(&o, 0, sizeof(o));
	/* -1 / "" mean "not given": filled from the config after parsing, so
	 * flags win over the file and the file over the defaults. */
	o.port = o.lakehouse_port = o.workers = o.concurrency = o.lease_seconds = -1;
	o.max_body = -1;
	o.rate_limit = o.rate_burst = -1;
	const char *state_flag = NULL, *config_path = NULL, *profile = NULL;
	int c, bad = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:w:c:d:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (strlen(optarg) >= sizeof(o.host) || is_loopback(optarg) < 0) {
				fprintf(stderr, "clxs serve: --host must be an IP address\n");
				bad = 1;
			} else {
				snprintf(o.host, sizeof(o.host), "%s", optarg);
			}
			break;
		case 'p': o.port = opt_long(optarg, 1, 65535, "--port", &bad); break;
		case 'K': o.lakehouse_port = opt_long(optarg, 1, 65535, "--lakehouse-port", &bad); break;
		case 'w': o.workers = opt_long(optarg, 1, 256, "--workers", &bad); break;
		case 'c': o.concurrency = opt_long(optarg, 1, 64, "--concurrency", &bad); break;
		case 'L': o.lease_seconds = opt_long(optarg, 1, 86400, "--lease-seconds", &bad); break;
		case 'b': o.max_body = opt_long(optarg, 1024, 1L << 30, "--max-body", &bad); break;
		case 'R': o.rate_limit = opt_long(optarg, 0, 1000000, "--rate-limit", &bad); break;
		case 'B': o.rate_burst = opt_long(optarg, 1, 1000000, "--rate-burst", &bad); break;
		case 'd': state_flag = optarg; break;
		case 'W':
			if (!realpath(optarg, o.www)) {
				fprintf(stderr, "clxs serve: --www-dir %s: %s\n", optarg, strerror(errno));
				bad = 1;
			}
			break;
		case 'l':
			if (clxs_log_level_parse(optarg) < 0) {
				fprintf(stderr, "clxs serve: unknown log level '%s'\n", optarg);
				bad = 1;
			}
			snprintf(o.log_level, sizeof(o.log_level), "%s", optarg);
			break;
		case 'C': config_path = optarg; break;
		case 'P': profile = optarg; break;
		case 'h': serve_usage(stdout); return 0;
		default: serve_usage(stderr); return 2;
		}
	}
	if (bad)
		return 2;
	if (apply_config(&o, config_path, profile, &state_flag))
		return 1;
	if (o.rate_limit < 0)
		o.rate_limit = 200;
	if (o.rate_burst < 0)
		o.rate_burst = 2 * o.rate_limit;
	if (is_loopback(o.host) != 1 && !o.api_token_set)
		return fail("listening on %s (off loopback) requires an API token: set server.api_token "
			    "in the config file (--config FILE, mode 0600) and send it as "
			    "\"Authorization: Bearer <token>\"; or use a loopback address (127.0.0.1 or ::1)",
			    o.host);
	if (state_paths(&o, state_flag) || locate(&o))
		return 1;
	clxs_error err;
	const char *dirs[] = {o.state, o.run, o.logs, o.nginx};
	for (size_t i = 0; i < 4; i++)
		if (clxs_mkdir_p(dirs[i], 0700, &err))
			return fail("%s", err.message);

	int running = 0;
	for (int i = 0; i < NSERVICES; i++) {
		char pf[4300];
		pid_path(&o, services[i], pf, sizeof(pf));
		running += clxs_pidfile_alive(pf) != 0;
	}
	if (running == NSERVICES) {
		printf("Clone-Xs is already running (state %s); `clxs status` for details\n", o.state);
		return 0;
	}
	if (running)
		stop_all(&o, 1); /* a half-running stack: start clean */

	char socket_path[4300], conf[4300], api_bin[4300], runner_bin[4300], pf[4300];
	snprintf(socket_path, sizeof(socket_path), "%s/api.sock", o.run);
	if (strlen(socket_path) >= 108)
		return fail("socket path %s is too long for a unix socket; use a shorter --state-dir", socket_path);
	snprintf(api_bin, sizeof(api_bin), "%s/clxs-api", o.bindir);
	snprintf(runner_bin, sizeof(runner_bin), "%s/clxs-runner", o.bindir);

	char workers[16], conc[16], lease[16], maxb[32];
	snprintf(workers, sizeof(workers), "%ld", o.workers);
	snprintf(conc, sizeof(conc), "%ld", o.concurrency);
	snprintf(lease, sizeof(lease), "%ld", o.lease_seconds);
	snprintf(maxb, sizeof(maxb), "%lld", o.max_body);

	pid_path(&o, "api", pf, sizeof(pf));
	/* The workers read the same config (the API serves and edits it), by
	 * absolute path since daemons do not share our working directory. */
	char cfg_abs[PATH_MAX] = "";
	if (config_path && !realpath(config_path, cfg_abs))
		return fail("config %s: %s", config_path, strerror(errno));
	char *api_argv[] = {api_bin, "--socket", socket_path, "--workers", workers, "--state-dir",
			    o.state, "--max-body", maxb, "--pid-file", pf, "--log-level", o.log_level,
			    NULL, NULL, NULL, NULL, NULL};
	int na = 13;
	if (cfg_abs[0]) {
		api_argv[na++] = "--config";
		api_argv[na++] = cfg_abs;
	}
	if (profile) {
		api_argv[na++] = "--profile";
		api_argv[na++] = (char *)profile;
	}
	pid_t api = spawn(&o, "api.log", api_argv);
	if (api < 0 || await_pidfile(&o, "api", api, "api.log"))
		return stop_all(&o, 1), 1;

	char rpf[4300];
	pid_path(&o, "runner", rpf, sizeof(rpf));
	char *runner_argv[] = {runner_bin, "--state-dir", o.state, "--concurrency", conc,
			       "--lease-seconds", lease, "--pid-file", rpf, "--log-level", o.log_level, NULL};
	pid_t runner = spawn(&o, "runner.log", runner_argv);
	if (runner < 0 || await_pidfile(&o, "runner", runner, "runner.log"))
		return stop_all(&o, 1), 1;

	char lpf[4300], lh_sock[4300], lh_bin[4300], lh_dir[4300], tok_file[4300];
	pid_path(&o, "lakehouse", lpf, sizeof(lpf));
	snprintf(lh_sock, sizeof(lh_sock), "%s/lakehouse.sock", o.run);
	snprintf(lh_bin, sizeof(lh_bin), "%s/clxs-lakehouse", o.bindir);
	snprintf(lh_dir, sizeof(lh_dir), "%s/lakehouse", o.state);
	snprintf(tok_file, sizeof(tok_file), "%s/lakehouse.token", o.state);
	if (ensure_token(tok_file))
		return stop_all(&o, 1), 1;
	char *lh_argv[] = {lh_bin, "--socket", lh_sock, "--workers", workers, "--data-dir", lh_dir,
			   "--token-file", tok_file, "--pid-file", lpf, "--log-level", o.log_level, NULL};
	pid_t lh = spawn(&o, "lakehouse.log", lh_argv);
	if (lh < 0 || await_pidfile(&o, "lakehouse", lh, "lakehouse.log"))
		return stop_all(&o, 1), 1;

	/* The WebSocket event daemon nginx proxies /api/clone/ws/ to. */
	char epf[4300], ev_sock[4300], ev_bin[4300];
	pid_path(&o, "events", epf, sizeof(epf));
	snprintf(ev_sock, sizeof(ev_sock), "%s/events.sock", o.run);
	snprintf(ev_bin, sizeof(ev_bin), "%s/clxs-events", o.bindir);
	char *ev_argv[] = {ev_bin, "--socket", ev_sock, "--state-dir", o.state, "--pid-file", epf,
			   "--log-level", o.log_level, NULL};
	pid_t ev = spawn(&o, "events.log", ev_argv);
	if (ev < 0 || await_pidfile(&o, "events", ev, "events.log"))
		return stop_all(&o, 1), 1;

	if (write_nginx_conf(&o, socket_path, conf, sizeof(conf)))
		return stop_all(&o, 1), 1;
	const char *nginx_bin = getenv("CLXS_NGINX");
	if (!nginx_bin || !*nginx_bin)
		nginx_bin = CLXS_NGINX_PATH;
	char err_log[4300];
	snprintf(err_log, sizeof(err_log), "%s/nginx-error.log", o.logs);
	char *nginx_argv[] = {(char *)nginx_bin, "-p", o.nginx, "-c", conf, "-e", err_log, NULL};
	pid_t ng = spawn(&o, "nginx-start.log", nginx_argv);
	int status = 0;
	if (ng < 0 || waitpid(ng, &status, 0) != ng || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fail("nginx did not start; see %s/nginx-start.log and %s", o.logs, err_log);
		return stop_all(&o, 1), 1;
	}
	if (await_pidfile(&o, "nginx", -1, "nginx-error.log"))
		return stop_all(&o, 1), 1;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	int ok = -1;
	for (int i = 0; i < 100 && ok != 0; i++) {
		ok = health_ok(o.host, o.port);
		if (ok)
			clxs_sleep_ms(100);
	}
	curl_global_cleanup();
	if (ok != 0) {
		fail("the API did not answer on %s:%ld; see the logs in %s", o.host, o.port, o.logs);
		return stop_all(&o, 1), 1;
	}
	if (save_serve_info(&o))
		return 1;
	printf("Clone-Xs is up: http://%s%s%s:%ld/  (API: /api/health; state: %s)\n",
	       strchr(o.host, ':') ? "[" : "", o.host, strchr(o.host, ':') ? "]" : "", o.port, o.state);
	printf("Embedded lakehouse (Databricks REST API): http://%s%s%s:%ld/  token: %s/lakehouse.token\n",
	       strchr(o.host, ':') ? "[" : "", o.host, strchr(o.host, ':') ? "]" : "", o.lakehouse_port, o.state);
	return 0;
}

static int wait_gone(pid_t pid, int ms)
{
	for (int t = 0; t < ms; t += 50) {
		if (!clxs_pid_alive(pid))
			return 0;
		/* Reap it when it happens to be our own child (a failed serve). */
		waitpid(pid, NULL, WNOHANG);
		clxs_sleep_ms(50);
	}
	return -1;
}

static int stop_all(const serve_opts *o, int quiet)
{
	int stopped = 0;
	for (int i = 0; i < NSERVICES; i++) {
		char pf[4300];
		pid_path(o, services[i], pf, sizeof(pf));
		pid_t pid = clxs_pidfile_alive(pf);
		if (!pid)
			continue;
		kill(pid, SIGTERM);
		if (wait_gone(pid, 15000) != 0) {
			fprintf(stderr, "clxs: %s (pid %ld) did not stop in 15 s; killing it\n", services[i], (long)pid);
			kill(pid, SIGKILL);
			wait_gone(pid, 2000);
		}
		unlink(pf);
		stopped++;
		if (!quiet)
			printf("stopped %s (pid %ld)\n", services[i], (long)pid);
	}
	if (!quiet && !stopped)
		printf("nothing was running (state %s)\n", o->state);
	return 0;
}

static int simple_opts(int argc, char **argv, serve_opts *o, const char *usage_text)
{
	static const struct option opts[] = {
		{"state-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *state_flag = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': state_flag = optarg; break;
		case 'h': fputs(usage_text, stdout); return -1;
		default: fputs(usage_text, stderr); return -2;
		}
	}
	memset(o, 0, sizeof(*o));
	return state_paths(o, state_flag) ? -2 : 0;
}

int clxs_cmd_stop(int argc, char **argv)
{
	serve_opts o;
	int rc = simple_opts(argc, argv, &o,
			     "Usage: clxs stop [--state-dir DIR]\n\n"
			     "Stop nginx, the API worker pool and the job runner started by `clxs serve`.\n"
			     "Running jobs go back to the queue and resume at the next start.\n");
	if (rc)
		return rc == -1 ? 0 : 2;
	return stop_all(&o, 0);
}

int clxs_cmd_status(int argc, char **argv)
{
	serve_opts o;
	int rc = simple_opts(argc, argv, &o,
			     "Usage: clxs status [--state-dir DIR]\n\n"
			     "Show which services of `clxs serve` run and whether /api/health answers.\n"
			     "Exit status: 0 all running and healthy, 3 otherwise.\n");
	if (rc)
		return rc == -1 ? 0 : 2;
	int up = 0;
	printf("state: %s\n", o.state);
	for (int i = 0; i < NSERVICES; i++) {
		char pf[4300];
		pid_path(&o, services[i], pf, sizeof(pf));
		pid_t pid = clxs_pidfile_alive(pf);
		if (pid)
			printf("%-9s running (pid %ld)\n", services[i], (long)pid), up++;
		else
			printf("%-9s stopped\n", services[i]);
	}
	char path[4300];
	snprintf(path, sizeof(path), "%s/serve.json", o.run);
	json_object *info = json_object_from_file(path);
	int healthy = 0;
	if (info && up) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		const char *host = clxs_json_str(info, "host", "127.0.0.1");
		long port = (long)clxs_json_int(info, "port", 8080);
		healthy = health_ok(host, port) == 0;
		curl_global_cleanup();
		printf("health    %s (http://%s:%ld/api/health)\n", healthy ? "ok" : "NOT answering", host, port);
	}
	json_object_put(info);
	return up == NSERVICES && healthy ? 0 : 3;
}
