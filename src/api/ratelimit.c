/* ratelimit.c — see ratelimit.h. */
#include "api/ratelimit.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#define SLOTS 4096 /* power of two */
#define WINDOW_SECONDS 60

struct slot {
	uint64_t address_hash;
	int64_t window;
	int count;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int api_ratelimit_hit(const char *address, int per_minute)
{
	uint64_t h = hash(address ? address : "");
	int64_t now = (int64_t)time(NULL), window = now / WINDOW_SECONDS;
	struct slot *s = &slots[h & (SLOTS - 1)];
	int wait = 0;

	pthread_mutex_lock(&lock);
	if (s->window != window || s->address_hash != h) {
		s->address_hash = h;
		s->window = window;
		s->count = 0;
	}
	if (++s->count > per_minute)
		wait = (int)((window + 1) * WINDOW_SECONDS - now);
	pthread_mutex_unlock(&lock);
	return wait;
}
