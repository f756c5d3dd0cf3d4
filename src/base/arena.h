/*
 * arena.h — a region allocator for request-scoped memory.
 *
 * A request allocates its strings, parameters and headers from one arena and
 * frees them all at once when the response is sent, so handlers need no
 * per-allocation cleanup. Blocks are chained; an allocation larger than the
 * block size gets a block of its own. Memory is 16-byte aligned.
 *
 * Not thread-safe: one arena, one request, one thread.
 */
#ifndef CV_BASE_ARENA_H
#define CV_BASE_ARENA_H

#include <stddef.h>

struct cv_arena_block;

struct cv_arena {
	struct cv_arena_block *head;
	size_t block_size;
};

/* block_size 0 picks the default (8 KiB). */
void cv_arena_init(struct cv_arena *arena, size_t block_size);
/* Free every block; the arena may be reused. */
void cv_arena_release(struct cv_arena *arena);
/* Uninitialised memory, or NULL when allocation fails. */
void *cv_arena_alloc(struct cv_arena *arena, size_t size);
char *cv_arena_strdup(struct cv_arena *arena, const char *s);
char *cv_arena_strndup(struct cv_arena *arena, const char *s, size_t n);
char *cv_arena_printf(struct cv_arena *arena, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
