/*
 * mem.h — the one allocation wrapper.
 *
 * All heap allocation in caravan goes through these functions so that tests
 * can make allocation fail (cv_mem_fail_after) and check that every caller
 * answers with CV_ENOMEM instead of crashing. They behave like the libc
 * functions they wrap: NULL on failure, and the caller checks.
 *
 * Thread-safe. The failure injection counter is global and meant for
 * single-threaded unit tests only.
 */
#ifndef CV_BASE_MEM_H
#define CV_BASE_MEM_H

#include <stddef.h>

void *cv_malloc(size_t size);
void *cv_calloc(size_t count, size_t size);
void *cv_realloc(void *ptr, size_t size);
/* Copy of a NUL-terminated string, or NULL (also when s is NULL). */
char *cv_strdup(const char *s);
/* Copy of the first n bytes of s, NUL-terminated. */
char *cv_strndup(const char *s, size_t n);
void cv_free(void *ptr);

/*
 * Tests only: let the next n allocations succeed, then fail every one until
 * cv_mem_fail_after(-1) switches injection off.
 */
void cv_mem_fail_after(long n);

#endif
