/* arena.c — see arena.h. */
#include "base/arena.h"

#include "base/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ARENA_DEFAULT_BLOCK 8192
#define ARENA_ALIGN 16

struct cv_arena_block {
	struct cv_arena_block *next;
	size_t used;
	size_t size;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void cv_arena_init(struct cv_arena *arena, size_t block_size)
{
	arena->head = NULL;
	arena->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
}

void cv_arena_release(struct cv_arena *arena)
{
	struct cv_arena_block *b = arena->head;

	while (b) {
		struct cv_arena_block *next = b->next;
		cv_free(b);
		b = next;
	}
	arena->head = NULL;
}

void *cv_arena_alloc(struct cv_arena *arena, size_t size)
{
	struct cv_arena_block *b = arena->head;
	size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (rounded < size || rounded > SIZE_MAX - sizeof(struct cv_arena_block))
		return NULL;
	if (!b || b->size - b->used < rounded) {
		size_t cap = rounded > arena->block_size ? rounded : arena->block_size;
		b = cv_malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = cap;
		/* A big one-off block goes behind the head so the head keeps its free space. */
		if (arena->head && rounded > arena->block_size) {
			b->next = arena->head->next;
			arena->head->next = b;
		} else {
			b->next = arena->head;
			arena->head = b;
		}
	}
	p = b->data + b->used;
	b->used += rounded;
	return p;
}

char *cv_arena_strndup(struct cv_arena *arena, const char *s, size_t n)
{
	char *copy;

	if (!s)
		return NULL;
	copy = cv_arena_alloc(arena, n + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	return copy;
}

char *cv_arena_strdup(struct cv_arena *arena, const char *s)
{
	return s ? cv_arena_strndup(arena, s, strlen(s)) : NULL;
}

char *cv_arena_printf(struct cv_arena *arena, const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	out = cv_arena_alloc(arena, (size_t)n + 1);
	if (!out)
		return NULL;
	va_start(ap, fmt);
	if (vsnprintf(out, (size_t)n + 1, fmt, ap) != n)
		out = NULL;
	va_end(ap);
	return out;
}
