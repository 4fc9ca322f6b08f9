/* Process-wide request rate limit and statement concurrency cap.
 *
 * The rate limit is a token bucket with a burst of one, kept as "the
 * earliest time the next request may start" (GCRA): each request reserves
 * the next slot under the lock and then sleeps outside it, so waiting
 * threads neither hold the lock nor busy-wait, and n requests always span
 * at least (n - 1) / max_rps seconds. A burst of one is deliberate: the
 * workspace limits are per second and a burst would let a restarted worker
 * pool exceed them in the first second. */
#include "ws_internal.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "clxs/util.h"

struct clxs_ws_limiter {
	pthread_mutex_t lock;
	pthread_cond_t slot_freed;
	double max_rps;
	int max_parallel;
	int64_t next_us; /* monotonic microseconds of the next free request slot */
	int running;     /* statements holding a slot */
};

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int limiter_init(clxs_ws_limiter *lim, double max_rps, int max_parallel)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	/* Timed waits on the monotonic clock, immune to wall-clock jumps. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&lim->slot_freed, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		return -1;
	if (pthread_mutex_init(&lim->lock, NULL) != 0) {
		pthread_cond_destroy(&lim->slot_freed);
		return -1;
	}
	lim->max_rps = max_rps > 0 && isfinite(max_rps) ? max_rps : 0;
	lim->max_parallel = max_parallel > 0 ? max_parallel : 0;
	lim->next_us = 0;
	lim->running = 0;
	return 0;
}

clxs_ws_limiter *clxs_ws_limiter_new(double max_rps, int max_parallel_queries)
{
	clxs_ws_limiter *lim = calloc(1, sizeof(*lim));
	if (lim && limiter_init(lim, max_rps, max_parallel_queries) < 0) {
		free(lim);
		return NULL;
	}
	return lim;
}

void clxs_ws_limiter_free(clxs_ws_limiter *lim)
{
	if (!lim || lim == clxs_ws_limiter_global())
		return;
	pthread_mutex_destroy(&lim->lock);
	pthread_cond_destroy(&lim->slot_freed);
	free(lim);
}

static clxs_ws_limiter global_limiter;
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	/* Failure here means the process cannot create a mutex; abort rather
	 * than run without the limits the operator configured. */
	if (limiter_init(&global_limiter, 0, 0) < 0)
		abort();
}

clxs_ws_limiter *clxs_ws_limiter_global(void)
{
	pthread_once(&global_once, global_init);
	return &global_limiter;
}

void clxs_ws_limiter_configure(clxs_ws_limiter *lim, double max_rps, int max_parallel_queries)
{
	pthread_mutex_lock(&lim->lock);
	lim->max_rps = max_rps > 0 && isfinite(max_rps) ? max_rps : 0;
	lim->max_parallel = max_parallel_queries > 0 ? max_parallel_queries : 0;
	lim->next_us = 0;
	pthread_cond_broadcast(&lim->slot_freed);
	pthread_mutex_unlock(&lim->lock);
}

void clxs_ws_limiter_acquire_request(clxs_ws_limiter *lim)
{
	pthread_mutex_lock(&lim->lock);
	if (lim->max_rps <= 0) {
		pthread_mutex_unlock(&lim->lock);
		return;
	}
	double d = 1e6 / lim->max_rps;
	int64_t interval = (int64_t)d;
	if ((double)interval < d)
		interval++; /* round up: never faster than max_rps */
	int64_t now = mono_us();
	int64_t start = lim->next_us > now ? lim->next_us : now;
	lim->next_us = start + interval;
	pthread_mutex_unlock(&lim->lock);
	/* Sleep until our reserved start, resuming after signals. */
	int64_t wait;
	while ((wait = start - mono_us()) > 0) {
		struct timespec ts = {wait / 1000000, (wait % 1000000) * 1000};
		nanosleep(&ts, NULL);
	}
}

int clxs_ws_limiter_acquire_statement(clxs_ws_limiter *lim, bool (*should_stop)(void *ud), void *ud)
{
	pthread_mutex_lock(&lim->lock);
	while (lim->max_parallel > 0 && lim->running >= lim->max_parallel) {
		if (should_stop && should_stop(ud)) {
			pthread_mutex_unlock(&lim->lock);
			return -1;
		}
		/* Wake up now and then to notice a cancellation. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&lim->slot_freed, &lim->lock, &ts);
	}
	lim->running++;
	pthread_mutex_unlock(&lim->lock);
	return 0;
}

void clxs_ws_limiter_release_statement(clxs_ws_limiter *lim)
{
	pthread_mutex_lock(&lim->lock);
	if (lim->running > 0)
		lim->running--;
	pthread_cond_signal(&lim->slot_freed);
	pthread_mutex_unlock(&lim->lock);
}
