/* One FastCGI worker's accept loop (src/api/fcgi.c). */
#ifndef CLXS_FCGI_WORKER_H
#define CLXS_FCGI_WORKER_H

#include "clxs/api.h"

/* Serve requests on the listening socket until SIGTERM. */
int clxs_fcgi_worker_loop(int sock, clxs_api_ctx *ctx);

#endif
