/* What the daemons (pool, runner) and `clxs serve` share: the state
 * directory layout, pid files and path joining. */
#ifndef CLXS_DAEMON_H
#define CLXS_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "clxs/error.h"

/* State directory layout (all under one folder, mode 0700):
 *   lmdb/            the LMDB environment
 *   run/             pid files and the worker socket
 *   logs/            daemon logs
 *   nginx/           nginx prefix: generated conf, temp dirs */
#define CLXS_STATE_LMDB "lmdb"
#define CLXS_STATE_RUN "run"
#define CLXS_STATE_LOGS "logs"
#define CLXS_STATE_NGINX "nginx"

/* $CLXS_STATE_DIR, else $XDG_STATE_HOME/clxs, else $HOME/.local/state/clxs. */
clxs_code clxs_state_dir_default(char *buf, size_t len, clxs_error *err);
/* buf = a "/" b, failing (not truncating) when it does not fit. */
clxs_code clxs_path_join(char *buf, size_t len, const char *a, const char *b, clxs_error *err);
clxs_code clxs_mkdir_p(const char *path, unsigned mode, clxs_error *err);

clxs_code clxs_pidfile_write(const char *path, pid_t pid, clxs_error *err);
/* Running and not a zombie. */
bool clxs_pid_alive(pid_t pid);
/* The pid in the file when that process is alive, else 0. */
pid_t clxs_pidfile_alive(const char *path);

/* "host/pid/start_ms": how a runner names itself in job leases. */
void clxs_process_id(char *buf, size_t len);
/* For job recovery: false when runner_id names a process on this host
 * that no longer exists. */
bool clxs_process_id_alive(const char *runner_id);

#endif
