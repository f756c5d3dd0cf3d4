/* mem.c — see mem.h. */
#include "base/mem.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long fail_countdown = -1;

static int should_fail(void)
{
	long left = atomic_load(&fail_countdown);

	if (left < 0)
		return 0;
	if (left == 0)
		return 1;
	atomic_fetch_sub(&fail_countdown, 1);
	return 0;
}

void cv_mem_fail_after(long n) { atomic_store(&fail_countdown, n); }

void *cv_malloc(size_t size) { return should_fail() ? NULL : malloc(size ? size : 1); }

void *cv_calloc(size_t count, size_t size)
{
	return should_fail() ? NULL : calloc(count ? count : 1, size ? size : 1);
}

void *cv_realloc(void *ptr, size_t size)
{
	return should_fail() ? NULL : realloc(ptr, size ? size : 1);
}

char *cv_strndup(const char *s, size_t n)
{
	char *copy;

	if (!s)
		return NULL;
	copy = cv_malloc(n + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	return copy;
}

char *cv_strdup(const char *s) { return s ? cv_strndup(s, strlen(s)) : NULL; }

void cv_free(void *ptr) { free(ptr); }
