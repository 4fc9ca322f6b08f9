/* The master of a FastCGI worker pool, shared by clxs-api and
 * clxs-lakehouse: open the unix socket, fork N workers that accept on it,
 * replace any that dies, and stop them all on SIGTERM/SIGINT. Workers must
 * open LMDB/SQLite themselves, after the fork. */
#ifndef CLXS_FCGI_POOL_H
#define CLXS_FCGI_POOL_H

/* Body of one worker; its return value is the worker's exit status. */
typedef int (*clxs_pool_worker_fn)(int sock, void *ud);

/* Runs until a stop signal; returns the process exit status. A stale
 * socket at socket_path is removed first; pid_file (may be NULL) holds the
 * master's pid while it runs. */
int clxs_fcgi_pool_run(const char *name, const char *socket_path, const char *pid_file, int workers,
		       clxs_pool_worker_fn fn, void *ud);

#endif
